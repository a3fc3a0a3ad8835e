#include "automation/storage/sql_user_store.hpp"

#include <algorithm>
#include <limits>
#include <memory>
#include <utility>
#include <string>

#include "automation/storage/database.hpp"
#include "automation/storage/row_query.hpp"
#include "automation/storage/inserted_id.hpp"
#include "automation/storage/soci_support.hpp"
#include "automation/storage/sql_mfa_store.hpp"
#include "automation/storage/sql_password_store.hpp"
#include "automation/storage/store_errors.hpp"
#include "automation/storage/text.hpp"
#include "automation/storage/user_row.hpp"

namespace automation::storage {

namespace {

const std::string kSelectUser = "SELECT " + std::string(kUserColumns) + std::string(kUserFrom);

std::unexpected<Error> user_not_found() { return fail(ErrorCode::kNotFound, "User not found"); }

int count(soci::session& sql, const std::string& query, const std::string& value) {
  int n = 0;
  sql << query, soci::use(value), soci::into(n);
  return n;
}

// Names the field a new user collides on, or nullopt when none is taken.
std::optional<Error> find_duplicate(soci::session& sql, const DialectSql& d,
                                    const NewUser& user) {
  if (count(sql, "SELECT COUNT(*) FROM users WHERE " + std::string(d.username_matches),
            user.username) > 0) {
    return already_exists("username", "Username already exists");
  }
  if (count(sql, "SELECT COUNT(*) FROM users WHERE " + std::string(d.email_matches),
            user.email) > 0) {
    return already_exists("email", "Email already exists");
  }
  if (count(sql, "SELECT COUNT(*) FROM users WHERE identifier = :v", user.identifier) > 0) {
    return already_exists("identifier", "User identifier already exists");
  }
  return std::nullopt;
}

std::optional<Error> find_email_taken(soci::session& sql, const DialectSql& d,
                                      const std::string& email, std::int64_t except_id) {
  int n = 0;
  sql << "SELECT COUNT(*) FROM users WHERE " + std::string(d.email_matches) + " AND id <> :id",
      soci::use(email), soci::use(except_id), soci::into(n);
  if (n > 0) return already_exists("email", "Email already exists");
  return std::nullopt;
}

bool role_exists(soci::session& sql, std::int64_t role_id) {
  int n = 0;
  sql << "SELECT COUNT(*) FROM roles WHERE id = :id", soci::use(role_id), soci::into(n);
  return n > 0;
}

// The listing version, prepared once per connection: read before every list.
struct ListVersionQuery final : PreparedQuery {
  explicit ListVersionQuery(soci::session& sql)
      : st((sql.prepare << "SELECT version FROM user_list_version WHERE id = 1",
            soci::into(version))) {}
  long long version = 0;
  soci::statement st;
};

long long read_list_version(Database& db, soci::session& sql) {
  auto& query = db.prepared<ListVersionQuery>(sql);
  if (!fetch_single(query.st, [] {})) throw soci::soci_error("user_list_version row missing");
  return query.version;
}

// The listed users with ids in [first, last], prepared once per connection.
struct ListedRangeQuery final : PreparedQuery {
  explicit ListedRangeQuery(soci::session& sql) : st(sql) {
    row.bind(st);
    st.exchange(soci::use(first));
    st.exchange(soci::use(last));
    st.alloc();
    st.prepare("SELECT " + std::string(kListedUserColumns) + std::string(kUserFrom) +
               " WHERE r.level > 0 AND u.id >= :first AND u.id <= :last ORDER BY u.id");
    st.define_and_bind();
  }
  long long first = 0, last = 0;
  UserRow row;
  soci::statement st;
};

// Every listed id in order, fetched in chunks (one scan of the users; after a change only).
std::shared_ptr<const ListedUserIds::Ids> read_listed_ids(soci::session& sql) {
  auto ids = std::make_shared<ListedUserIds::Ids>();
  constexpr std::size_t kChunk = 4096;
  std::vector<long long> chunk(kChunk);
  soci::statement st = (sql.prepare << "SELECT u.id" << kUserFrom
                                    << " WHERE r.level > 0 ORDER BY u.id",
                        soci::into(chunk));
  if (st.execute(true)) {
    do {
      ids->insert(ids->end(), chunk.begin(), chunk.end());
      chunk.resize(kChunk);
    } while (st.fetch());
  }
  return ids;
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

  const DialectSql& d = sql_for(db_.dialect());
  auto added = db_.transaction(TxMode::kWrite, [&user, &d](soci::session& sql) -> Result<User> {
    // Checked here as well as by the unique indexes: it names the field, and it holds on
    // a PyAutomation database whose case-insensitive index had to be skipped.
    if (auto duplicate = find_duplicate(sql, d, user)) return fail(std::move(*duplicate));
    if (!role_exists(sql, user.role_id)) return fail(ErrorCode::kNotFound, "Role not found");
    soci::indicator name_ind = user.name ? soci::i_ok : soci::i_null;
    soci::indicator lastname_ind = user.lastname ? soci::i_ok : soci::i_null;
    const std::string name = user.name.value_or("");
    const std::string lastname = user.lastname.value_or("");
    const long long id = insert_returning_id(
        sql, d,
        "INSERT INTO users (identifier, username, role_id, email, password, name, lastname)"
        " VALUES (:identifier, :username, :role_id, :email, :password, :name, :lastname)",
        soci::use(user.identifier), soci::use(user.username), soci::use(user.role_id),
        soci::use(user.email), soci::use(user.password_hash), soci::use(name, name_ind),
        soci::use(lastname, lastname_ind));
    const std::int64_t user_id = id;
    forget_password_records(sql, user_id);
    forget_mfa_records(sql, user_id);
    if (user.password_set_at > 0) {
      write_password_state(sql, user_id, user.password_set_at, user.must_change_password);
    }
    auto stored = query_user(sql, kSelectUser + " WHERE u.id = :id", id);
    if (!stored) return fail(ErrorCode::kInternal, "inserted user could not be read back");
    return std::move(*stored);
  });
  if (!added && is_unattributed_duplicate(added.error())) {
    // Lost a race with a concurrent insert (possible on PostgreSQL): say which field.
    auto named =
        db_.with_session([&user, &d](soci::session& sql) -> Result<std::optional<Error>> {
          return find_duplicate(sql, d, user);
        });
    if (named && *named) return fail(std::move(**named));
  }
  return added;
}

Result<std::optional<User>> SqlUserStore::find_user_by_username(std::string_view username) {
  if (!is_storable_text(username)) return std::optional<User>();  // nothing stored can match
  const std::string wanted(username);
  const std::string query = kSelectUser + " WHERE " +
                            std::string(sql_for(db_.dialect()).username_matches) +
                            " ORDER BY u.id";
  return db_.with_session([&](soci::session& sql) -> Result<std::optional<User>> {
    return query_user(sql, query, wanted);
  });
}

Result<std::optional<User>> SqlUserStore::find_user_by_email(std::string_view email) {
  if (!is_storable_text(email)) return std::optional<User>();
  const std::string wanted(email);
  const std::string query = kSelectUser + " WHERE " +
                            std::string(sql_for(db_.dialect()).email_matches) + " ORDER BY u.id";
  return db_.with_session([&](soci::session& sql) -> Result<std::optional<User>> {
    return query_user(sql, query, wanted);
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
  return db_.transaction(TxMode::kRead, [&](soci::session& sql) -> Result<UserPage> {
    const long long version = read_list_version(db_, sql);
    std::shared_ptr<const ListedUserIds::Ids> ids = listed_ids_.at(version);
    if (!ids) {
      ids = read_listed_ids(sql);
      listed_ids_.keep(version, ids);
    }
    UserPage page;
    page.version = version;
    page.total = static_cast<std::int64_t>(ids->size());
    const std::size_t begin = static_cast<std::size_t>(std::clamp<std::int64_t>(offset, 0, page.total));
    const std::size_t count = limit > 0 ? static_cast<std::size_t>(std::min<std::int64_t>(
                                              limit, page.total - static_cast<std::int64_t>(begin)))
                                        : ids->size() - begin;
    if (count == 0) return page;
    auto& range = db_.prepared<ListedRangeQuery>(sql);
    range.first = (*ids)[begin];
    range.last = (*ids)[begin + count - 1];
    page.users.reserve(count);
    if (range.st.execute(true)) {
      do {
        page.users.push_back(range.row.to_user());
      } while (range.st.fetch());
    }
    return page;
  });
}

namespace {

// A LIKE pattern matching `text` anywhere, in lower case, its own wildcards escaped with '!':
// an escape character every engine reads alike ('\\' in a MySQL literal is itself an escape).
std::string contains_pattern(std::string_view text) {
  std::string pattern = "%";
  for (const char c : text) {
    if (c == '%' || c == '_' || c == '!') pattern += '!';
    pattern += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  pattern += '%';
  return pattern;
}

// A scan of the listed users (no index serves a substring; 100,000 rows take milliseconds).
constexpr std::string_view kSearchCondition =
    " WHERE r.level > 0 AND (lower(u.username) LIKE :p1 ESCAPE '!'"
    " OR lower(u.email) LIKE :p2 ESCAPE '!' OR lower(u.name) LIKE :p3 ESCAPE '!'"
    " OR lower(u.lastname) LIKE :p4 ESCAPE '!')";

}  // namespace

Result<UserPage> SqlUserStore::search_users(std::string_view text, std::int64_t offset,
                                            std::int64_t limit) {
  const std::string pattern = contains_pattern(sanitize_text(text));
  return db_.transaction(TxMode::kRead, [&](soci::session& sql) -> Result<UserPage> {
    UserPage page;
    page.version = read_list_version(db_, sql);
    long long total = 0;
    sql << "SELECT COUNT(*)" + std::string(kUserFrom) + std::string(kSearchCondition),
        soci::use(pattern), soci::use(pattern), soci::use(pattern), soci::use(pattern),
        soci::into(total);
    page.total = total;
    if (limit <= 0 || offset >= total) return page;
    const long long wanted = limit, skipped = std::max<std::int64_t>(offset, 0);
    page.users = query_users(sql,
                             "SELECT " + std::string(kListedUserColumns) + std::string(kUserFrom) +
                                 std::string(kSearchCondition) +
                                 " ORDER BY u.id LIMIT :limit OFFSET :offset",
                             pattern, pattern, pattern, pattern, wanted, skipped);
    return page;
  });
}

Result<std::optional<std::int64_t>> SqlUserStore::list_version() {
  return db_.with_session([this](soci::session& sql) -> Result<std::optional<std::int64_t>> {
    return std::optional<std::int64_t>(read_list_version(db_, sql));
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
  const DialectSql& d = sql_for(db_.dialect());
  auto updated = db_.transaction(TxMode::kWrite, [&](soci::session& sql) -> Result<User> {
    int exists = 0;
    sql << "SELECT COUNT(*) FROM users WHERE id = :id", soci::use(user_id), soci::into(exists);
    if (exists == 0) return user_not_found();
    if (edit.email) {
      if (auto taken = find_email_taken(sql, d, *edit.email, user_id)) {
        return fail(std::move(*taken));
      }
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
    // A real change of role ends the user's OpenID Connect refresh tokens (the roles they would
    // carry are stale), in this transaction; the same role again (a directory sync) keeps them.
    sql << "DELETE FROM oidc_refresh_tokens WHERE user_id = :id AND EXISTS"
           " (SELECT 1 FROM users WHERE id = :id2 AND role_id <> :role)",
        soci::use(user_id), soci::use(user_id), soci::use(role_id);
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
    forget_mfa_records(sql, user_id);
    soci::statement remove =
        (sql.prepare << "DELETE FROM users WHERE id = :id", soci::use(user_id));
    if (execute_counting(remove) == 0) return user_not_found();
    return {};
  });
}

}  // namespace automation::storage
