#include "automation/storage/database.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <stdexcept>
#include <string_view>
#include <thread>

#include "automation/storage/migrations.hpp"
#include "automation/storage/soci_support.hpp"

#ifdef AUTOMATION_HAVE_POSTGRESQL
#include <soci/postgresql/soci-postgresql.h>
#endif

namespace automation::storage {

namespace {

bool is_memory_database(std::string_view file) {
  return file == ":memory:" || file.starts_with("file::memory:");
}

// SOCI's sqlite3 backend takes the whole string as the file name when it holds no '=';
// otherwise it parses key=value pairs where a value may be double-quoted.
Result<std::string> sqlite_connect_string(const std::string& file) {
  if (file.empty()) {
    return fail(Error::invalid("file", "the SQLite database file name is empty"));
  }
  if (file.find('=') == std::string::npos) return file;
  if (file.find('"') != std::string::npos) {
    return fail(Error::invalid("file", "a SQLite file name cannot contain both '=' and '\"'"));
  }
  return "db=\"" + file + "\"";
}

// libpq quoting: single quotes around the value, backslash before ' and \.
std::string quote_libpq(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

constexpr int kBusyTimeoutMs = 5000;

// Per-connection settings. busy_timeout first, so later statements wait for locks.
// Switching a fresh file to WAL needs an exclusive lock, and with several processes
// opening one fresh file at once SQLite can answer SQLITE_BUSY to it without waiting
// (seen in Database.ProcessesOpeningOneFreshFileAllSucceed); so that step is retried
// here for up to the same 5 s.
void configure_sqlite(soci::session& sql) {
  sql << "PRAGMA busy_timeout = " << kBusyTimeoutMs;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
  for (int attempt = 1;; ++attempt) {
    try {
      std::string mode;
      sql << "PRAGMA journal_mode = WAL", soci::into(mode);  // answers the mode now in force
      break;
    } catch (const soci::sqlite3_soci_error& e) {
      const int primary = e.result() & 0xff;
      const bool busy = primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
      if (!busy || std::chrono::steady_clock::now() >= deadline) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min(attempt, 20) * 5));
    }
  }
  sql << "PRAGMA foreign_keys = ON";
  sql << "PRAGMA synchronous = NORMAL";
}

// static_cast after checking the backend's name: SOCI does not export the backend's
// typeinfo, so dynamic_cast cannot link.
sqlite_api::sqlite3* native_sqlite(soci::session& sql) {
  soci::details::session_backend* backend = sql.get_backend();
  if (backend == nullptr || backend->get_backend_name() != "sqlite3") return nullptr;
  return static_cast<soci::sqlite3_session_backend*>(backend)->conn_;
}

Error unavailable(std::string message) {
  Error error = Error::make(ErrorCode::kUnavailable, std::move(message));
  error.retry_after_seconds = 1;
  return error;
}

// SQLite: classify by the result code, refined by the extended code the connection still
// holds (it must be read before the rollback overwrites it). sqlite3_errmsg names tables
// and columns but never bound values, so it is safe in a message; SOCI's what() is not
// (it echoes the statement and its parameters).
Error classify_sqlite(const soci::sqlite3_soci_error& e, soci::session& sql) {
  const int primary = e.result() & 0xff;
  int extended = primary;
  std::string detail = sqlite_api::sqlite3_errstr(primary);  // when there is no connection
  if (sqlite_api::sqlite3* db = native_sqlite(sql)) {
    const int last = sqlite_api::sqlite3_extended_errcode(db);
    if ((last & 0xff) == primary) extended = last;
    detail = sqlite_api::sqlite3_errmsg(db);
  }
  switch (primary) {
    case SQLITE_CONSTRAINT:
      if (extended == SQLITE_CONSTRAINT_FOREIGNKEY) {
        return Error::make(ErrorCode::kNotFound, "a referenced record does not exist");
      }
      // Without an extended code a constraint failure is taken as a unique violation,
      // the only constraint our own statements can break with valid input.
      if (extended == SQLITE_CONSTRAINT_UNIQUE || extended == SQLITE_CONSTRAINT_PRIMARYKEY ||
          extended == SQLITE_CONSTRAINT) {
        return Error::make(ErrorCode::kAlreadyExists, "already exists");
      }
      return Error::make(ErrorCode::kInternal, "constraint failed: " + detail);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return unavailable("database is busy");
    case SQLITE_TOOBIG:
      return Error::make(ErrorCode::kInvalidArgument, "value too large for the database");
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
    case SQLITE_PERM:
    case SQLITE_PROTOCOL:
    case SQLITE_NOLFS:
    case SQLITE_AUTH:
      return unavailable("database unavailable: " + detail);
    default:
      return Error::make(ErrorCode::kInternal, "database error: " + detail);
  }
}

#ifdef AUTOMATION_HAVE_POSTGRESQL
// PostgreSQL: classify by SQLSTATE only; the server's message may quote row values.
Error classify_postgresql(const soci::postgresql_soci_error& e) {
  const std::string state = e.sqlstate();
  const std::string cls = state.substr(0, 2);
  if (state == "23505") return Error::make(ErrorCode::kAlreadyExists, "already exists");
  if (state == "23503") {
    return Error::make(ErrorCode::kNotFound, "a referenced record does not exist");
  }
  if (cls == "22") {
    return Error::make(ErrorCode::kInvalidArgument,
                       "value not accepted by the database (sqlstate " + state + ")");
  }
  if (cls == "08" || cls == "53" || cls == "57" || cls == "58" || state == "40001" ||
      state == "40P01" || state == "55P03") {
    return unavailable("Database unavailable (sqlstate " + state + ")");
  }
  return Error::make(ErrorCode::kInternal, "database error (sqlstate " + state + ")");
}
#endif

Error classify(const soci::soci_error& e, soci::session& sql) {
  if (const auto* lite = dynamic_cast<const soci::sqlite3_soci_error*>(&e)) {
    return classify_sqlite(*lite, sql);
  }
#ifdef AUTOMATION_HAVE_POSTGRESQL
  if (const auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&e)) {
    return classify_postgresql(*pg);
  }
#endif
  switch (e.get_error_category()) {
    case soci::soci_error::connection_error:
    case soci::soci_error::system_error:
      return unavailable("database unavailable");
    default:
      // e.g. a NULL fetched without an indicator: a bug in a store, not bad input.
      return Error::make(ErrorCode::kInternal, "database error");
  }
}

// libpq's messages span lines; a start-up error must read as one line.
std::string one_line(const std::string& text) {
  std::string out;
  bool pending_space = false;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

#ifdef AUTOMATION_HAVE_POSTGRESQL
// Names the options to check when PostgreSQL cannot be connected to, from libpq's own
// verdict rather than its message text: PQping answers "no response" when nothing usable
// listens at host:port, and "ok" when a server answered, so the connection failed on the
// user, password or database name.
void blame_connection_options(const std::string& connect, Error& error) {
  const std::string why = "the connection to PostgreSQL failed";
  switch (PQping(connect.c_str())) {
    case PQPING_OK:
      error.fields["user"] = why;
      error.fields["password"] = why;
      error.fields["name"] = why;
      break;
    case PQPING_REJECT:       // answering but not accepting connections (starting up)
    case PQPING_NO_RESPONSE:  // nothing there
      error.fields["host"] = why;
      error.fields["port"] = why;
      break;
    case PQPING_NO_ATTEMPT:  // libpq could not even try: a malformed option
      break;
  }
}
#endif

void rollback_quietly(soci::session& sql) noexcept {
  try {
    sql.rollback();
  } catch (...) {  // the connection may be gone; the server discards the transaction then
  }
}

// Returns a leased pool slot on every path out of run().
class Lease {
 public:
  explicit Lease(soci::connection_pool& pool) : pool_(pool), position_(pool.lease()) {}
  ~Lease() { pool_.give_back(position_); }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  soci::session& session() { return pool_.at(position_); }

 private:
  soci::connection_pool& pool_;
  std::size_t position_;
};

}  // namespace

std::string postgresql_connect_string(const DatabaseOptions& options) {
  std::string out;
  auto add = [&out](std::string_view key, std::string_view value) {
    if (value.empty()) return;
    if (!out.empty()) out += ' ';
    out += key;
    out += '=';
    out += quote_libpq(value);
  };
  add("dbname", options.name);
  add("host", options.host);
  add("port", options.port > 0 ? std::to_string(options.port) : std::string());
  add("user", options.user);
  add("password", options.password);
  add("sslmode", options.sslmode);
  // Keeps "relation ... already exists, skipping" NOTICEs of every start off stderr;
  // in the connect string so that a reconnect keeps it too.
  add("options", "-c client_min_messages=warning");
  return out;
}

Database::Database(Dialect dialect, std::size_t pool_size)
    : dialect_(dialect),
      pool_size_(pool_size),
      pool_(std::make_unique<soci::connection_pool>(pool_size)),
      prepared_(pool_size) {}

Database::~Database() {
  // Kept statements refer to their connections: they go first.
  prepared_.clear();
}

Database::PreparedQueries& Database::prepared_for(soci::session& sql) {
  for (std::size_t i = 0; i < pool_size_; ++i) {
    if (&pool_->at(i) == &sql) return prepared_[i];
  }
  throw std::logic_error("Database::prepared: a session this database did not hand out");
}

Result<std::unique_ptr<Database>> Database::open(const DatabaseOptions& options) {
  auto dialect = parse_dialect(options.type);
  if (!dialect) return fail(dialect.error());

  std::size_t size = std::max<std::size_t>(options.pool_size, 1);
  std::string connect;
  std::string where;  // names the database in messages, never the password
  if (*dialect == Dialect::kSqlite) {
    auto s = sqlite_connect_string(options.file);
    if (!s) return fail(s.error());
    connect = *s;
    where = "SQLite database '" + options.file + "'";
    // Each connection to ":memory:" would be a different, empty database.
    if (is_memory_database(options.file)) size = 1;
  } else {
#ifdef AUTOMATION_HAVE_POSTGRESQL
    connect = postgresql_connect_string(options);
    where = "PostgreSQL database '" + options.name + "' on " +
            (options.host.empty() ? std::string("the default host") : options.host);
#else
    return fail(ErrorCode::kInvalidArgument,
                "this build has no PostgreSQL support (database type postgresql)");
#endif
  }

  std::unique_ptr<Database> db(new Database(*dialect, size));
  for (std::size_t i = 0; i < size; ++i) {
    soci::session& sql = db->pool_->at(i);
    try {
      if (*dialect == Dialect::kSqlite) {
        sql.open(soci::sqlite3, connect);
        configure_sqlite(sql);
      } else {
#ifdef AUTOMATION_HAVE_POSTGRESQL
        sql.open(soci::postgresql, connect);
#endif
      }
    } catch (const soci::soci_error& e) {
      // At start there are no bound values in play, and the driver's own words (file not
      // found, not a database, connection refused, authentication failed) are what the
      // operator needs. libpq never echoes the password.
      std::string why = e.what();
      if (const auto* lite = dynamic_cast<const soci::sqlite3_soci_error*>(&e)) {
        why = classify_sqlite(*lite, sql).message;
      }
      Error error =
          Error::make(ErrorCode::kUnavailable, "cannot open " + where + ": " + one_line(why));
#ifdef AUTOMATION_HAVE_POSTGRESQL
      if (*dialect == Dialect::kPostgresql) blame_connection_options(connect, error);
#endif
      return fail(std::move(error));
    }
  }

  if (auto migrated = migrate(*db); !migrated) {
    return fail(ErrorCode::kUnavailable,
                "cannot migrate " + where + ": " + migrated.error().message);
  }
  return db;
}

Status Database::run(std::optional<TxMode> mode, void* context, Body body) {
  Status status = run_uncounted(mode, context, body);
  if (!status && (status.error().code == ErrorCode::kUnavailable ||
                  status.error().code == ErrorCode::kInternal)) {
    failures_.fetch_add(1, std::memory_order_relaxed);
  }
  return status;
}

Status Database::run_uncounted(std::optional<TxMode> mode, void* context, Body body) {
  try {
    Lease lease(*pool_);
    soci::session& sql = lease.session();
    // A slot whose connection the server dropped (restart, outage) fails once, reconnects,
    // and runs the unit of work again if nothing could have been committed yet.
    for (int attempt = 0;; ++attempt) {
      bool in_transaction = false;
      bool commit_sent = false;
      try {
        if (mode) {
          const DialectSql& d = sql_for(dialect_);
          sql << (*mode == TxMode::kWrite ? d.begin_write : d.begin_read);
          in_transaction = true;
        }
        const bool commit = body(context, sql);
        if (in_transaction) {
          // A COMMIT that fails may leave the transaction open (SQLite on SQLITE_BUSY), so
          // the handler below still rolls back; a redundant ROLLBACK is harmless.
          commit_sent = commit;
          if (commit) {
            sql.commit();
          } else {
            sql.rollback();
          }
          in_transaction = false;
        }
        return {};
      } catch (const soci::soci_error& e) {
        Error error = classify(e, sql);  // before the rollback resets the connection's error
        if (in_transaction) rollback_quietly(sql);
        prepared_for(sql).clear();  // a kept statement may be mid-way; before any reconnect
        if (dialect_ == Dialect::kPostgresql &&
            (error.code == ErrorCode::kUnavailable || error.code == ErrorCode::kInternal) &&
            !sql.is_connected()) {
          // A lost connection surfaces as assorted driver errors (often with no SQLSTATE):
          // the connection itself says what happened.
          error = unavailable("Database unavailable");
          bool reconnected = false;
          try {
            sql.reconnect();
            reconnected = sql.is_connected();
          } catch (...) {
          }
          // A COMMIT lost with its connection may have been applied: never run it twice.
          if (reconnected && attempt == 0 && !commit_sent) continue;
        }
        return fail(std::move(error));
      } catch (const std::exception&) {
        if (in_transaction) rollback_quietly(sql);
        prepared_for(sql).clear();
        return fail(ErrorCode::kInternal, "unexpected failure in a database operation");
      }
    }
  } catch (const soci::soci_error&) {  // leasing failed
    return fail(unavailable("no database connection available"));
  }
}

}  // namespace automation::storage
