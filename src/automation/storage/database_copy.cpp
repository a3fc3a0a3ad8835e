#include "automation/storage/database_copy.hpp"

#include <filesystem>
#include <memory>
#include <string_view>
#include <system_error>

#include "automation/storage/database.hpp"
#include "automation/storage/soci_support.hpp"

namespace automation::storage {

namespace {

enum class Kind { kInteger, kText };

struct Column {
  const char* name;
  Kind kind;
};

// One copied table: its columns (all of them, ids included) and, on PostgreSQL, the
// statement that moves its id sequence past the copied ids (explicit ids do not advance
// a SERIAL's sequence, so the next INSERT would collide with a copied row).
struct Table {
  const char* name;
  std::vector<Column> columns;
  const char* postgresql_sequence_reset;  // nullptr: no database-assigned id
  // A row the migrations seed (audit_chain's single row): always replaced by the
  // source's, and not a sign that the target is in use.
  bool seeded_by_migration = false;
  // Rows the database refuses to delete (signatures): a target holding any is never replaced.
  bool append_only = false;
};

// Parents before children (users.role_id -> roles, sessions.user_id -> users).
const std::vector<Table>& tables() {
  static const std::vector<Table> kTables = {
      {"roles",
       {{"id", Kind::kInteger},
        {"identifier", Kind::kText},
        {"name", Kind::kText},
        {"level", Kind::kInteger}},
       "SELECT setval(pg_get_serial_sequence('roles', 'id'),"
       " COALESCE((SELECT MAX(id) FROM roles), 0) + 1, false)"},
      {"users",
       {{"id", Kind::kInteger},
        {"identifier", Kind::kText},
        {"username", Kind::kText},
        {"role_id", Kind::kInteger},
        {"email", Kind::kText},
        {"password", Kind::kText},
        {"token", Kind::kText},
        {"name", Kind::kText},
        {"lastname", Kind::kText}},
       "SELECT setval(pg_get_serial_sequence('users', 'id'),"
       " COALESCE((SELECT MAX(id) FROM users), 0) + 1, false)"},
      {"sessions",
       {{"token_digest", Kind::kText},
        {"user_id", Kind::kInteger},
        {"created_at", Kind::kInteger},
        {"expires_at", Kind::kInteger},
        {"session_id", Kind::kText},
        {"password_change", Kind::kInteger},
        {"last_used_at", Kind::kInteger},
        {"client_address", Kind::kText},
        {"mfa_verified", Kind::kInteger}},
       nullptr},
      // Secrets travel sealed; the key with settings, unless it lives in AUTOMATION_MFA_KEY_FILE.
      // Pending second steps (mfa_challenges) live minutes and are not copied.
      {"mfa_totp",
       {{"user_id", Kind::kInteger},
        {"sealed_secret", Kind::kText},
        {"confirmed", Kind::kInteger},
        {"created_at", Kind::kInteger},
        {"confirmed_at", Kind::kInteger},
        {"last_step", Kind::kInteger}},
       nullptr},
      {"mfa_recovery_codes",
       {{"id", Kind::kInteger}, {"user_id", Kind::kInteger}, {"code_digest", Kind::kText}},
       "SELECT setval(pg_get_serial_sequence('mfa_recovery_codes', 'id'),"
       " COALESCE((SELECT MAX(id) FROM mfa_recovery_codes), 0) + 1, false)"},
      // The sessions that signed go with their sessions (and end with them).
      {"signing_sessions",
       {{"token_digest", Kind::kText}, {"first_signed_at", Kind::kInteger}},
       nullptr},
      // The OpenID Connect provider's clients (secrets as digests), and the grants issued to
      // them, which go with their sessions (and end with them).
      {"oidc_clients",
       {{"client_id", Kind::kText},
        {"name", Kind::kText},
        {"name_key", Kind::kText},
        {"redirect_uris", Kind::kText},
        {"post_logout_redirect_uris", Kind::kText},
        {"is_public", Kind::kInteger},
        {"client_credentials", Kind::kInteger},
        {"secret_digest", Kind::kText},
        {"created_at", Kind::kInteger},
        {"created_by", Kind::kText},
        {"id_token_alg", Kind::kText}},
       nullptr},
      {"oidc_codes",
       {{"code_digest", Kind::kText},
        {"redirect_uri", Kind::kText},
        {"scope", Kind::kText},
        {"nonce", Kind::kText},
        {"code_challenge", Kind::kText},
        {"auth_time", Kind::kInteger},
        {"amr", Kind::kText},
        {"expires_at", Kind::kInteger},
        {"client_id", Kind::kText},
        {"session_digest", Kind::kText},
        {"user_id", Kind::kInteger}},
       nullptr},
      {"oidc_refresh_tokens",
       {{"token_digest", Kind::kText},
        {"family_id", Kind::kText},
        {"scope", Kind::kText},
        {"auth_time", Kind::kInteger},
        {"amr", Kind::kText},
        {"created_at", Kind::kInteger},
        {"expires_at", Kind::kInteger},
        {"used", Kind::kInteger},
        {"client_id", Kind::kText},
        {"session_digest", Kind::kText},
        {"user_id", Kind::kInteger}},
       nullptr},
      {"password_state",
       {{"user_id", Kind::kInteger}, {"set_at", Kind::kInteger}, {"must_change", Kind::kInteger}},
       nullptr},
      {"password_history",
       {{"id", Kind::kInteger},
        {"user_id", Kind::kInteger},
        {"password_hash", Kind::kText},
        {"replaced_at", Kind::kInteger}},
       "SELECT setval(pg_get_serial_sequence('password_history', 'id'),"
       " COALESCE((SELECT MAX(id) FROM password_history), 0) + 1, false)"},
      // Who the directory manages: without it a copy's directory users would be locked out.
      {"directory_accounts",
       {{"user_id", Kind::kInteger},
        {"dn", Kind::kText},
        {"offline_hash", Kind::kText},
        {"offline_until", Kind::kInteger}},
       nullptr},
      {"tpts",
       {{"jti", Kind::kText},
        {"role", Kind::kText},
        {"created_on", Kind::kText},
        {"expires_on", Kind::kText},
        {"expires_at", Kind::kInteger},
        {"description", Kind::kText},
        {"created_by", Kind::kText},
        {"revoked", Kind::kInteger}},
       nullptr},
      // Every kept secret and key: the TPT secret, the audit, MFA and signing keys, the OIDC
      // signing key ring (oidc_signing_keys), so the copy signs and verifies as the original.
      {"settings", {{"key", Kind::kText}, {"value", Kind::kText}}, nullptr},
      {"audit_events",
       {{"id", Kind::kInteger},
        {"time", Kind::kInteger},
        {"event", Kind::kText},
        {"actor", Kind::kText},
        {"target", Kind::kText},
        {"address", Kind::kText},
        {"outcome", Kind::kText},
        {"reason", Kind::kText},
        {"seq", Kind::kInteger},
        {"mac", Kind::kText},
        {"prev_mac", Kind::kText}},
       "SELECT setval(pg_get_serial_sequence('audit_events', 'id'),"
       " COALESCE((SELECT MAX(id) FROM audit_events), 0) + 1, false)"},
      // The chain's anchor and head travel with the events (and the key with settings,
      // unless it lives in AUTOMATION_AUDIT_KEY_FILE), so the copy verifies like the original.
      {"audit_chain",
       {{"id", Kind::kInteger},
        {"anchor_seq", Kind::kInteger},
        {"anchor_mac", Kind::kText},
        {"head_seq", Kind::kInteger},
        {"head_mac", Kind::kText},
        {"chain_start_id", Kind::kInteger},
        {"start_seq", Kind::kInteger}},
       nullptr,
       true},
      // Electronic signatures (append-only) and the public keys that sealed them (the private
      // key travels with settings unless it lives in AUTOMATION_SIGNING_KEY_FILE).
      {"signature_keys",
       {{"key_id", Kind::kText},
        {"algorithm", Kind::kText},
        {"public_key", Kind::kText},
        {"first_used_at", Kind::kInteger}},
       nullptr},
      {"signatures",
       {{"id", Kind::kInteger},
        {"signature_id", Kind::kText},
        {"signer_id", Kind::kText},
        {"username", Kind::kText},
        {"printed_name", Kind::kText},
        {"role", Kind::kText},
        {"meaning", Kind::kText},
        {"signed_at", Kind::kInteger},
        {"record_type", Kind::kText},
        {"record_id", Kind::kText},
        {"record_digest", Kind::kText},
        {"comment", Kind::kText},
        {"verifies", Kind::kText},
        {"authentication", Kind::kText},
        {"key_id", Kind::kText},
        {"value", Kind::kText}},
       "SELECT setval(pg_get_serial_sequence('signatures', 'id'),"
       " COALESCE((SELECT MAX(id) FROM signatures), 0) + 1, false)",
       false,
       true},
      {"login_failures",
       {{"id", Kind::kInteger}, {"key", Kind::kText}, {"at", Kind::kInteger}},
       "SELECT setval(pg_get_serial_sequence('login_failures', 'id'),"
       " COALESCE((SELECT MAX(id) FROM login_failures), 0) + 1, false)"},
  };
  return kTables;
}

// One value of the row in flight, bound by reference to both the SELECT and the INSERT.
struct Cell {
  long long number = 0;
  std::string text;
  soci::indicator indicator = soci::i_ok;
};

// Quoted: "key" is a reserved word in MySQL (whose sessions run with ANSI_QUOTES).
std::string column_list(const Table& table) {
  std::string out;
  for (const Column& column : table.columns) {
    if (!out.empty()) out += ", ";
    out += '"';
    out += column.name;
    out += '"';
  }
  return out;
}

std::string placeholders(const Table& table) {
  std::string out;
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    if (i != 0) out += ", ";
    out += ":c" + std::to_string(i);
  }
  return out;
}

// Streams the table row by row: one SELECT on the source, one prepared INSERT on the
// target re-executed per row, so memory stays flat however long the audit log is.
long long copy_table(const Table& table, soci::session& source, soci::session& target) {
  // The statements are built from the constant table list above, never from input.
  const std::string columns = column_list(table);
  const std::string select =
      "SELECT " + columns + " FROM " + table.name + " ORDER BY \"" + table.columns[0].name + '"';
  const std::string insert = std::string("INSERT INTO ") + table.name + " (" + columns +
                             ") VALUES (" + placeholders(table) + ")";
  std::vector<Cell> cells(table.columns.size());

  soci::statement reader(source);
  soci::statement writer(target);
  for (std::size_t i = 0; i < cells.size(); ++i) {
    Cell& cell = cells[i];
    if (table.columns[i].kind == Kind::kInteger) {
      reader.exchange(soci::into(cell.number, cell.indicator));
      writer.exchange(soci::use(cell.number, cell.indicator));
    } else {
      reader.exchange(soci::into(cell.text, cell.indicator));
      writer.exchange(soci::use(cell.text, cell.indicator));
    }
  }
  reader.alloc();
  reader.prepare(select);
  reader.define_and_bind();
  writer.alloc();
  writer.prepare(insert);
  writer.define_and_bind();

  long long rows = 0;
  reader.execute();
  while (reader.fetch()) {
    writer.execute(true);
    ++rows;
  }
  return rows;
}

long long count_rows(soci::session& sql, const Table& table) {
  long long rows = 0;
  sql << std::string("SELECT COUNT(*) FROM ") + table.name, soci::into(rows);
  return rows;
}

}  // namespace

const std::vector<std::string>& copied_tables() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (const Table& table : tables()) names.emplace_back(table.name);
    return names;
  }();
  return kNames;
}

Result<std::unique_ptr<Database>> open_sqlite_source(const std::string& file) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(file, error)) {
    return fail(ErrorCode::kNotFound, "no SQLite database file at '" + file + "'");
  }
  DatabaseOptions options;
  options.type = "sqlite";
  options.file = file;
  options.pool_size = 1;
  return Database::open(options);
}

namespace {

// The copy itself, inside the target's write transaction and under the migration lock.
// MySQL needs no sequence reset: an explicit id moves AUTO_INCREMENT past it.
Result<CopyReport> copy_tables(soci::session& from, soci::session& to, Dialect target,
                               bool replace) {
  for (const Table& table : tables()) {
    if (table.seeded_by_migration) continue;
    const long long present = count_rows(to, table);
    if (present != 0 && table.append_only) {
      return fail(ErrorCode::kRuleViolation,
                  std::string("the target database holds ") + std::to_string(present) + " rows of " +
                      table.name +
                      ", which are never deleted (append-only); copy into an empty database");
    }
    if (present != 0 && !replace) {
      return fail(ErrorCode::kRuleViolation,
                  std::string("the target database is not empty (table ") + table.name +
                      " has " + std::to_string(present) +
                      " rows); pass --replace to delete its contents and copy anyway");
    }
  }
  // Children first, so no foreign key is broken on the way.
  for (auto table = tables().rbegin(); table != tables().rend(); ++table) {
    if (replace || table->seeded_by_migration) to << std::string("DELETE FROM ") + table->name;
  }
  CopyReport report;
  for (const Table& table : tables()) {
    report.tables.push_back({table.name, copy_table(table, from, to)});
    if (target == Dialect::kPostgresql && table.postgresql_sequence_reset) {
      to << table.postgresql_sequence_reset;
    }
  }
  return report;
}

}  // namespace

Result<CopyReport> copy_database(Database& source, Database& target, bool replace) {
  // A read snapshot of the source around one write transaction on the target.
  return source.transaction(TxMode::kRead, [&](soci::session& from) -> Result<CopyReport> {
    return target.transaction(TxMode::kWrite, [&](soci::session& to) -> Result<CopyReport> {
      const DialectSql& d = sql_for(target.dialect());
      // Serializes with migrations and with another copy into the same database. A lock
      // that outlives the transaction (MySQL) is released here; should a statement throw,
      // the transaction fails and this one-command connection closes, which releases it.
      if (!d.migration_lock.empty()) to << d.migration_lock;
      auto report = copy_tables(from, to, target.dialect(), replace);
      if (!d.migration_unlock.empty()) to << d.migration_unlock;
      return report;
    });
  });
}

}  // namespace automation::storage
