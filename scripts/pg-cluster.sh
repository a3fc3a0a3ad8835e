# Throw-away PostgreSQL cluster for tests and benchmarks. Source this file, then:
#   pg_cluster_start   # initdb into a temp dir, start on a free 127.0.0.1 port, create a role
#   pg_cluster_stop    # stop it and remove the directory (idempotent; call it from a trap)
# On success pg_cluster_start exports the settings the test suites read:
#   AUTOMATION_TEST_PG_HOST, _PORT, _USER, _PASSWORD (a role with CREATEDB: every test
#   creates and drops its own database, so runs stay hermetic).
# On failure it returns 1 with the reason in PG_CLUSTER_ERROR (one line; logs of a cluster
# that would not start go to stderr).
# Override the binaries' directory with PG_BIN (default: Debian's postgresql-15).

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_CLUSTER_DIR=""
PG_CLUSTER_ERROR=""

# Runs a command as the cluster's owner: the `postgres` system user when we are root
# (PostgreSQL refuses to run as root), else ourselves.
_pg_as_owner() {
  # From / : the caller's working directory may be closed to that user.
  if [[ "$(id -u)" -eq 0 ]]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

_pg_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pg_cluster_start() {
  if [[ ! -x "$PG_BIN/initdb" || ! -x "$PG_BIN/pg_ctl" ]]; then
    PG_CLUSTER_ERROR="no PostgreSQL server in $PG_BIN (install postgresql-15)"
    return 1
  fi
  if [[ "$(id -u)" -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
    PG_CLUSTER_ERROR="running as root but there is no 'postgres' user to own the cluster"
    return 1
  fi
  PG_CLUSTER_DIR="$(mktemp -d "${TMPDIR:-/tmp}/automation-pg-XXXXXX")"
  mkdir -p "$PG_CLUSTER_DIR/data" "$PG_CLUSTER_DIR/socket"
  # A random password per run: the suite tests password authentication for real.
  local password
  password="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
  printf '%s\n' "$password" >"$PG_CLUSTER_DIR/pwfile"
  chmod 700 "$PG_CLUSTER_DIR"
  if [[ "$(id -u)" -eq 0 ]]; then chown -R postgres: "$PG_CLUSTER_DIR"; fi

  _pg_as_owner "$PG_BIN/initdb" -D "$PG_CLUSTER_DIR/data" -U automation_admin \
    --auth=scram-sha-256 --pwfile="$PG_CLUSTER_DIR/pwfile" --encoding=UTF8 --locale=C.UTF-8 \
    --no-sync >"$PG_CLUSTER_DIR/initdb.log" 2>&1 || {
    cat "$PG_CLUSTER_DIR/initdb.log" >&2
    PG_CLUSTER_ERROR="initdb failed (its log is above)"
    return 1
  }

  local port attempt
  for attempt in 1 2 3; do
    port="$(_pg_free_port)"
    # Durability is worthless for a cluster deleted at the end: fsync off makes the many
    # CREATE DATABASE of the suites cheap. Loopback and a private socket directory only.
    # No autovacuum: a worker of the superuser in a test's database makes the test role's
    # DROP DATABASE ... WITH (FORCE) fail (seen once in an asan run).
    if _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_CLUSTER_DIR/data" -l "$PG_CLUSTER_DIR/server.log" \
      -w -t 60 start -o "-c listen_addresses=127.0.0.1 -p $port \
        -c unix_socket_directories=$PG_CLUSTER_DIR/socket -c max_connections=300 \
        -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c autovacuum=off" >/dev/null; then
      break
    fi
    port=""
  done
  if [[ -z "$port" ]]; then
    cat "$PG_CLUSTER_DIR/server.log" >&2
    PG_CLUSTER_ERROR="the cluster did not start (its log is above)"
    return 1
  fi

  PGPASSWORD="$password" "$PG_BIN/psql" -q -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" \
    -U automation_admin -d postgres \
    -c "CREATE ROLE automation_test LOGIN CREATEDB PASSWORD '$password'" >/dev/null || {
    PG_CLUSTER_ERROR="creating the test role failed"
    return 1
  }

  export AUTOMATION_TEST_PG_HOST=127.0.0.1
  export AUTOMATION_TEST_PG_PORT="$port"
  export AUTOMATION_TEST_PG_USER=automation_test
  export AUTOMATION_TEST_PG_PASSWORD="$password"
  echo "PostgreSQL test cluster: $("$PG_BIN/postgres" --version), 127.0.0.1:$port, data in $PG_CLUSTER_DIR"
}

pg_cluster_stop() {
  if [[ -z "$PG_CLUSTER_DIR" ]]; then return 0; fi
  if [[ -f "$PG_CLUSTER_DIR/data/postmaster.pid" ]]; then
    _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_CLUSTER_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PG_CLUSTER_DIR"
  PG_CLUSTER_DIR=""
PG_CLUSTER_ERROR=""
}
