#include "automation/storage/sql_user_store.hpp"

#include <limits>
#include <utility>
#include <string>

#include "automation/storage/database.hpp"
#include "automation/storage/soci_support.hpp"
#include "automation/storage/sql_password_store.hpp"
#include "automation/storage/store_errors.hpp"
#include "automation/storage/text.hpp"
#include "automation/storage/user_row.hpp"

namespace automation::storage {

namespace {

const std::string kSelectUser = "SELECT " + std::string(kUserColumns) + std::string(kUserFrom);

std::unexpected<Error> user_not_found() { return fail(ErrorCode::kNotFound, "User not found"); }

int count(soci::session& sql, const char* query, const std::string& value) {
  int n = 0;
  sql << query, soci::use(value), soci::into(n);
  return n;
}

// Names the field a new user collides on, or nullopt when none is taken.
std::optional<Error> find_duplicate(soci::session& sql, const NewUser& user) {
  if (count(sql, "SELECT COUNT(*) FROM users WHERE lower(username) = lower(:v)",
            user.username) > 0) {
    return already_exists("username", "Username already exists");
  }
  if (count(sql, "SELECT COUNT(*) FROM users WHERE lower(email) = lower(:v)", user.email) > 0) {
    return already_exists("email", "Email already exists");
  }
  if (count(sql, "SELECT COUNT(*) FROM users WHERE identifier = :v", user.identifier) > 0) {
    return already_exists("identifier", "User identifier already exists");
  }
  return std::nullopt;
}

std::optional<Error> find_email_taken(soci::session& sql, const std::string& email,
                                      std::int64_t except_id) {
  int n = 0;
  sql << "SELECT COUNT(*) FROM users WHERE lower(email) = lower(:email) AND id <> :id",
      soci::use(email), soci::use(except_id), soci::into(n);
  if (n > 0) return already_exists("email", "Email already exists");
  return std::nullopt;
}

bool role_exists(soci::session& sql, std::int64_t role_id) {
  int n = 0;
  sql << "SELECT COUNT(*) FROM roles WHERE id = :id", soci::use(role_id), soci::into(n);
  return n > 0;
}

// Executes a prepared write and returns how many rows it touched.
long long execute_counting(soci::statement& st) {
  st.execute(true);
  return st.get_affected_rows();
}

}  // namespace

Result<User> SqlUserStore::add_user(const NewUser& user) {
  const std::pair<const char*, const std::string*> required[] = {
      {"identifier", &user.identifier},
      {"username", &user.username},
      {"email", &user.email},
      {"password", &user.password_hash}};
  for (const auto& [field, value] : required) {
    if (auto ok = check_storable(field, *value); !ok) return fail(ok.error());
  }
  if (user.name) {
    if (auto ok = check_storable("name", *user.name); !ok) return fail(ok.error());
  }
  if (user.lastname) {
    if (auto ok = check_storable("lastname", *user.lastname); !ok) return fail(ok.error());
  }

  auto added = db_.transaction(TxMode::kWrite, [&user](soci::session& sql) -> Result<User> {
    // Checked here as well as by the unique indexes: it names the field, and it holds on
    // a PyAutomation database whose case-insensitive index had to be skipped.
    if (auto duplicate = find_duplicate(sql, user)) return fail(std::move(*duplicate));
    if (!role_exists(sql, user.role_id)) return fail(ErrorCode::kNotFound, "Role not found");
    soci::indicator name_ind = user.name ? soci::i_ok : soci::i_null;
    soci::indicator lastname_ind = user.lastname ? soci::i_ok : soci::i_null;
    const std::string name = user.name.value_or("");
    const std::string lastname = user.lastname.value_or("");
    long long id = 0;
    sql << "INSERT INTO users (identifier, username, role_id, email, password, name, lastname)"
           " VALUES (:identifier, :username, :role_id, :email, :password, :name, :lastname)"
           " RETURNING id",
        soci::use(user.identifier), soci::use(user.username), soci::use(user.role_id),
        soci::use(user.email), soci::use(user.password_hash), soci::use(name, name_ind),
        soci::use(lastname, lastname_ind), soci::into(id);
    const std::int64_t user_id = id;
    forget_password_records(sql, user_id);
    if (user.password_set_at > 0) {
      write_password_state(sql, user_id, user.password_set_at, user.must_change_password);
    }
    auto stored = query_user(sql, kSelectUser + " WHERE u.id = :id", id);
    if (!stored) return fail(ErrorCode::kInternal, "inserted user could not be read back");
    return std::move(*stored);
  });
  if (!added && is_unattributed_duplicate(added.error())) {
    // Lost a race with a concurrent insert (possible on PostgreSQL): say which field.
    auto named = db_.with_session([&user](soci::session& sql) -> Result<std::optional<Error>> {
      return find_duplicate(sql, user);
    });
    if (named && *named) return fail(std::move(**named));
  }
  return added;
}

Result<std::optional<User>> SqlUserStore::find_user_by_username(std::string_view username) {
  if (!is_storable_text(username)) return std::optional<User>();  // nothing stored can match
  const std::string wanted(username);
  return db_.with_session([&wanted](soci::session& sql) -> Result<std::optional<User>> {
    return query_user(sql, kSelectUser + " WHERE lower(u.username) = lower(:v) ORDER BY u.id",
                      wanted);
  });
}

Result<std::optional<User>> SqlUserStore::find_user_by_email(std::string_view email) {
  if (!is_storable_text(email)) return std::optional<User>();
  const std::string wanted(email);
  return db_.with_session([&wanted](soci::session& sql) -> Result<std::optional<User>> {
    return query_user(sql, kSelectUser + " WHERE lower(u.email) = lower(:v) ORDER BY u.id",
                      wanted);
  });
}

Result<std::optional<User>> SqlUserStore::find_user_by_identifier(std::string_view identifier) {
  if (!is_storable_text(identifier)) return std::optional<User>();
  const std::string wanted(identifier);
  return db_.with_session([&wanted](soci::session& sql) -> Result<std::optional<User>> {
    return query_user(sql, kSelectUser + " WHERE u.identifier = :v", wanted);
  });
}

Result<std::optional<User>> SqlUserStore::find_user_by_id(std::int64_t id) {
  return db_.with_session([id](soci::session& sql) -> Result<std::optional<User>> {
    return query_user(sql, kSelectUser + " WHERE u.id = :v", id);
  });
}

Result<UserPage> SqlUserStore::list_users(std::int64_t offset, std::int64_t limit) {
  // "No limit" is the largest limit rather than a different statement: SQLite does not
  // accept OFFSET without LIMIT.
  const long long page_limit = limit > 0 ? limit : std::numeric_limits<long long>::max();
  const long long page_offset = offset > 0 ? offset : 0;
  return db_.transaction(TxMode::kRead, [&](soci::session& sql) -> Result<UserPage> {
    UserPage page;
    long long total = 0;
    sql << "SELECT COUNT(*)" << kUserFrom << " WHERE r.level > 0", soci::into(total);
    page.total = total;
    page.users = query_users(
        sql, kSelectUser + " WHERE r.level > 0 ORDER BY u.id LIMIT :limit OFFSET :offset",
        page_limit, page_offset);
    return page;
  });
}

Result<User> SqlUserStore::update_profile(std::int64_t user_id, const UserEdit& edit) {
  if (edit.email) {
    if (auto ok = check_storable("email", *edit.email); !ok) return fail(ok.error());
  }
  if (edit.name) {
    if (auto ok = check_storable("name", *edit.name); !ok) return fail(ok.error());
  }
  if (edit.lastname) {
    if (auto ok = check_storable("lastname", *edit.lastname); !ok) return fail(ok.error());
  }
  auto updated = db_.transaction(TxMode::kWrite, [&](soci::session& sql) -> Result<User> {
    int exists = 0;
    sql << "SELECT COUNT(*) FROM users WHERE id = :id", soci::use(user_id), soci::into(exists);
    if (exists == 0) return user_not_found();
    if (edit.email) {
      if (auto taken = find_email_taken(sql, *edit.email, user_id)) return fail(std::move(*taken));
      sql << "UPDATE users SET email = :email WHERE id = :id", soci::use(*edit.email),
          soci::use(user_id);
    }
    if (edit.name) {
      sql << "UPDATE users SET name = :name WHERE id = :id", soci::use(*edit.name),
          soci::use(user_id);
    }
    if (edit.lastname) {
      sql << "UPDATE users SET lastname = :lastname WHERE id = :id", soci::use(*edit.lastname),
          soci::use(user_id);
    }
    auto stored = query_user(sql, kSelectUser + " WHERE u.id = :id", user_id);
    if (!stored) return user_not_found();  // its role row is missing
    return std::move(*stored);
  });
  if (!updated && is_unattributed_duplicate(updated.error())) {
    Error error = updated.error();
    error.fields.emplace("email", "already exists");  // the only unique column updated
    return fail(std::move(error));
  }
  return updated;
}

Status SqlUserStore::set_password_hash(std::int64_t user_id, std::string_view hash,
                                       const SessionRevocation& revocation) {
  if (auto ok = check_storable("password", hash); !ok) return ok;
  const std::string stored_hash(hash);
  return db_.transaction(TxMode::kWrite, [&](soci::session& sql) -> Status {
    return write_password_hash(sql, user_id, stored_hash, revocation);
  });
}

Status SqlUserStore::set_user_role(std::int64_t user_id, std::int64_t role_id) {
  return db_.transaction(TxMode::kWrite, [&](soci::session& sql) -> Status {
    if (!role_exists(sql, role_id)) return fail(ErrorCode::kNotFound, "Role not found");
    soci::statement update = (sql.prepare << "UPDATE users SET role_id = :role WHERE id = :id",
                              soci::use(role_id), soci::use(user_id));
    if (execute_counting(update) == 0) return user_not_found();
    return {};
  });
}

Status SqlUserStore::delete_user(std::int64_t user_id) {
  return db_.transaction(TxMode::kWrite, [&](soci::session& sql) -> Status {
    // Explicit even though sessions cascade: PyAutomation-era databases or a connection
    // without foreign keys enabled must not keep sessions of a deleted user.
    sql << "DELETE FROM sessions WHERE user_id = :id", soci::use(user_id);
    forget_password_records(sql, user_id);
    soci::statement remove =
        (sql.prepare << "DELETE FROM users WHERE id = :id", soci::use(user_id));
    if (execute_counting(remove) == 0) return user_not_found();
    return {};
  });
}

}  // namespace automation::storage
