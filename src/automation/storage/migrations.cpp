#include "automation/storage/migrations.hpp"

#include <chrono>
#include <set>
#include <string>
#include <utility>
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

// MySQL's variants of the migrations below, where its DDL differs: indexes inside CREATE
// TABLE (MySQL 8 has no CREATE INDEX IF NOT EXISTS), foreign keys as table constraints
// (InnoDB ignores a REFERENCES clause on a column), LONGTEXT for free text (TEXT holds only
// 64 KiB there), and no text column in a key without a prefix length.
// Every statement is idempotent: DDL commits implicitly on MySQL, so a migration that
// failed half-way is completed by the next run rather than rolled back.
std::vector<std::string> v1_pyautomation_tables_mysql(const DialectSql& d) {
  const std::string id(d.id_column);
  // As peewee creates them, but in a binary collation, so that a fresh MySQL database
  // compares and sorts exactly as SQLite and PostgreSQL do (an existing PyAutomation
  // database keeps its own collation; case-insensitive uniqueness holds either way).
  const std::string options(d.table_options);
  return {
      "CREATE TABLE IF NOT EXISTS roles ("
      " id " + id + ","
      " identifier VARCHAR(255) NOT NULL UNIQUE,"
      " name VARCHAR(255) NOT NULL UNIQUE,"
      " level INTEGER NOT NULL)" + options,
      "CREATE TABLE IF NOT EXISTS users ("
      " id " + id + ","
      " identifier VARCHAR(255) NOT NULL UNIQUE,"
      " username VARCHAR(255) NOT NULL UNIQUE,"
      " role_id INTEGER NOT NULL,"
      " email VARCHAR(255) NOT NULL UNIQUE,"
      " password VARCHAR(255) NOT NULL,"
      " token VARCHAR(255),"
      " name VARCHAR(255),"
      " lastname VARCHAR(255),"
      " INDEX users_role_id (role_id),"
      " FOREIGN KEY (role_id) REFERENCES roles (id))" + options,
  };
}

// The service's tables with the columns v3 (audit reason), v5 (session ids) and v6 (audit
// chain) add elsewhere included: no MySQL database of this service predates them (the MySQL
// backend came with v6). And the throttle's lock slots (see DialectSql::key_lock).
std::vector<std::string> v2_service_tables_mysql(const DialectSql& d) {
  const std::string big_id(d.big_id_column);
  const std::string options(d.table_options);
  // 0..999 from three digits: no recursive CTE needed (MySQL 8.0 and MariaDB differ there).
  const std::string digits = "(SELECT 0 AS n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL"
                             " SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6"
                             " UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)";
  return {
      "CREATE TABLE IF NOT EXISTS sessions ("
      " token_digest VARCHAR(64) PRIMARY KEY,"
      " user_id INTEGER NOT NULL,"
      " created_at BIGINT NOT NULL,"
      " expires_at BIGINT NOT NULL,"
      " session_id VARCHAR(32),"  // v5 elsewhere
      " INDEX sessions_user_id (user_id),"
      " INDEX sessions_expires_at (expires_at),"
      " UNIQUE INDEX sessions_session_id (session_id),"
      " FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE)" + options,
      "CREATE TABLE IF NOT EXISTS tpts ("
      " jti VARCHAR(255) PRIMARY KEY,"
      " role LONGTEXT NOT NULL,"
      " created_on LONGTEXT NOT NULL,"
      " expires_on LONGTEXT,"
      " expires_at BIGINT,"
      " description LONGTEXT NOT NULL,"
      " created_by LONGTEXT NOT NULL,"
      " revoked INTEGER NOT NULL DEFAULT 0)" + options,
      "CREATE TABLE IF NOT EXISTS audit_events ("
      " id " + big_id + ","
      " time BIGINT NOT NULL,"
      " event LONGTEXT NOT NULL,"
      " actor LONGTEXT NOT NULL,"
      " target LONGTEXT NOT NULL,"
      " address LONGTEXT NOT NULL,"
      " outcome LONGTEXT NOT NULL,"
      " reason LONGTEXT NOT NULL DEFAULT (''),"
      " seq BIGINT,"         // v6 elsewhere
      " mac VARCHAR(64),"    // v6 elsewhere
      " INDEX audit_events_time (time),"
      " INDEX audit_events_seq (seq, id))" + options,
      "CREATE TABLE IF NOT EXISTS login_failures ("
      " id " + big_id + ","
      " \"key\" LONGTEXT NOT NULL,"
      " at BIGINT NOT NULL,"
      " INDEX login_failures_key_at (\"key\"(255), at))" + options,
      "CREATE TABLE IF NOT EXISTS settings ("
      " \"key\" VARCHAR(255) PRIMARY KEY,"
      " value LONGTEXT NOT NULL)" + options,
      "CREATE TABLE IF NOT EXISTS throttle_lock_slots (slot INTEGER PRIMARY KEY)" + options,
      "INSERT IGNORE INTO throttle_lock_slots (slot)"
      " SELECT a.n + 10 * b.n + 100 * c.n FROM " + digits + " a, " + digits + " b, " + digits +
          " c",
  };
}

// One trigger per table and event (MySQL allows no "UPDATE OR DELETE" and no shared
// trigger function); dropped first because MySQL 8.0 before 8.0.29 has no IF NOT EXISTS
// for triggers.
std::vector<std::string> v4_change_feed_mysql(const DialectSql& d) {
  const std::string options(d.table_options);
  std::vector<std::string> statements = {
      "CREATE TABLE IF NOT EXISTS change_counter ("
      " id INTEGER PRIMARY KEY,"
      " seq BIGINT NOT NULL)" + options,
      "INSERT IGNORE INTO change_counter (id, seq) VALUES (1, 0)",
      "CREATE TABLE IF NOT EXISTS change_log ("
      " seq BIGINT PRIMARY KEY,"
      " entity LONGTEXT NOT NULL,"
      " entity_key LONGTEXT NOT NULL)" + options,
  };
  for (const LoggedTable& t : kLoggedTables) {
    for (const char* event : {"UPDATE", "DELETE"}) {
      const std::string name = std::string(t.table) + "_log_" + event;
      statements.push_back("DROP TRIGGER IF EXISTS " + name);
      statements.push_back("CREATE TRIGGER " + name + " AFTER " + event + " ON " + t.table +
                           " FOR EACH ROW BEGIN"
                           " UPDATE change_counter SET seq = seq + 1 WHERE id = 1;"
                           " INSERT INTO change_log (seq, entity, entity_key)"
                           " SELECT seq, '" + t.entity + "', CAST(OLD." + t.key +
                           " AS CHAR) FROM change_counter WHERE id = 1;"
                           " END");
    }
  }
  return statements;
}

// PyAutomation's own tables, with the columns peewee gives them. IF NOT EXISTS because an
// existing PyAutomation database already has them, with its own column types, and they
// must be left untouched.
std::vector<std::string> v1_pyautomation_tables(const DialectSql& d) {
  if (d.dialect == Dialect::kMysql) return v1_pyautomation_tables_mysql(d);
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
  if (d.dialect == Dialect::kMysql) return v2_service_tables_mysql(d);
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
std::vector<std::string> v3_audit_reason(const DialectSql& d) {
  if (d.dialect == Dialect::kMysql) return {};  // part of v2 there
  return {"ALTER TABLE audit_events ADD COLUMN reason TEXT NOT NULL DEFAULT ''"};
}


std::vector<std::string> v4_change_feed(const DialectSql& d) {
  if (d.dialect == Dialect::kMysql) return v4_change_feed_mysql(d);
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

// A public id per session, so sessions can be listed and revoked one by one without ever
// showing the key's digest. Sessions stored before get one now; the column stays nullable
// (SQLite cannot add a NOT NULL column without a default) and the store always fills it.
std::vector<std::string> v5_session_ids(const DialectSql& d) {
  if (d.dialect == Dialect::kMysql) return {};  // part of v2 there
  return {
      "ALTER TABLE sessions ADD COLUMN session_id VARCHAR(32)",
      "UPDATE sessions SET session_id = " + std::string(d.random_hex_id) +
          " WHERE session_id IS NULL",
      "CREATE UNIQUE INDEX IF NOT EXISTS sessions_session_id ON sessions (session_id)",
  };
}

// The tamper-evident audit chain (core/audit_chain.hpp): each event's sequence number and
// MAC, and one row holding the chain's anchor (where pruning left it) and head. Events
// recorded before this migration keep no seal; chain_start_id marks where sealing begins.
std::vector<std::string> v6_audit_chain(const DialectSql& d) {
  // MySQL: the columns are part of v2 there; these two statements are idempotent.
  if (d.dialect == Dialect::kMysql) {
    return {
        "CREATE TABLE IF NOT EXISTS audit_chain ("
        " id INTEGER PRIMARY KEY,"
        " anchor_seq BIGINT NOT NULL,"
        " anchor_mac VARCHAR(64) NOT NULL,"
        " head_seq BIGINT NOT NULL,"
        " head_mac VARCHAR(64) NOT NULL,"
        " chain_start_id BIGINT NOT NULL)" + std::string(d.table_options),
        "INSERT IGNORE INTO audit_chain"
        " (id, anchor_seq, anchor_mac, head_seq, head_mac, chain_start_id)"
        " SELECT 1, 0, '', 0, '', COALESCE(MAX(id), 0) + 1 FROM audit_events",
    };
  }
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

// The listing version (UserStore::list_version): one counter row that every write able to
// change the user list moves, in the writing transaction, whoever writes. A password change
// does not move it (no list shows hashes). PostgreSQL bumps it once per statement, SQLite
// (row triggers only) once per row.
constexpr const char* kListingTriggerColumns = "identifier, username, role_id, email, name, lastname";

// MySQL: row triggers (no statement triggers, no UPDATE OF): a users update bumps only when
// a listed column changed; dropped first (no IF NOT EXISTS for triggers before 8.0.29).
std::vector<std::string> v7_user_list_version_mysql(const DialectSql& d, const std::string& bump) {
  std::vector<std::string> statements = {
      "CREATE TABLE IF NOT EXISTS user_list_version ("
      " id INTEGER PRIMARY KEY,"
      " version BIGINT NOT NULL)" + std::string(d.table_options),
      "INSERT IGNORE INTO user_list_version (id, version) VALUES (1, 0)",
  };
  std::string listed_changed = "NOT (";
  bool first = true;
  for (const char* column : {"identifier", "username", "role_id", "email", "name", "lastname"}) {
    if (!first) listed_changed += " AND ";
    first = false;
    listed_changed += std::string("OLD.") + column + " <=> NEW." + column;
  }
  listed_changed += ")";
  const std::pair<const char*, std::string> triggers[] = {
      {"users_list_insert", "INSERT ON users FOR EACH ROW " + bump},
      {"users_list_delete", "DELETE ON users FOR EACH ROW " + bump},
      {"users_list_update", "UPDATE ON users FOR EACH ROW BEGIN IF " + listed_changed + " THEN " +
                                bump + "; END IF; END"},
      {"roles_list_insert", "INSERT ON roles FOR EACH ROW " + bump},
      {"roles_list_delete", "DELETE ON roles FOR EACH ROW " + bump},
      {"roles_list_update", "UPDATE ON roles FOR EACH ROW " + bump},
  };
  for (const auto& [name, body] : triggers) {
    statements.push_back(std::string("DROP TRIGGER IF EXISTS ") + name);
    statements.push_back(std::string("CREATE TRIGGER ") + name + " AFTER " + body);
  }
  return statements;
}

std::vector<std::string> v7_user_list_version(const DialectSql& d) {
  std::vector<std::string> statements = {
      "CREATE TABLE IF NOT EXISTS user_list_version ("
      " id INTEGER PRIMARY KEY,"
      " version BIGINT NOT NULL)",
      "INSERT INTO user_list_version (id, version) SELECT 1, 0 WHERE NOT EXISTS"
      " (SELECT 1 FROM user_list_version WHERE id = 1)",
  };
  const std::string bump = "UPDATE user_list_version SET version = version + 1 WHERE id = 1";
  if (d.dialect == Dialect::kMysql) return v7_user_list_version_mysql(d, bump);
  const std::string users_update = std::string("UPDATE OF ") + kListingTriggerColumns;
  if (d.dialect == Dialect::kPostgresql) {
    statements.push_back(
        "CREATE OR REPLACE FUNCTION automation_bump_user_list() RETURNS trigger"
        " LANGUAGE plpgsql AS $$ BEGIN " + bump + "; RETURN NULL; END $$");
    for (const auto& [table, events] :
         {std::pair<std::string, std::string>{"users", "INSERT OR DELETE OR " + users_update},
          {"roles", "INSERT OR DELETE OR UPDATE"}}) {
      statements.push_back("DROP TRIGGER IF EXISTS " + table + "_list_version ON " + table);
      statements.push_back("CREATE TRIGGER " + table + "_list_version AFTER " + events + " ON " +
                           table +
                           " FOR EACH STATEMENT EXECUTE FUNCTION automation_bump_user_list()");
    }
    return statements;
  }
  const std::pair<const char*, std::string> triggers[] = {
      {"users_list_insert", "INSERT ON users"},   {"users_list_delete", "DELETE ON users"},
      {"users_list_update", users_update + " ON users"},
      {"roles_list_insert", "INSERT ON roles"},   {"roles_list_delete", "DELETE ON roles"},
      {"roles_list_update", "UPDATE ON roles"},
  };
  for (const auto& [name, event] : triggers) {
    statements.push_back(std::string("CREATE TRIGGER IF NOT EXISTS ") + name + " AFTER " + event +
                         " BEGIN " + bump + "; END");
  }
  return statements;
}

// Password strength and lifetime (docs/security-controls.md): a session's demand that its
// password be changed first, when each user's password was set (users without a row count
// from the time this migration ran, recorded in schema_version), and previous hashes.
std::vector<std::string> v8_password_records_mysql(const DialectSql& d) {
  // Foreign keys and indexes in the table definition: MySQL ignores column-level
  // REFERENCES, and MySQL 8 has no CREATE INDEX IF NOT EXISTS.
  const std::string options(d.table_options);
  return {
      "ALTER TABLE sessions ADD COLUMN password_change INTEGER NOT NULL DEFAULT 0",
      "CREATE TABLE IF NOT EXISTS password_state ("
      " user_id INTEGER PRIMARY KEY,"
      " set_at BIGINT NOT NULL,"
      " must_change INTEGER NOT NULL,"
      " FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE)" + options,
      "CREATE TABLE IF NOT EXISTS password_history ("
      " id " + std::string(d.big_id_column) + ","
      " user_id INTEGER NOT NULL,"
      " password_hash LONGTEXT NOT NULL,"
      " replaced_at BIGINT NOT NULL,"
      " INDEX password_history_user_id (user_id, id),"
      " FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE)" + options,
  };
}

std::vector<std::string> v8_password_records(const DialectSql& d) {
  if (d.dialect == Dialect::kMysql) return v8_password_records_mysql(d);
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

// Idle sessions and session listing (docs/security-controls.md): when each session was last
// used (recorded at most once a minute) and where its login came from. The same on every
// engine: ADD COLUMN with a default works on all three.
std::vector<std::string> v9_session_activity(const DialectSql&) {
  return {
      "ALTER TABLE sessions ADD COLUMN last_used_at BIGINT NOT NULL DEFAULT 0",
      "ALTER TABLE sessions ADD COLUMN client_address VARCHAR(64)",
  };
}

// Recording a session's last use (every active key, once a minute) must not go through the
// change feed: every cache would drop that session and the log would grow by a row per use.
// The sessions UPDATE trigger is rebuilt to fire only when a column other than last_used_at
// is written; cached copies of last_used_at may then be behind, which SessionService
// settles by re-reading a session before ending it as idle.
constexpr const char* kSessionColumnsLogged[] = {"token_digest", "user_id",         "created_at",
                                                 "expires_at",   "session_id",      "password_change",
                                                 "client_address"};

// The sessions UPDATE trigger that logs a change of any of `logged` (every column but
// last_used_at): built by v10, and again by each migration that adds a session column.
std::vector<std::string> session_update_trigger(const DialectSql& d,
                                                const std::vector<const char*>& logged) {
  const std::string log_body = " UPDATE change_counter SET seq = seq + 1 WHERE id = 1;"
                               " INSERT INTO change_log (seq, entity, entity_key)"
                               " SELECT seq, 'session', CAST(OLD.token_digest AS ";
  std::string columns;
  for (const char* column : logged) {
    if (!columns.empty()) columns += ", ";
    columns += column;
  }
  if (d.dialect == Dialect::kPostgresql) {
    return {
        "DROP TRIGGER IF EXISTS sessions_log_change ON sessions",
        "CREATE TRIGGER sessions_log_change AFTER DELETE OR UPDATE OF " + columns +
            " ON sessions FOR EACH ROW EXECUTE FUNCTION automation_log_change('session',"
            " 'token_digest')",
    };
  }
  if (d.dialect == Dialect::kMysql) {
    // No UPDATE OF: compare the logged columns (NULL-safe) instead.
    std::string unchanged;
    for (const char* column : logged) {
      if (!unchanged.empty()) unchanged += " AND ";
      unchanged += std::string("OLD.") + column + " <=> NEW." + column;
    }
    return {
        "DROP TRIGGER IF EXISTS sessions_log_UPDATE",
        "CREATE TRIGGER sessions_log_UPDATE AFTER UPDATE ON sessions FOR EACH ROW BEGIN IF NOT (" +
            unchanged + ") THEN" + log_body + "CHAR) FROM change_counter WHERE id = 1; END IF; END",
    };
  }
  return {
      "DROP TRIGGER IF EXISTS sessions_log_UPDATE",
      "CREATE TRIGGER sessions_log_UPDATE AFTER UPDATE OF " + columns + " ON sessions BEGIN" +
          log_body + "TEXT) FROM change_counter WHERE id = 1; END",
  };
}

std::vector<std::string> v10_session_use_unlogged(const DialectSql& d) {
  return session_update_trigger(
      d, std::vector<const char*>(std::begin(kSessionColumnsLogged), std::end(kSessionColumnsLogged)));
}

// Sessions created are logged too (entity "session", the new digest), so that every lookup
// cache hears of a new key with the next feed read and loads it ahead of its first use
// (LookupCache::prefetch_new_sessions): a key made by a login on one node, or by any other
// writer, is then answered from memory on every node, never by a cold SQL lookup. Readers
// that do not prefetch drop nothing for it (the digest is not cached yet).
std::vector<std::string> v11_session_inserts_logged(const DialectSql& d) {
  const std::string log_body = " UPDATE change_counter SET seq = seq + 1 WHERE id = 1;"
                               " INSERT INTO change_log (seq, entity, entity_key)"
                               " SELECT seq, 'session', CAST(NEW.token_digest AS ";
  if (d.dialect == Dialect::kPostgresql) {
    // The one trigger function, now also for inserts (OLD is NULL there: the key is NEW's).
    return {
        "CREATE OR REPLACE FUNCTION automation_log_change() RETURNS trigger"
        " LANGUAGE plpgsql AS $$"
        " DECLARE next_seq BIGINT;"
        " BEGIN"
        "  UPDATE change_counter SET seq = seq + 1 WHERE id = 1 RETURNING seq INTO next_seq;"
        "  INSERT INTO change_log (seq, entity, entity_key)"
        "   VALUES (next_seq, TG_ARGV[0], COALESCE(to_jsonb(OLD) ->> TG_ARGV[1],"
        "           to_jsonb(NEW) ->> TG_ARGV[1], ''));"
        "  RETURN NULL;"
        " END $$",
        "DROP TRIGGER IF EXISTS sessions_log_insert ON sessions",
        "CREATE TRIGGER sessions_log_insert AFTER INSERT ON sessions FOR EACH ROW"
        " EXECUTE FUNCTION automation_log_change('session', 'token_digest')",
    };
  }
  if (d.dialect == Dialect::kMysql) {
    return {
        "DROP TRIGGER IF EXISTS sessions_log_INSERT",
        "CREATE TRIGGER sessions_log_INSERT AFTER INSERT ON sessions FOR EACH ROW BEGIN" +
            log_body + "CHAR) FROM change_counter WHERE id = 1; END",
    };
  }
  return {
      "CREATE TRIGGER IF NOT EXISTS sessions_log_INSERT AFTER INSERT ON sessions BEGIN" +
          log_body + "TEXT) FROM change_counter WHERE id = 1; END",
  };
}

// Every username a user row takes, by insert or rename, is logged (entity "username", the
// database's lower() of it: what lookups compare), so that a lookup cache may remember names
// that match no user and drop exactly the one that now does (LookupCache::unknown_usernames).
std::vector<std::string> v12_usernames_logged(const DialectSql& d) {
  const std::string log_body = " UPDATE change_counter SET seq = seq + 1 WHERE id = 1;"
                               " INSERT INTO change_log (seq, entity, entity_key)"
                               " SELECT seq, 'username', lower(NEW.username) FROM change_counter"
                               " WHERE id = 1;";
  if (d.dialect == Dialect::kPostgresql) {
    return {
        "CREATE OR REPLACE FUNCTION automation_log_username() RETURNS trigger"
        " LANGUAGE plpgsql AS $$"
        " DECLARE next_seq BIGINT;"
        " BEGIN"
        "  UPDATE change_counter SET seq = seq + 1 WHERE id = 1 RETURNING seq INTO next_seq;"
        "  INSERT INTO change_log (seq, entity, entity_key)"
        "   VALUES (next_seq, 'username', lower(NEW.username));"
        "  RETURN NULL;"
        " END $$",
        "DROP TRIGGER IF EXISTS users_log_username ON users",
        "CREATE TRIGGER users_log_username AFTER INSERT OR UPDATE OF username ON users"
        " FOR EACH ROW EXECUTE FUNCTION automation_log_username()",
    };
  }
  if (d.dialect == Dialect::kMysql) {
    // No UPDATE OF: compare the name instead. MySQL runs a table's triggers in the order they
    // were made; on insert this one goes before users_list_insert, so that every write to
    // users locks change_counter before user_list_version, as deletes and updates (whose feed
    // triggers are older) do: the opposite order deadlocked a sign-up with a deletion.
    return {
        "DROP TRIGGER IF EXISTS users_log_username_INSERT",
        "CREATE TRIGGER users_log_username_INSERT AFTER INSERT ON users FOR EACH ROW"
        " PRECEDES users_list_insert BEGIN" + log_body + " END",
        "DROP TRIGGER IF EXISTS users_log_username_UPDATE",
        "CREATE TRIGGER users_log_username_UPDATE AFTER UPDATE ON users FOR EACH ROW BEGIN"
        " IF NOT (OLD.username <=> NEW.username) THEN" + log_body + " END IF; END",
    };
  }
  return {
      "CREATE TRIGGER IF NOT EXISTS users_log_username_INSERT AFTER INSERT ON users BEGIN" +
          log_body + " END",
      "CREATE TRIGGER IF NOT EXISTS users_log_username_UPDATE AFTER UPDATE OF username ON users"
      " BEGIN" + log_body + " END",
  };
}

// Where the sealed record of the chain's start is (AuditStore::seal_chain_start), so that it
// is written once; 0 until then. A hint for the writer only: verification reads the record.
std::vector<std::string> v13_audit_chain_start(const DialectSql&) {
  return {"ALTER TABLE audit_chain ADD COLUMN start_seq BIGINT NOT NULL DEFAULT 0"};
}

// Each sealed event keeps the MAC it chains to, so that retention may remove refusals from
// the middle of the chain (refusals go before changes): the event after such a gap still
// shows its link, and its own MAC proves the link (core/audit_chain.hpp). Existing events get
// theirs from their predecessor, or from the anchor for the first one.
std::vector<std::string> v14_audit_previous_mac(const DialectSql& d) {
  std::vector<std::string> statements = {"ALTER TABLE audit_events ADD COLUMN prev_mac VARCHAR(64)"};
  if (d.dialect == Dialect::kMysql) {
    // MySQL cannot read the table an UPDATE writes in a subquery; a join it can.
    statements.push_back(
        "UPDATE audit_events a JOIN audit_events p ON p.seq = a.seq - 1 SET a.prev_mac = p.mac"
        " WHERE p.mac IS NOT NULL");
    statements.push_back(
        "UPDATE audit_events a JOIN audit_chain c ON c.id = 1 AND a.seq = c.anchor_seq + 1"
        " SET a.prev_mac = c.anchor_mac");
    return statements;
  }
  statements.push_back(
      "UPDATE audit_events SET prev_mac ="
      " (SELECT p.mac FROM audit_events p WHERE p.seq = audit_events.seq - 1"
      " AND p.mac IS NOT NULL ORDER BY p.id LIMIT 1)"
      " WHERE seq IS NOT NULL");
  statements.push_back(
      "UPDATE audit_events SET prev_mac = (SELECT anchor_mac FROM audit_chain WHERE id = 1)"
      " WHERE seq = (SELECT anchor_seq + 1 FROM audit_chain WHERE id = 1)");
  return statements;
}

// Multi-factor authentication (core/mfa_service.hpp): each user's sealed TOTP secret with
// the last accepted time step, the digests of unused recovery codes, logins waiting for
// their second factor, and whether a session proved one (sessions.mfa_verified, a logged
// column of the change feed so that caches drop a session whose flag changes).
std::vector<std::string> v15_mfa(const DialectSql& d) {
  const bool mysql = d.dialect == Dialect::kMysql;
  const std::string options(d.table_options);
  const std::string text = mysql ? "LONGTEXT" : "TEXT";
  // MySQL ignores column-level REFERENCES and has no CREATE INDEX IF NOT EXISTS: both go in
  // the table definitions there.
  auto references_users = [&](const char* column) {
    return mysql ? std::string(", FOREIGN KEY (") + column +
                       ") REFERENCES users (id) ON DELETE CASCADE"
                 : std::string();
  };
  const char* inline_reference = mysql ? "" : " REFERENCES users (id) ON DELETE CASCADE";
  std::vector<std::string> statements = {
      "CREATE TABLE IF NOT EXISTS mfa_totp ("
      " user_id INTEGER PRIMARY KEY" + std::string(inline_reference) + ","
      " sealed_secret " + text + " NOT NULL,"
      " confirmed INTEGER NOT NULL,"
      " created_at BIGINT NOT NULL,"
      " confirmed_at BIGINT NOT NULL,"
      " last_step BIGINT NOT NULL" + references_users("user_id") + ")" + options,
      "CREATE TABLE IF NOT EXISTS mfa_recovery_codes ("
      " id " + std::string(d.big_id_column) + ","
      " user_id INTEGER NOT NULL" + std::string(inline_reference) + ","
      " code_digest VARCHAR(64) NOT NULL" +
          (mysql ? ", INDEX mfa_recovery_codes_user (user_id, code_digest)" : "") +
          references_users("user_id") + ")" + options,
      "CREATE TABLE IF NOT EXISTS mfa_challenges ("
      " token_digest VARCHAR(64) PRIMARY KEY,"
      " user_id INTEGER NOT NULL" + std::string(inline_reference) + ","
      " client_address VARCHAR(64) NOT NULL,"
      " created_at BIGINT NOT NULL,"
      " expires_at BIGINT NOT NULL" +
          (mysql ? ", INDEX mfa_challenges_expires_at (expires_at)" : "") +
          references_users("user_id") + ")" + options,
  };
  if (!mysql) {
    statements.push_back(
        "CREATE INDEX IF NOT EXISTS mfa_recovery_codes_user ON mfa_recovery_codes"
        " (user_id, code_digest)");
    statements.push_back(
        "CREATE INDEX IF NOT EXISTS mfa_challenges_expires_at ON mfa_challenges (expires_at)");
  }
  statements.push_back("ALTER TABLE sessions ADD COLUMN mfa_verified INTEGER NOT NULL DEFAULT 0");
  std::vector<const char*> logged(std::begin(kSessionColumnsLogged),
                                  std::end(kSessionColumnsLogged));
  logged.push_back("mfa_verified");
  for (std::string& statement : session_update_trigger(d, logged)) {
    statements.push_back(std::move(statement));
  }
  return statements;
}

// Electronic signatures (core/signature_service.hpp, docs/signatures.md): the signatures, the
// public keys that sealed them, and the sessions that signed (§11.200(a): a later signature
// in the same session needs the password only). Signatures are append-only: triggers refuse
// UPDATE and DELETE (and TRUNCATE on PostgreSQL), whoever writes. (A key row removed only
// makes the signatures it sealed fail verification; a key row added seals nothing the
// service made: the keys table needs no such guard, and `db copy --replace` may replace it.)
// A signature keeps the signer's identifier and names without a foreign key, so deleting a
// user keeps them.
constexpr const char* kAppendOnlyTables[] = {"signatures"};

std::vector<std::string> v16_signatures_mysql(const DialectSql& d) {
  const std::string options(d.table_options);
  std::vector<std::string> statements = {
      "CREATE TABLE IF NOT EXISTS signatures ("
      " id " + std::string(d.big_id_column) + ","
      " signature_id VARCHAR(32) NOT NULL,"
      " signer_id VARCHAR(255) NOT NULL,"
      " username VARCHAR(255) NOT NULL,"
      " printed_name LONGTEXT NOT NULL,"
      " role LONGTEXT NOT NULL,"
      " meaning VARCHAR(64) NOT NULL,"
      " signed_at BIGINT NOT NULL,"
      " record_type VARCHAR(64) NOT NULL,"
      " record_id VARCHAR(255) NOT NULL,"
      " record_digest VARCHAR(64) NOT NULL,"
      " comment LONGTEXT NOT NULL,"
      " verifies VARCHAR(32),"
      " authentication VARCHAR(32) NOT NULL,"
      " key_id VARCHAR(32) NOT NULL,"
      " value VARCHAR(128) NOT NULL,"
      " UNIQUE INDEX signatures_signature_id (signature_id),"
      " UNIQUE INDEX signatures_verifies (verifies),"
      " INDEX signatures_record (record_type, record_id, id),"
      " INDEX signatures_signer (signer_id, id))" + options,
      "CREATE TABLE IF NOT EXISTS signature_keys ("
      " key_id VARCHAR(32) PRIMARY KEY,"
      " algorithm VARCHAR(16) NOT NULL,"
      " public_key VARCHAR(64) NOT NULL,"
      " first_used_at BIGINT NOT NULL)" + options,
      "CREATE TABLE IF NOT EXISTS signing_sessions ("
      " token_digest VARCHAR(64) PRIMARY KEY,"
      " first_signed_at BIGINT NOT NULL,"
      " FOREIGN KEY (token_digest) REFERENCES sessions (token_digest) ON DELETE CASCADE)" +
          options,
  };
  for (const char* table : kAppendOnlyTables) {
    for (const char* event : {"UPDATE", "DELETE"}) {
      const std::string name = std::string(table) + "_no_" + event;
      statements.push_back("DROP TRIGGER IF EXISTS " + name);
      statements.push_back("CREATE TRIGGER " + name + " BEFORE " + event + " ON " + table +
                           " FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '" + table +
                           " are append-only'");
    }
  }
  return statements;
}

std::vector<std::string> v16_signatures(const DialectSql& d) {
  if (d.dialect == Dialect::kMysql) return v16_signatures_mysql(d);
  std::vector<std::string> statements = {
      "CREATE TABLE IF NOT EXISTS signatures ("
      " id " + std::string(d.big_id_column) + ","
      " signature_id VARCHAR(32) NOT NULL UNIQUE,"
      " signer_id VARCHAR(255) NOT NULL,"
      " username VARCHAR(255) NOT NULL,"
      " printed_name TEXT NOT NULL,"
      " role TEXT NOT NULL,"
      " meaning VARCHAR(64) NOT NULL,"
      " signed_at BIGINT NOT NULL,"
      " record_type VARCHAR(64) NOT NULL,"
      " record_id VARCHAR(255) NOT NULL,"
      " record_digest VARCHAR(64) NOT NULL,"
      " comment TEXT NOT NULL,"
      " verifies VARCHAR(32) UNIQUE,"
      " authentication VARCHAR(32) NOT NULL,"
      " key_id VARCHAR(32) NOT NULL,"
      " value VARCHAR(128) NOT NULL)",
      "CREATE INDEX IF NOT EXISTS signatures_record ON signatures (record_type, record_id, id)",
      "CREATE INDEX IF NOT EXISTS signatures_signer ON signatures (signer_id, id)",
      "CREATE TABLE IF NOT EXISTS signature_keys ("
      " key_id VARCHAR(32) PRIMARY KEY,"
      " algorithm VARCHAR(16) NOT NULL,"
      " public_key VARCHAR(64) NOT NULL,"
      " first_used_at BIGINT NOT NULL)",
      "CREATE TABLE IF NOT EXISTS signing_sessions ("
      " token_digest VARCHAR(64) PRIMARY KEY REFERENCES sessions (token_digest)"
      " ON DELETE CASCADE,"
      " first_signed_at BIGINT NOT NULL)",
  };
  if (d.dialect == Dialect::kPostgresql) {
    statements.push_back(
        "CREATE OR REPLACE FUNCTION automation_append_only() RETURNS trigger"
        " LANGUAGE plpgsql AS $$ BEGIN"
        "  RAISE EXCEPTION '% are append-only', TG_TABLE_NAME;"
        " END $$");
    for (const char* table : kAppendOnlyTables) {
      const std::string t(table);
      statements.push_back("DROP TRIGGER IF EXISTS " + t + "_append_only ON " + t);
      statements.push_back("CREATE TRIGGER " + t + "_append_only BEFORE UPDATE OR DELETE ON " + t +
                           " FOR EACH ROW EXECUTE FUNCTION automation_append_only()");
      statements.push_back("DROP TRIGGER IF EXISTS " + t + "_no_truncate ON " + t);
      statements.push_back("CREATE TRIGGER " + t + "_no_truncate BEFORE TRUNCATE ON " + t +
                           " FOR EACH STATEMENT EXECUTE FUNCTION automation_append_only()");
    }
    return statements;
  }
  for (const char* table : kAppendOnlyTables) {
    for (const char* event : {"UPDATE", "DELETE"}) {
      statements.push_back(std::string("CREATE TRIGGER IF NOT EXISTS ") + table + "_no_" + event +
                           " BEFORE " + event + " ON " + table +
                           " BEGIN SELECT RAISE(ABORT, '" + table + " are append-only'); END");
    }
  }
  return statements;
}

// Directory login (docs/directory-login.md): the users the directory manages (the marker that
// keeps them from local password changes and sends their logins to the directory), their
// DN, and the hash an offline login may use until offline_until. A table of the service's own,
// as password_state: PyAutomation's users table stays as upstream creates it.
std::vector<std::string> v17_directory_accounts(const DialectSql& d) {
  if (d.dialect == Dialect::kMysql) {
    return {
        "CREATE TABLE IF NOT EXISTS directory_accounts ("
        " user_id INTEGER PRIMARY KEY,"
        " dn LONGTEXT NOT NULL,"
        " offline_hash LONGTEXT,"
        " offline_until BIGINT NOT NULL DEFAULT 0,"
        " FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE)" +
        std::string(d.table_options)};
  }
  return {
      "CREATE TABLE IF NOT EXISTS directory_accounts ("
      " user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,"
      " dn TEXT NOT NULL,"
      " offline_hash TEXT,"
      " offline_until BIGINT NOT NULL DEFAULT 0)"};
}

// The audit trail read by event (the Overview's newest verification, the console's event
// filter, the failed-login counts): without it, finding a rare event reads back through the
// whole trail (215 ms per Overview with 1,000,000 events and no verification, on SQLite).
// MySQL indexes the first 64 characters of the event name (LONGTEXT needs a prefix); every
// event name is shorter.
std::vector<std::string> v18_audit_event_index(const DialectSql& d) {
  if (d.dialect == Dialect::kMysql) {
    return {"CREATE INDEX audit_events_event_time ON audit_events (event(64), time, id)"};
  }
  return {"CREATE INDEX IF NOT EXISTS audit_events_event_time ON audit_events (event, time, id)"};
}

// The OpenID Connect provider (docs/oidc.md): its registered clients. name_key is the name in
// lower case, written by the store (names are ASCII: core/oidc_clients.hpp), so a unique index on
// it makes names unique case-insensitively on every engine alike. The redirect URIs are one per
// line (a URI holds no line break). Secrets are kept as SHA-256 digests only.
std::vector<std::string> v19_oidc_clients(const DialectSql& d) {
  const bool mysql = d.dialect == Dialect::kMysql;
  const std::string text = mysql ? "LONGTEXT" : "TEXT";
  return {
      "CREATE TABLE IF NOT EXISTS oidc_clients ("
      " client_id VARCHAR(64) PRIMARY KEY,"
      " name VARCHAR(64) NOT NULL,"
      " name_key VARCHAR(64) NOT NULL UNIQUE,"
      " redirect_uris " + text + " NOT NULL,"
      " post_logout_redirect_uris " + text + " NOT NULL,"
      " is_public INTEGER NOT NULL,"
      " client_credentials INTEGER NOT NULL,"
      " secret_digest VARCHAR(64) NOT NULL,"
      " created_at BIGINT NOT NULL,"
      " created_by VARCHAR(255) NOT NULL)" + std::string(d.table_options)};
}

// The columns and foreign keys codes and refresh tokens share: each lives and dies with its
// client, its user and the browser session it was issued under (ON DELETE CASCADE: logout,
// password changes that end sessions, session termination and user deletion end them in the
// deleting transaction, whoever deletes). MySQL ignores column-level REFERENCES and has no
// CREATE INDEX IF NOT EXISTS: both go in the table definition there.
struct OidcGrantTable {
  const char* table;
  const char* key;  // the digest primary key
  const char* columns;  // the columns of its own, between the key and the shared ones
  std::vector<const char*> indexed;  // single-column indexes besides the foreign keys'
};

std::vector<std::string> oidc_grant_table(const DialectSql& d, const OidcGrantTable& t) {
  const bool mysql = d.dialect == Dialect::kMysql;
  const std::string table = t.table;
  auto reference = [&](const char* target) {
    return mysql ? std::string() : std::string(" REFERENCES ") + target + " ON DELETE CASCADE";
  };
  std::string ddl = "CREATE TABLE IF NOT EXISTS " + table + " (" + t.key +
                    " VARCHAR(64) PRIMARY KEY," + t.columns +
                    " client_id VARCHAR(64) NOT NULL" + reference("oidc_clients (client_id)") +
                    ","
                    " session_digest VARCHAR(64) NOT NULL" +
                    reference("sessions (token_digest)") +
                    ","
                    " user_id INTEGER NOT NULL" + reference("users (id)");
  std::vector<std::string> indexed = {"client_id", "session_digest", "user_id"};
  for (const char* column : t.indexed) indexed.emplace_back(column);
  std::vector<std::string> statements;
  if (mysql) {
    for (const std::string& column : indexed) {
      ddl += ", INDEX " + table + "_" + column + " (" + column + ")";
    }
    ddl += ", FOREIGN KEY (client_id) REFERENCES oidc_clients (client_id) ON DELETE CASCADE"
           ", FOREIGN KEY (session_digest) REFERENCES sessions (token_digest) ON DELETE CASCADE"
           ", FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE";
  }
  ddl += ")" + std::string(d.table_options);
  statements.push_back(ddl);
  if (!mysql) {
    for (const std::string& column : indexed) {
      statements.push_back("CREATE INDEX IF NOT EXISTS " + table + "_" + column + " ON " + table +
                           " (" + column + ")");
    }
  }
  return statements;
}

// Authorization codes, by digest: single use (a DELETE whose row count decides), short-lived.
std::vector<std::string> v20_oidc_codes(const DialectSql& d) {
  const bool mysql = d.dialect == Dialect::kMysql;
  const std::string text = mysql ? " LONGTEXT" : " TEXT";
  const std::string columns = " redirect_uri" + text + " NOT NULL, scope" + text +
                              " NOT NULL, nonce" + text + " NOT NULL, code_challenge" + text +
                              " NOT NULL, auth_time BIGINT NOT NULL, amr VARCHAR(64) NOT NULL,"
                              " expires_at BIGINT NOT NULL,";
  return oidc_grant_table(d, {"oidc_codes", "code_digest", columns.c_str(), {"expires_at"}});
}

// Refresh tokens, by digest, in families (one per code exchange): a used one is kept, marked,
// until it expires, so that its reuse is recognised and ends the family (family_id's index).
std::vector<std::string> v21_oidc_refresh_tokens(const DialectSql& d) {
  const bool mysql = d.dialect == Dialect::kMysql;
  const std::string text = mysql ? " LONGTEXT" : " TEXT";
  const std::string columns = " family_id VARCHAR(64) NOT NULL, scope" + text +
                              " NOT NULL, auth_time BIGINT NOT NULL, amr VARCHAR(64) NOT NULL,"
                              " created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,"
                              " used INTEGER NOT NULL DEFAULT 0,";
  return oidc_grant_table(d, {"oidc_refresh_tokens", "token_digest", columns.c_str(),
                              {"family_id", "expires_at"}});
}

// Access tokens revoked before they expire (RFC 7009), by jti: the tokens are signed JWTs, so
// userinfo and introspection must remember which ones not to honour; each row goes once the
// token would have expired (delete_expired_oidc_grants).
std::vector<std::string> v22_oidc_revoked_access_tokens(const DialectSql& d) {
  if (d.dialect == Dialect::kMysql) {
    return {"CREATE TABLE IF NOT EXISTS oidc_revoked_access_tokens ("
            " jti VARCHAR(64) PRIMARY KEY, expires_at BIGINT NOT NULL,"
            " INDEX oidc_revoked_access_tokens_expires_at (expires_at))" +
            std::string(d.table_options)};
  }
  return {"CREATE TABLE IF NOT EXISTS oidc_revoked_access_tokens ("
          " jti VARCHAR(64) PRIMARY KEY, expires_at BIGINT NOT NULL)" +
              std::string(d.table_options),
          "CREATE INDEX IF NOT EXISTS oidc_revoked_access_tokens_expires_at"
          " ON oidc_revoked_access_tokens (expires_at)"};
}

// How each client's ID tokens are signed (RS256 unless registered with --id-token-alg ES256).
std::vector<std::string> v23_oidc_client_id_token_alg(const DialectSql&) {
  return {"ALTER TABLE oidc_clients ADD COLUMN id_token_alg VARCHAR(8) NOT NULL DEFAULT 'RS256'"};
}

// Append only: a released migration is never edited, a change is a new version.
const Migration kMigrations[] = {
    {1, "PyAutomation tables roles and users", &v1_pyautomation_tables},
    {2, "sessions, tpts, audit_events, login_failures, settings", &v2_service_tables},
    {3, "audit_events.reason", &v3_audit_reason},
    {4, "change feed: change_counter, change_log and their triggers", &v4_change_feed},
    {5, "sessions.session_id", &v5_session_ids},
    {6, "audit chain: audit_events.seq and .mac, audit_chain", &v6_audit_chain},
    {7, "user_list_version and its triggers", &v7_user_list_version},
    {8, "password records: sessions.password_change, password_state, password_history",
     &v8_password_records},
    {9, "sessions.last_used_at and .client_address", &v9_session_activity},
    {10, "recording a session's last use leaves the change feed alone", &v10_session_use_unlogged},
    {11, "sessions created are logged in the change feed", &v11_session_inserts_logged},
    {12, "usernames taken by user rows are logged in the change feed", &v12_usernames_logged},
    {13, "audit_chain.start_seq", &v13_audit_chain_start},
    {14, "audit_events.prev_mac", &v14_audit_previous_mac},
    {15, "multi-factor authentication: mfa_totp, mfa_recovery_codes, mfa_challenges,"
         " sessions.mfa_verified",
     &v15_mfa},
    {16, "electronic signatures: signatures, signature_keys, signing_sessions",
     &v16_signatures},
    {17, "directory_accounts", &v17_directory_accounts},
    {18, "audit_events_event_time: the audit trail read by event", &v18_audit_event_index},
    {19, "OpenID Connect clients: oidc_clients", &v19_oidc_clients},
    {20, "OpenID Connect authorization codes: oidc_codes", &v20_oidc_codes},
    {21, "OpenID Connect refresh tokens: oidc_refresh_tokens", &v21_oidc_refresh_tokens},
    {22, "OpenID Connect revoked access tokens: oidc_revoked_access_tokens",
     &v22_oidc_revoked_access_tokens},
    {23, "OpenID Connect clients' ID token algorithm: oidc_clients.id_token_alg",
     &v23_oidc_client_id_token_alg},
};

// Case-insensitive uniqueness. SQLite (>= 3.9) and PostgreSQL index the expression itself.
// MySQL 8 could too, but MariaDB cannot: there a generated column holds the bytes of
// lower(column) in UTF-8, so that equality means exactly "same lower-case text" whatever the
// collation of the column (a _ci collation would also merge accents and trailing spaces,
// a _bin one would not fold case), and a unique index is put on that column. The column is
// added even where duplicates keep the index out: the stores' lookups compare it
// (DialectSql::username_matches and the like).
struct CaseInsensitiveIndex {
  const char* ddl;
  // MySQL: the key column and the index, each looked up by name first (MySQL 8 has no
  // ADD COLUMN IF NOT EXISTS).
  const char* table;
  const char* source_column;
  const char* key_column;
  const char* index;
};
const CaseInsensitiveIndex kCaseInsensitiveIndexes[] = {
    {"CREATE UNIQUE INDEX IF NOT EXISTS users_username_ci ON users (lower(username))", "users",
     "username", "username_ci", "users_username_ci"},
    {"CREATE UNIQUE INDEX IF NOT EXISTS users_email_ci ON users (lower(email))", "users", "email",
     "email_ci", "users_email_ci"},
    {"CREATE UNIQUE INDEX IF NOT EXISTS roles_name_ci ON roles (lower(name))", "roles", "name",
     "name_ci", "roles_name_ci"},
};

int count_in_schema(soci::session& sql, const std::string& query, const std::string& table,
                    const std::string& name) {
  int present = 0;
  sql << query, soci::use(table), soci::use(name), soci::into(present);
  return present;
}

void create_case_insensitive_index(soci::session& sql, Dialect dialect,
                                   const CaseInsensitiveIndex& index) {
  if (dialect != Dialect::kMysql) {
    sql << index.ddl;
    return;
  }
  // Names from the constant table above, never input.
  const std::string table = index.table;
  const std::string key_column = index.key_column;
  if (count_in_schema(sql,
                      "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema ="
                      " DATABASE() AND table_name = :t AND column_name = :c",
                      table, key_column) == 0) {
    // Bytes, not a _bin collation: utf8mb4_bin still ignores trailing spaces (PAD SPACE),
    // and MariaDB's NO PAD collations have other names than MySQL 8's. 1020 bytes hold
    // 255 four-byte characters.
    sql << "ALTER TABLE " + table + " ADD COLUMN " + key_column +
               " VARBINARY(1020) AS (CONVERT(lower(" + index.source_column +
               ") USING utf8mb4)) VIRTUAL";
  }
  const std::string name = index.index;
  if (count_in_schema(sql,
                      "SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema ="
                      " DATABASE() AND table_name = :t AND index_name = :n",
                      table, name) == 0) {
    sql << "ALTER TABLE " + table + " ADD UNIQUE INDEX " + name + " (" + key_column + ")";
  }
}

constexpr const char* kCreateSchemaVersion =
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version INTEGER PRIMARY KEY,"
    " applied_at BIGINT NOT NULL)";

// Runs fn() under the lock that serializes migrations across processes, and releases it
// where it outlives the transaction (MySQL), on every way out.
template <typename Fn>
Status under_migration_lock(soci::session& sql, const DialectSql& d, Fn fn) {
  if (!d.migration_lock.empty()) sql << d.migration_lock;
  Status status;
  try {
    status = fn();
  } catch (...) {
    if (!d.migration_unlock.empty()) {
      try {
        sql << d.migration_unlock;
      } catch (...) {  // a lost connection has released it already
      }
    }
    throw;
  }
  if (!d.migration_unlock.empty()) sql << d.migration_unlock;
  return status;
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

std::size_t schema_migration_count() noexcept { return std::size(kMigrations); }

Result<int> current_schema_version(Database& db) {
  return db.transaction(TxMode::kRead, [&db](soci::session& sql) -> Result<int> {
    // Look the table up first so inspecting a foreign database never creates anything.
    int tables = 0;
    if (db.dialect() == Dialect::kSqlite) {
      sql << "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = "
             "'schema_version'",
          soci::into(tables);
    } else if (db.dialect() == Dialect::kMysql) {
      sql << "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = "
             "DATABASE() AND table_name = 'schema_version'",
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
    return under_migration_lock(sql, d, [&]() -> Status {
      sql << kCreateSchemaVersion;
      return {};
    });
  });
  if (!created) return fail(created.error());

  auto applied = applied_versions(db);
  if (!applied) return fail(applied.error());

  for (const Migration& m : kMigrations) {
    if (applied->contains(m.version)) continue;
    auto done = db.transaction(TxMode::kWrite, [&](soci::session& sql) -> Status {
      return under_migration_lock(sql, d, [&]() -> Status {
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
      return under_migration_lock(sql, d, [&]() -> Status {
        create_case_insensitive_index(sql, d.dialect, index);
        return {};
      });
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
