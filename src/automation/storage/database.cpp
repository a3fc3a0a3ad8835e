#include "automation/storage/database.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <string_view>
#include <thread>

#include "automation/storage/migrations.hpp"
#include "automation/storage/soci_support.hpp"

#ifdef AUTOMATION_HAVE_POSTGRESQL
#include <soci/postgresql/soci-postgresql.h>
#endif
#ifdef AUTOMATION_HAVE_MYSQL
#include <mysqld_error.h>
#include <soci/mysql/soci-mysql.h>
#endif

namespace automation::storage {

namespace {

bool is_memory_database(std::string_view file) {
  return file == ":memory:" || file.starts_with("file::memory:");
}

// A new SQLite file is made private (0600) before SQLite opens it: it holds password hashes,
// session digests and, unless they are set elsewhere, the TPT secret and the audit key; and
// SQLite gives the -wal and -shm files it creates beside a database the database file's own
// mode. An existing file keeps its mode (the server warns at start when others may read it).
// Failing to create it here is left for SQLite to report, in its words.
void create_private_sqlite_file(const std::string& file) {
  if (file.starts_with("file:")) return;  // a URI: SQLite's to interpret
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) ::close(fd);
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

// libpq's and SOCI's MySQL connect strings quote alike: single quotes around the value,
// backslash before ' and \.
std::string quote_connect_value(std::string_view value) {
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

// SQLite's default (serialized) mode locks a connection's mutex in every API call, a dozen per
// row read, and its memory statistics lock a global mutex in every allocation: together about
// 9% of the server's CPU time on bench/run.sh's cold key checks (perf). A pooled connection is
// only ever used by the one thread that leased it (and SqliteChangeWatch guards its own NOMUTEX
// connections), so multi-thread mode is safe here; nothing reads the statistics. Both must be
// chosen before SQLite initializes; if something used SQLite first, sqlite3_config refuses and
// the defaults stay, which is slower but equally correct.
void prefer_fast_sqlite_configuration() {
  static std::once_flag once;
  std::call_once(once, [] {
    (void)sqlite_api::sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    (void)sqlite_api::sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  });
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

#ifdef AUTOMATION_HAVE_MYSQL
// Per-connection settings, again after every reconnect (MySQL has no way to put them in the
// connect string): strict mode, so a value that does not fit is an error and never silently
// cut; ANSI_QUOTES, so "key" quotes an identifier as in SQLite and PostgreSQL; and READ
// COMMITTED, PostgreSQL's level, so a statement that waited for a lock sees what the holder
// committed (REPEATABLE READ would keep the snapshot of the transaction's first read).
void configure_mysql(soci::session& sql) {
  sql << "SET SESSION sql_mode = 'STRICT_ALL_TABLES,ANSI_QUOTES,NO_ENGINE_SUBSTITUTION,"
         "ERROR_FOR_DIVISION_BY_ZERO,NO_ZERO_DATE,NO_ZERO_IN_DATE,ONLY_FULL_GROUP_BY'";
  sql << "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED";
}

// MySQL/MariaDB: classify by the error number only; messages may quote row values.
Error classify_mysql(const soci::mysql_soci_error& e) {
  const unsigned number = e.err_num_;
  const std::string code = " (error " + std::to_string(number) + ")";
  switch (number) {
    case ER_DUP_ENTRY:
    case ER_DUP_ENTRY_WITH_KEY_NAME:
    case ER_DUP_KEY:
      return Error::make(ErrorCode::kAlreadyExists, "already exists");
    case ER_NO_REFERENCED_ROW:
    case ER_NO_REFERENCED_ROW_2:
    case ER_ROW_IS_REFERENCED:
    case ER_ROW_IS_REFERENCED_2:
      return Error::make(ErrorCode::kNotFound, "a referenced record does not exist");
    case ER_DATA_TOO_LONG:
    case ER_TRUNCATED_WRONG_VALUE:
    case ER_TRUNCATED_WRONG_VALUE_FOR_FIELD:
    case ER_WARN_DATA_OUT_OF_RANGE:
    case ER_INVALID_CHARACTER_STRING:
    case ER_BAD_NULL_ERROR:
      return Error::make(ErrorCode::kInvalidArgument, "value not accepted by the database" + code);
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case CR_UNKNOWN_HOST:
    case CR_COMMANDS_OUT_OF_SYNC:
    case ER_CON_COUNT_ERROR:
    case ER_TOO_MANY_USER_CONNECTIONS:
    case ER_SERVER_SHUTDOWN:
    case ER_CONNECTION_KILLED:  // MariaDB: this connection was killed
    case ER_QUERY_INTERRUPTED:
    case ER_LOCK_WAIT_TIMEOUT:
    case ER_LOCK_DEADLOCK:
    case ER_ACCESS_DENIED_ERROR:
    case ER_DBACCESS_DENIED_ERROR:
    case ER_ACCOUNT_HAS_BEEN_LOCKED:
    case ER_BAD_DB_ERROR:
    case ER_OPTION_PREVENTS_STATEMENT:  // read_only server (a replica, or a failover under way)
    case 3118:                          // MySQL 8: account locked (MariaDB's is above)
    case 4031:                          // MySQL 8: disconnected by the server for inactivity
      return unavailable("Database unavailable" + code);
    default:
      return Error::make(ErrorCode::kInternal, "database error" + code);
  }
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
#ifdef AUTOMATION_HAVE_MYSQL
  if (const auto* my = dynamic_cast<const soci::mysql_soci_error*>(&e)) {
    return classify_mysql(*my);
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

#ifdef AUTOMATION_HAVE_MYSQL
// Names the options to check when MySQL cannot be connected to, from the client library's
// error number: nothing answering at host:port, or a server that refused the account or
// the database.
void blame_mysql_connection_options(const soci::mysql_soci_error& e, Error& error) {
  const std::string why = "the connection to MySQL failed";
  switch (e.err_num_) {
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case CR_UNKNOWN_HOST:
    case CR_SERVER_LOST:
      error.fields["host"] = why;
      error.fields["port"] = why;
      break;
    case ER_ACCESS_DENIED_ERROR:
      error.fields["user"] = why;
      error.fields["password"] = why;
      break;
    case ER_BAD_DB_ERROR:
    case ER_DBACCESS_DENIED_ERROR:
      error.fields["name"] = why;
      break;
    default:
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

}  // namespace

// Returns a leased pool slot on every path out of run(). Not in the anonymous namespace:
// OpenChange, which database.hpp declares, holds one.
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

// This thread's Database::atomically() in progress: the connection it leased when it began
// writing (its transaction open until finish_change), and how deep its savepoints go.
struct OpenChange {
  Database* database = nullptr;
  OpenChange* outer = nullptr;  // an atomic change of another database on this thread
  std::optional<Lease> lease;
  bool in_transaction = false;
  int savepoints = 0;
  // A statement failed and the savepoint could not be rolled back (a lost connection): the
  // transaction is unusable and the change can only roll back.
  bool broken = false;
};

namespace {

thread_local OpenChange* open_change = nullptr;

// "key=value key=value", each value quoted, empty ones left out: the form both libpq and
// SOCI's mysql backend read.
class ConnectString {
 public:
  void add(std::string_view key, std::string_view value) {
    if (value.empty()) return;
    if (!text_.empty()) text_ += ' ';
    text_ += key;
    text_ += '=';
    text_ += quote_connect_value(value);
  }
  std::string take() { return std::move(text_); }

 private:
  std::string text_;
};

}  // namespace

std::string postgresql_connect_string(const DatabaseOptions& options) {
  ConnectString out;
  auto add = [&out](std::string_view key, std::string_view value) { out.add(key, value); };
  add("dbname", options.name);
  add("host", options.host);
  add("port", options.port > 0 ? std::to_string(options.port) : std::string());
  add("user", options.user);
  add("password", options.password);
  add("sslmode", options.sslmode);
  // Keeps "relation ... already exists, skipping" NOTICEs of every start off stderr;
  // in the connect string so that a reconnect keeps it too.
  add("options", "-c client_min_messages=warning");
  return out.take();
}

std::string mysql_connect_string(const DatabaseOptions& options) {
  ConnectString out;
  auto add = [&out](std::string_view key, std::string_view value) { out.add(key, value); };
  add("db", options.name);
  // A host that is a path names the server's Unix socket (as libpq reads it).
  if (options.host.starts_with('/')) {
    add("unix_socket", options.host);
  } else {
    add("host", options.host);
    add("port", options.port > 0 ? std::to_string(options.port) : std::string());
  }
  add("user", options.user);
  add("password", options.password);
  add("charset", "utf8mb4");
  // A host that does not answer fails the start (or the request) in seconds, not minutes.
  add("connect_timeout", "10");
  return out.take();
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
    if (is_memory_database(options.file)) {
      size = 1;
    } else {
      create_private_sqlite_file(options.file);
    }
  } else if (*dialect == Dialect::kPostgresql) {
#ifdef AUTOMATION_HAVE_POSTGRESQL
    connect = postgresql_connect_string(options);
    where = "PostgreSQL database '" + options.name + "' on " +
            (options.host.empty() ? std::string("the default host") : options.host);
#else
    return fail(ErrorCode::kInvalidArgument,
                "this build has no PostgreSQL support (database type postgresql)");
#endif
  } else {
#ifdef AUTOMATION_HAVE_MYSQL
    if (!options.sslmode.empty()) {
      return fail(Error::invalid("sslmode", "applies to PostgreSQL only"));
    }
    if (options.name.empty()) {
      return fail(Error::invalid("name", "a MySQL database name is required"));
    }
    connect = mysql_connect_string(options);
    where = "MySQL database '" + options.name + "' on " +
            (options.host.empty() ? std::string("localhost") : options.host);
#else
    return fail(ErrorCode::kInvalidArgument,
                "this build has no MySQL support (database type mysql)");
#endif
  }

  std::unique_ptr<Database> db(new Database(*dialect, size));
  // Before the first connection, so a restore never swaps the file between our open and lock.
  if (*dialect == Dialect::kSqlite && names_sqlite_file(options.file)) {
    auto lock = SqliteFileLock::shared(options.file);
    if (!lock) {
      return fail(ErrorCode::kUnavailable, "cannot open " + where + ": " + lock.error().message);
    }
    db->file_lock_.emplace(std::move(*lock));
  }
  for (std::size_t i = 0; i < size; ++i) {
    soci::session& sql = db->pool_->at(i);
    try {
      if (*dialect == Dialect::kSqlite) {
        prefer_fast_sqlite_configuration();
        sql.open(soci::sqlite3, connect);
        configure_sqlite(sql);
      } else if (*dialect == Dialect::kPostgresql) {
#ifdef AUTOMATION_HAVE_POSTGRESQL
        sql.open(soci::postgresql, connect);
#endif
      } else {
#ifdef AUTOMATION_HAVE_MYSQL
        sql.open(soci::mysql, connect);
        configure_mysql(sql);
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
#ifdef AUTOMATION_HAVE_MYSQL
      if (const auto* my = dynamic_cast<const soci::mysql_soci_error*>(&e)) {
        blame_mysql_connection_options(*my, error);
      }
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

bool in_atomic_change() noexcept { return open_change != nullptr; }

void Database::count_failure(const Status& status) noexcept {
  if (!status && (status.error().code == ErrorCode::kUnavailable ||
                  status.error().code == ErrorCode::kInternal)) {
    failures_.fetch_add(1, std::memory_order_relaxed);
  }
}

Status Database::run(std::optional<TxMode> mode, void* context, Body body) {
  Status status = run_uncounted(mode, context, body);
  count_failure(status);
  return status;
}

Status Database::atomically(const std::function<Status()>& work) {
  for (OpenChange* change = open_change; change != nullptr; change = change->outer) {
    if (change->database == this) return work();  // already inside one: the outer commits
  }
  OpenChange change;
  change.database = this;
  change.outer = open_change;
  open_change = &change;
  Status outcome;
  try {
    outcome = work();
  } catch (...) {
    open_change = change.outer;
    (void)finish_change(change, /*commit=*/false);
    throw;
  }
  open_change = change.outer;
  Status finished = finish_change(change, outcome.has_value() && !change.broken);
  if (finished && outcome && change.broken) {
    // A failed step that work() chose to ignore took the whole transaction with it.
    finished =
        fail(unavailable("a step of this change failed in the database; nothing was changed"));
  }
  count_failure(finished);
  if (!outcome) return outcome;
  return finished;
}

Status Database::finish_change(OpenChange& change, bool commit) {
  if (!change.lease) return {};  // it never wrote
  soci::session& sql = change.lease->session();
  if (!change.in_transaction) return {};
  if (!commit) {
    rollback_quietly(sql);
    return {};
  }
  try {
    sql.commit();
    return {};
  } catch (const soci::soci_error& e) {
    Error error = classify(e, sql);
    rollback_quietly(sql);  // a COMMIT refused by SQLITE_BUSY leaves the transaction open
    prepared_for(sql).clear();
    return fail(std::move(error));
  }
}

Status Database::run_in_change(OpenChange& change, void* context, Body body) {
  if (change.broken) {
    return fail(unavailable("an earlier step of this change failed in the database"));
  }
  try {
    if (!change.lease) change.lease.emplace(*pool_);
  } catch (const soci::soci_error&) {
    return fail(unavailable("no database connection available"));
  }
  soci::session& sql = change.lease->session();
  const std::string savepoint = "automation_step_" + std::to_string(change.savepoints + 1);
  bool in_savepoint = false;
  try {
    if (!change.in_transaction) {
      sql << sql_for(dialect_).begin_write;
      change.in_transaction = true;
    }
    sql << "SAVEPOINT " + savepoint;
    in_savepoint = true;
    ++change.savepoints;
    const bool keep = body(context, sql);
    if (!keep) sql << "ROLLBACK TO SAVEPOINT " + savepoint;
    sql << "RELEASE SAVEPOINT " + savepoint;
    --change.savepoints;
    return {};
  } catch (const std::exception& e) {
    const auto* driver_error = dynamic_cast<const soci::soci_error*>(&e);
    Error error = driver_error != nullptr
                      ? classify(*driver_error, sql)
                      : Error::make(ErrorCode::kInternal,
                                    "unexpected failure in a database operation");
    prepared_for(sql).clear();  // a kept statement may be mid-way
    if (in_savepoint) {
      --change.savepoints;
      try {
        sql << "ROLLBACK TO SAVEPOINT " + savepoint;
        sql << "RELEASE SAVEPOINT " + savepoint;
      } catch (...) {
        change.broken = true;
      }
    } else {
      change.broken = true;  // BEGIN or SAVEPOINT itself failed
    }
    if (dialect_ != Dialect::kSqlite && !sql.is_connected()) {
      change.broken = true;
      error = unavailable("Database unavailable");
    }
    return fail(std::move(error));
  }
}

Status Database::run_uncounted(std::optional<TxMode> mode, void* context, Body body) {
  for (OpenChange* change = open_change; change != nullptr; change = change->outer) {
    if (change->database != this) continue;
    // Reads and aside writes before the change's first write run on their own.
    if (change->in_transaction || change->broken || mode == TxMode::kWrite) {
      return run_in_change(*change, context, body);
    }
    break;
  }
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
          sql << (*mode == TxMode::kRead ? d.begin_read : d.begin_write);
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
        if (dialect_ != Dialect::kSqlite &&
            (error.code == ErrorCode::kUnavailable || error.code == ErrorCode::kInternal) &&
            !sql.is_connected()) {
          // A lost connection surfaces as assorted driver errors (often with no SQLSTATE):
          // the connection itself says what happened.
          error = unavailable("Database unavailable");
          bool reconnected = false;
          try {
            sql.reconnect();
#ifdef AUTOMATION_HAVE_MYSQL
            if (dialect_ == Dialect::kMysql) configure_mysql(sql);
#endif
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
