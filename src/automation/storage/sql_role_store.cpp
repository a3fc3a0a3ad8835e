#include "automation/storage/sql_role_store.hpp"

#include <string>

#include "automation/storage/database.hpp"
#include "automation/storage/inserted_id.hpp"
#include "automation/storage/row_query.hpp"
#include "automation/storage/soci_support.hpp"
#include "automation/storage/store_errors.hpp"
#include "automation/storage/text.hpp"

namespace automation::storage {

namespace {

// Receiving buffers for "id, identifier, name, level".
struct RoleRow {
  long long id = 0;
  std::string identifier, name;
  int level = 0;
  soci::indicator identifier_ind = soci::i_ok, name_ind = soci::i_ok;

  void bind(soci::statement& st) {
    st.exchange(soci::into(id));
    st.exchange(soci::into(identifier, identifier_ind));
    st.exchange(soci::into(name, name_ind));
    st.exchange(soci::into(level));
  }
  Role to_role() const {
    return Role{id, identifier_ind == soci::i_ok ? identifier : std::string(),
                name_ind == soci::i_ok ? name : std::string(), level};
  }
};

constexpr const char* kRoleSelect = "SELECT id, identifier, name, level FROM roles";

int count_name(soci::session& sql, const DialectSql& d, const std::string& name) {
  int n = 0;
  sql << "SELECT COUNT(*) FROM roles WHERE " + std::string(d.role_name_matches), soci::use(name),
      soci::into(n);
  return n;
}

int count_identifier(soci::session& sql, const std::string& identifier) {
  int n = 0;
  sql << "SELECT COUNT(*) FROM roles WHERE identifier = :identifier", soci::use(identifier),
      soci::into(n);
  return n;
}

// Names the field a role insert collided on, or nullopt when neither is taken.
std::optional<Error> find_duplicate(soci::session& sql, const DialectSql& d,
                                    const std::string& name, const std::string& identifier) {
  if (count_name(sql, d, name) > 0) return already_exists("name", "Role name already exists");
  if (count_identifier(sql, identifier) > 0) {
    return already_exists("identifier", "Role identifier already exists");
  }
  return std::nullopt;
}

}  // namespace

Result<std::vector<Role>> SqlRoleStore::list_roles() {
  return db_.with_session([](soci::session& sql) -> Result<std::vector<Role>> {
    // Creation order, as upstream lists roles (its ids only grow).
    return query_rows<RoleRow>(sql, std::string(kRoleSelect) + " ORDER BY id",
                               [](RoleRow& row) { return row.to_role(); });
  });
}

Result<std::optional<Role>> SqlRoleStore::find_role(std::string_view name) {
  if (!is_storable_text(name)) return std::optional<Role>();  // nothing stored can match
  const std::string wanted(name);
  // ORDER BY id: a PyAutomation database without the case-insensitive index may hold
  // "Admin" and "ADMIN"; the oldest one wins, deterministically.
  const std::string query = std::string(kRoleSelect) + " WHERE " +
                            std::string(sql_for(db_.dialect()).role_name_matches) +
                            " ORDER BY id LIMIT 1";
  return db_.with_session([&](soci::session& sql) -> Result<std::optional<Role>> {
    auto roles = query_rows<RoleRow>(
        sql, query, [](RoleRow& row) { return row.to_role(); }, wanted);
    if (roles.empty()) return std::optional<Role>();
    return std::optional<Role>(std::move(roles.front()));
  });
}

Result<Role> SqlRoleStore::add_role(const Role& role) {
  if (auto ok = check_storable("name", role.name); !ok) return fail(ok.error());
  if (auto ok = check_storable("identifier", role.identifier); !ok) return fail(ok.error());
  const DialectSql& d = sql_for(db_.dialect());
  auto added = db_.transaction(TxMode::kWrite, [&role, &d](soci::session& sql) -> Result<Role> {
    // Checked here, not only by the unique indexes: it names the field, and it still
    // holds on a PyAutomation database whose case-insensitive index had to be skipped.
    if (auto duplicate = find_duplicate(sql, d, role.name, role.identifier)) {
      return fail(std::move(*duplicate));
    }
    const long long id = insert_returning_id(
        sql, d, "INSERT INTO roles (identifier, name, level) VALUES (:identifier, :name, :level)",
        soci::use(role.identifier), soci::use(role.name), soci::use(role.level));
    Role stored = role;
    stored.id = id;
    return stored;
  });
  if (!added && is_unattributed_duplicate(added.error())) {
    // Lost a race with a concurrent insert (possible on PostgreSQL): say which field.
    auto named =
        db_.with_session([&role, &d](soci::session& sql) -> Result<std::optional<Error>> {
          return find_duplicate(sql, d, role.name, role.identifier);
        });
    if (named && *named) return fail(std::move(**named));
  }
  return added;
}

}  // namespace automation::storage
