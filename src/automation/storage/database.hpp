#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "automation/core/error.hpp"
#include "automation/storage/dialect.hpp"
#include "automation/storage/sqlite_file_lock.hpp"

namespace soci {
class session;
class connection_pool;
}  // namespace soci

namespace automation::storage {

// Where the database is (the storage part of the configuration, SPEC §5).
struct DatabaseOptions {
  std::string type = "sqlite";  // sqlite | postgresql | mysql
  std::string file = "app.db";  // SQLite file; ":memory:" forces a pool of one
  // PostgreSQL and MySQL; empty ones are left to the client library's defaults. A host
  // starting with '/' is the directory (libpq) or file (MySQL) of the server's Unix socket.
  std::string host, user, password, name;
  int port = 0;               // 0: the driver's default (5432, 3306)
  std::size_t pool_size = 4;  // connections kept open (0 is treated as 1)
  std::string sslmode;        // PostgreSQL: libpq's sslmode ("" = libpq's default, prefer)
};

// How a unit of work touches the database.
enum class TxMode {
  kRead,   // reads only; a consistent snapshot that never blocks writers
  kWrite,  // writes; takes the write lock up front on SQLite
  // Writes that must stand whatever becomes of an atomic change around them (a failed
  // password attempt stays counted when the change it was part of fails): they run on their
  // own, unless the change has begun writing, which they then join (a second SQLite writer
  // on the same thread would wait for itself).
  kWriteAside,
};

// Whether this thread is inside Database::atomically() (of any database). The lookup cache
// neither reads nor fills itself then: it could keep a value the change later undoes.
bool in_atomic_change() noexcept;

// A statement prepared once on one pooled connection and kept there for reuse, together with
// the variables it is bound to (see Database::prepared). Preparing costs more than running a
// short query (on SQLite, parsing and planning were half of a cold key check).
class PreparedQuery {
 public:
  virtual ~PreparedQuery() = default;
};

struct OpenChange;  // this thread's Database::atomically() in progress (database.cpp)

// An open database: a fixed pool of connections (one soci::session per slot), configured
// and migrated. Thread-safe: each unit of work leases its own connection.
class Database {
 public:
  // Opens the database, applies per-connection settings (SQLite: WAL, busy_timeout 5 s,
  // foreign keys, synchronous=NORMAL) and runs the pending migrations. A SQLite file is
  // opened under its shared SqliteFileLock, held until the Database is destroyed (waiting
  // first while a restore replaces the file).
  // kInvalidArgument for an unknown type or unusable option, kUnavailable when the
  // database cannot be opened or migrated (the message says why; no secrets in it). When
  // PostgreSQL cannot be connected to, `fields` names the options to check: host and port
  // when no server answered there, user, password and name when one did.
  static Result<std::unique_ptr<Database>> open(const DatabaseOptions& options);

  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Dialect dialect() const noexcept { return dialect_; }
  std::size_t pool_size() const noexcept { return pool_size_; }
  // Units of work that failed in the database itself (kUnavailable or kInternal: lost
  // connection, busy, I/O, driver failure) since the database was opened; for metrics.
  std::uint64_t failure_count() const noexcept {
    return failures_.load(std::memory_order_relaxed);
  }

  // Runs fn(soci::session&) inside one transaction on a leased connection. fn returns a
  // Result<T> or Status: a value commits, an error rolls back and is returned as is.
  // A soci exception (from fn or from commit) rolls back and becomes a typed error:
  // unique violation -> kAlreadyExists (no field set: the caller knows which one),
  // foreign-key violation -> kNotFound, busy/connection/I-O -> kUnavailable,
  // rejected value (PostgreSQL data exception, SQLite TOOBIG) -> kInvalidArgument,
  // anything else -> kInternal. Messages never contain SQL or bound values.
  template <typename Fn>
  auto transaction(TxMode mode, Fn&& fn) -> std::invoke_result_t<Fn&, soci::session&> {
    return run_typed(std::optional<TxMode>(mode), fn);
  }

  // Like transaction() but in autocommit mode: for a single statement, which is its own
  // transaction, saving the BEGIN/COMMIT round trips on hot read paths.
  template <typename Fn>
  auto with_session(Fn&& fn) -> std::invoke_result_t<Fn&, soci::session&> {
    return run_typed(std::nullopt, fn);
  }

  // Runs work() as one change: every transaction() and with_session() that work() runs on
  // this thread, from its first kWrite on, joins one write transaction (each as a savepoint,
  // so a failed store call undoes only itself, as it would alone), which commits when work()
  // succeeds and rolls back when it fails. Reads and kWriteAside writes before that first
  // write run on their own as usual, so slow work done before writing (a KDF) holds no
  // write lock. Nested calls join the outer change. A failed COMMIT is returned as a typed
  // error (nothing was changed then).
  Status atomically(const std::function<Status()>& work);

  // The Query (a PreparedQuery constructible from the session) kept for connection `sql`, which
  // must be the session a unit of work of this database was handed; prepared on first use.
  // Only the unit of work holding the connection touches it. Every query kept for a
  // connection is dropped when a unit of work on it fails (its state is unknown then) and
  // before the connection is reopened.
  template <typename Query>
  Query& prepared(soci::session& sql) {
    static const char tag = 0;  // one address per Query type
    std::unique_ptr<PreparedQuery>& slot = prepared_for(sql)[&tag];
    if (!slot) slot = std::make_unique<Query>(sql);
    return static_cast<Query&>(*slot);
  }

 private:
  using PreparedQueries = std::unordered_map<const void*, std::unique_ptr<PreparedQuery>>;
  using Body = bool (*)(void* context, soci::session& sql);

  Database(Dialect dialect, std::size_t pool_size);

  PreparedQueries& prepared_for(soci::session& sql);

  // Type-erased core of transaction()/with_session(): body returns true to commit.
  Status run(std::optional<TxMode> mode, void* context, Body body);
  // run() without counting failures.
  Status run_uncounted(std::optional<TxMode> mode, void* context, Body body);
  // run() inside this thread's open change, as a savepoint of its transaction.
  Status run_in_change(OpenChange& change, void* context, Body body);
  // Commits or rolls back a change that has begun writing.
  Status finish_change(OpenChange& change, bool commit);
  void count_failure(const Status& status) noexcept;

  template <typename Fn>
  auto run_typed(std::optional<TxMode> mode, Fn& fn)
      -> std::invoke_result_t<Fn&, soci::session&> {
    using R = std::invoke_result_t<Fn&, soci::session&>;
    std::optional<R> out;
    auto body = [&](soci::session& sql) {
      out.emplace(fn(sql));
      return out->has_value();
    };
    using BodyType = decltype(body);
    Status status = run(mode, &body, [](void* context, soci::session& sql) {
      return (*static_cast<BodyType*>(context))(sql);
    });
    if (!status) return R(std::unexpect, std::move(status).error());
    return std::move(*out);
  }

  Dialect dialect_;
  std::size_t pool_size_;
  // A SQLite file's lock (see SqliteFileLock); declared before the pool, so it is released
  // only after every connection has closed.
  std::optional<SqliteFileLock> file_lock_;
  std::unique_ptr<soci::connection_pool> pool_;
  std::atomic<std::uint64_t> failures_{0};
  std::vector<PreparedQueries> prepared_;  // by pool position
};

// The libpq connect string for options (dbname, host, port, user, password; empty ones
// omitted; plus client_min_messages=warning), each value quoted so spaces and quotes in
// a password cannot inject keys.
std::string postgresql_connect_string(const DatabaseOptions& options);

// SOCI's MySQL connect string for options (db, host and port or unix_socket, user,
// password; empty ones omitted; plus charset utf8mb4 and a connect timeout), quoted alike.
std::string mysql_connect_string(const DatabaseOptions& options);

}  // namespace automation::storage
