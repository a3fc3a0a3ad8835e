#include "automation/storage/migrations.hpp"

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "automation/storage/database.hpp"
#include "automation/storage/soci_support.hpp"

namespace automation::storage {

namespace {

struct Migration {
  int version;
  const char* description;
  // The DDL, built from the dialect's fragments (constants only, never input).
  std::vector<std::string> (*statements)(const DialectSql& d);
};

// PyAutomation's own tables, with the columns peewee gives them. IF NOT EXISTS because an
// existing PyAutomation database already has them, with its own column types, and they
// must be left untouched.
std::vector<std::string> v1_pyautomation_tables(const DialectSql& d) {
  const std::string id(d.id_column);
  return {
      "CREATE TABLE IF NOT EXISTS roles ("
      " id " + id + ","
      " identifier VARCHAR(255) NOT NULL UNIQUE,"
      " name VARCHAR(255) NOT NULL UNIQUE,"
      " level INTEGER NOT NULL)",
      "CREATE TABLE IF NOT EXISTS users ("
      " id " + id + ","
      " identifier VARCHAR(255) NOT NULL UNIQUE,"
      " username VARCHAR(255) NOT NULL UNIQUE,"
      " role_id INTEGER NOT NULL REFERENCES roles (id),"
      " email VARCHAR(255) NOT NULL UNIQUE,"
      " password VARCHAR(255) NOT NULL,"
      " token VARCHAR(255),"
      " name VARCHAR(255),"
      " lastname VARCHAR(255))",
      "CREATE INDEX IF NOT EXISTS users_role_id ON users (role_id)",
  };
}

// The service's own tables. Free text is TEXT (no length limit to trip over on
// PostgreSQL); booleans are INTEGER 0/1, which both databases store the same way.
std::vector<std::string> v2_service_tables(const DialectSql& d) {
  const std::string big_id(d.big_id_column);
  return {
      // Deleting a user also ends their sessions, even when done outside this service.
      "CREATE TABLE IF NOT EXISTS sessions ("
      " token_digest VARCHAR(64) PRIMARY KEY,"
      " user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
      " created_at BIGINT NOT NULL,"
      " expires_at BIGINT NOT NULL)",
      "CREATE INDEX IF NOT EXISTS sessions_user_id ON sessions (user_id)",
      "CREATE INDEX IF NOT EXISTS sessions_expires_at ON sessions (expires_at)",
      "CREATE TABLE IF NOT EXISTS tpts ("
      " jti TEXT PRIMARY KEY,"
      " role TEXT NOT NULL,"
      " created_on TEXT NOT NULL,"
      " expires_on TEXT,"
      " expires_at BIGINT,"
      " description TEXT NOT NULL,"
      " created_by TEXT NOT NULL,"
      " revoked INTEGER NOT NULL DEFAULT 0)",
      "CREATE TABLE IF NOT EXISTS audit_events ("
      " id " + big_id + ","
      " time BIGINT NOT NULL,"
      " event TEXT NOT NULL,"
      " actor TEXT NOT NULL,"
      " target TEXT NOT NULL,"
      " address TEXT NOT NULL,"
      " outcome TEXT NOT NULL)",
      "CREATE INDEX IF NOT EXISTS audit_events_time ON audit_events (time)",
      "CREATE TABLE IF NOT EXISTS login_failures ("
      " id " + big_id + ","
      " key TEXT NOT NULL,"
      " at BIGINT NOT NULL)",
      "CREATE INDEX IF NOT EXISTS login_failures_key_at ON login_failures (key, at)",
      "CREATE TABLE IF NOT EXISTS settings ("
      " key TEXT PRIMARY KEY,"
      " value TEXT NOT NULL)",
  };
}

// Why an audited operation was refused or failed (SPEC §3 "Audit log": outcome with reason).
std::vector<std::string> v3_audit_reason(const DialectSql&) {
  return {"ALTER TABLE audit_events ADD COLUMN reason TEXT NOT NULL DEFAULT ''"};
}

// The change feed (change_feed.hpp): every UPDATE or DELETE of a row the lookup cache may
// hold is logged by a trigger, in the writing transaction, whoever writes (this service, the
// CLI, another process, a tool outside this service). Inserts are not logged: a new row
// makes no cached answer wrong (misses are never cached). The single counter row makes the
// sequence numbers commit in order across processes (its row lock is held until commit).
struct LoggedTable {
  const char* table;
  const char* entity;  // what the cache drops: "session", "user", "role", "tpt"
  const char* key;     // the column naming the row to drop
};
constexpr LoggedTable kLoggedTables[] = {
    {"sessions", "session", "token_digest"},
    {"users", "user", "id"},
    {"roles", "role", "id"},
    {"tpts", "tpt", "jti"},
};

std::vector<std::string> v4_change_feed(const DialectSql& d) {
  std::vector<std::string> statements = {
      "CREATE TABLE IF NOT EXISTS change_counter ("
      " id INTEGER PRIMARY KEY,"
      " seq BIGINT NOT NULL)",
      "INSERT INTO change_counter (id, seq) SELECT 1, 0 WHERE NOT EXISTS"
      " (SELECT 1 FROM change_counter WHERE id = 1)",
      "CREATE TABLE IF NOT EXISTS change_log ("
      " seq BIGINT PRIMARY KEY,"
      " entity TEXT NOT NULL,"
      " entity_key TEXT NOT NULL)",
  };
  if (d.dialect == Dialect::kPostgresql) {
    // One function for every table: TG_ARGV names the entity and the key column.
    statements.push_back(
        "CREATE OR REPLACE FUNCTION automation_log_change() RETURNS trigger"
        " LANGUAGE plpgsql AS $$"
        " DECLARE next_seq BIGINT;"
        " BEGIN"
        "  UPDATE change_counter SET seq = seq + 1 WHERE id = 1 RETURNING seq INTO next_seq;"
        "  INSERT INTO change_log (seq, entity, entity_key)"
        "   VALUES (next_seq, TG_ARGV[0], COALESCE(to_jsonb(OLD) ->> TG_ARGV[1], ''));"
        "  RETURN NULL;"
        " END $$");
    for (const LoggedTable& t : kLoggedTables) {
      statements.push_back(std::string("DROP TRIGGER IF EXISTS ") + t.table + "_log_change ON " +
                           t.table);
      statements.push_back(std::string("CREATE TRIGGER ") + t.table +
                           "_log_change AFTER UPDATE OR DELETE ON " + t.table +
                           " FOR EACH ROW EXECUTE FUNCTION automation_log_change('" + t.entity +
                           "', '" + t.key + "')");
    }
    return statements;
  }
  for (const LoggedTable& t : kLoggedTables) {
    for (const char* event : {"UPDATE", "DELETE"}) {
      statements.push_back(std::string("CREATE TRIGGER IF NOT EXISTS ") + t.table + "_log_" +
                           event + " AFTER " + event + " ON " + t.table +
                           " BEGIN"
                           " UPDATE change_counter SET seq = seq + 1 WHERE id = 1;"
                           " INSERT INTO change_log (seq, entity, entity_key)"
                           " SELECT seq, '" + t.entity + "', CAST(OLD." + t.key +
                           " AS TEXT) FROM change_counter WHERE id = 1;"
                           " END");
    }
  }
  return statements;
}

// The tamper-evident audit chain (core/audit_chain.hpp): each event's sequence number and
// MAC, and one row holding the chain's anchor (where pruning left it) and head. Events
// recorded before this migration keep no seal; chain_start_id marks where sealing begins.
std::vector<std::string> v5_audit_chain(const DialectSql&) {
  return {
      "ALTER TABLE audit_events ADD COLUMN seq BIGINT",
      "ALTER TABLE audit_events ADD COLUMN mac VARCHAR(64)",
      "CREATE INDEX IF NOT EXISTS audit_events_seq ON audit_events (seq, id)",
      "CREATE TABLE IF NOT EXISTS audit_chain ("
      " id INTEGER PRIMARY KEY,"
      " anchor_seq BIGINT NOT NULL,"
      " anchor_mac VARCHAR(64) NOT NULL,"
      " head_seq BIGINT NOT NULL,"
      " head_mac VARCHAR(64) NOT NULL,"
      " chain_start_id BIGINT NOT NULL)",
      "INSERT INTO audit_chain (id, anchor_seq, anchor_mac, head_seq, head_mac, chain_start_id)"
      " SELECT 1, 0, '', 0, '', COALESCE(MAX(id), 0) + 1 FROM audit_events",
  };
}

// Password strength and lifetime (README "Security controls"): a session's demand that its
// password be changed first, when each user's password was set (users without a row count
// from the time this migration ran, recorded in schema_version), and previous hashes.
std::vector<std::string> v6_password_records(const DialectSql& d) {
  return {
      "ALTER TABLE sessions ADD COLUMN password_change INTEGER NOT NULL DEFAULT 0",
      "CREATE TABLE IF NOT EXISTS password_state ("
      " user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,"
      " set_at BIGINT NOT NULL,"
      " must_change INTEGER NOT NULL)",
      "CREATE TABLE IF NOT EXISTS password_history ("
      " id " + std::string(d.big_id_column) + ","
      " user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
      " password_hash TEXT NOT NULL,"
      " replaced_at BIGINT NOT NULL)",
      "CREATE INDEX IF NOT EXISTS password_history_user_id ON password_history (user_id, id)",
  };
}

// Append only: a released migration is never edited, a change is a new version.
const Migration kMigrations[] = {
    {1, "PyAutomation tables roles and users", &v1_pyautomation_tables},
    {2, "sessions, tpts, audit_events, login_failures, settings", &v2_service_tables},
    {3, "audit_events.reason", &v3_audit_reason},
    {4, "change feed: change_counter, change_log and their triggers", &v4_change_feed},
    {5, "audit chain: audit_events.seq and .mac, audit_chain", &v5_audit_chain},
    {6, "password records: sessions.password_change, password_state, password_history",
     &v6_password_records},
};

// Expression indexes (both SQLite >= 3.9 and PostgreSQL accept this form).
struct CaseInsensitiveIndex {
  const char* ddl;
};
const CaseInsensitiveIndex kCaseInsensitiveIndexes[] = {
    {"CREATE UNIQUE INDEX IF NOT EXISTS users_username_ci ON users (lower(username))"},
    {"CREATE UNIQUE INDEX IF NOT EXISTS users_email_ci ON users (lower(email))"},
    {"CREATE UNIQUE INDEX IF NOT EXISTS roles_name_ci ON roles (lower(name))"},
};

constexpr const char* kCreateSchemaVersion =
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version INTEGER PRIMARY KEY,"
    " applied_at BIGINT NOT NULL)";

void take_migration_lock(soci::session& sql, const DialectSql& d) {
  if (!d.migration_lock.empty()) sql << d.migration_lock;
}

long long unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::set<int>> applied_versions(Database& db) {
  return db.transaction(TxMode::kRead, [](soci::session& sql) -> Result<std::set<int>> {
    std::set<int> versions;
    int version = 0;
    soci::statement st = (sql.prepare << "SELECT version FROM schema_version", soci::into(version));
    st.execute();
    while (st.fetch()) versions.insert(version);
    return versions;
  });
}

}  // namespace

int latest_schema_version() noexcept { return kMigrations[std::size(kMigrations) - 1].version; }

Result<int> current_schema_version(Database& db) {
  return db.transaction(TxMode::kRead, [&db](soci::session& sql) -> Result<int> {
    // Look the table up first so inspecting a foreign database never creates anything.
    int tables = 0;
    if (db.dialect() == Dialect::kSqlite) {
      sql << "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = "
             "'schema_version'",
          soci::into(tables);
    } else {
      sql << "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = "
             "current_schema() AND table_name = 'schema_version'",
          soci::into(tables);
    }
    if (tables == 0) return 0;
    int version = 0;
    soci::indicator ind = soci::i_null;
    sql << "SELECT MAX(version) FROM schema_version", soci::into(version, ind);
    return ind == soci::i_ok ? version : 0;
  });
}

Status migrate(Database& db) {
  const DialectSql& d = sql_for(db.dialect());
  auto created = db.transaction(TxMode::kWrite, [&d](soci::session& sql) -> Status {
    take_migration_lock(sql, d);
    sql << kCreateSchemaVersion;
    return {};
  });
  if (!created) return fail(created.error());

  auto applied = applied_versions(db);
  if (!applied) return fail(applied.error());

  for (const Migration& m : kMigrations) {
    if (applied->contains(m.version)) continue;
    auto done = db.transaction(TxMode::kWrite, [&](soci::session& sql) -> Status {
      take_migration_lock(sql, d);
      // Checked again under the lock: another process may have applied it meanwhile.
      int present = 0;
      sql << "SELECT COUNT(*) FROM schema_version WHERE version = :v", soci::use(m.version),
          soci::into(present);
      if (present != 0) return {};
      for (const std::string& statement : m.statements(d)) sql << statement;
      const long long now = unix_now();
      sql << "INSERT INTO schema_version (version, applied_at) VALUES (:v, :t)",
          soci::use(m.version), soci::use(now);
      return {};
    });
    // kAlreadyExists: a racing process recorded this version first (possible only where no
    // lock serializes migrations); its DDL and ours are the same IF NOT EXISTS statements.
    if (!done && done.error().code != ErrorCode::kAlreadyExists) {
      return fail(done.error().code, "migration " + std::to_string(m.version) + " (" +
                                         m.description + ") failed: " + done.error().message);
    }
  }

  if (auto indexes = ensure_case_insensitive_indexes(db); !indexes) {
    return fail(indexes.error());
  }
  return {};
}

Result<int> ensure_case_insensitive_indexes(Database& db) {
  const DialectSql& d = sql_for(db.dialect());
  int present = 0;
  for (const CaseInsensitiveIndex& index : kCaseInsensitiveIndexes) {
    auto built = db.transaction(TxMode::kWrite, [&](soci::session& sql) -> Status {
      take_migration_lock(sql, d);
      sql << index.ddl;
      return {};
    });
    if (built) {
      ++present;
    } else if (built.error().code != ErrorCode::kAlreadyExists) {
      return fail(built.error());
    }
    // kAlreadyExists: the data holds case-duplicates, so this index is skipped (see the
    // header); the transaction was rolled back and nothing else changed.
  }
  return present;
}

}  // namespace automation::storage
