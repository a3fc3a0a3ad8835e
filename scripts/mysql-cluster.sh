# Throw-away MariaDB server for tests and benchmarks (the MySQL backend). Source this file:
#   mysql_cluster_start   # mariadb-install-db into a temp dir, mariadbd on a private socket
#                         # and a free 127.0.0.1 port, a user that may create databases
#   mysql_cluster_stop    # stop it and remove the directory (idempotent; call it from a trap)
# On success mysql_cluster_start exports the settings the test suites read:
#   AUTOMATION_TEST_MYSQL_HOST, _PORT, _USER, _PASSWORD (every test creates and drops its own
#   database, so runs stay hermetic).
# On failure it returns 1 with the reason in MYSQL_CLUSTER_ERROR (one line; the log of a
# server that would not start goes to stderr).
# Works as root (the server then runs as the `mysql` system user) and as a normal user.

MYSQL_CLUSTER_DIR=""
MYSQL_CLUSTER_ERROR=""
MYSQL_CLUSTER_PID=""

# The server's administrator: mariadb-install-db lets root, and the user who ran it, in
# through the socket by their system identity (unix_socket), never by a password.
_mysql_admin_user() {
  if [[ "$(id -u)" -eq 0 ]]; then echo root; else id -un; fi
}

_mysql_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits up to 60 s for the server to answer on its socket; 1 if it died or never answered.
_mysql_wait_ready() {
  local i
  for ((i = 0; i < 600; i++)); do
    if ! kill -0 "$MYSQL_CLUSTER_PID" 2>/dev/null; then return 1; fi
    if mariadb-admin --no-defaults --protocol=socket --socket="$MYSQL_CLUSTER_DIR/mysqld.sock" \
      -u "$(_mysql_admin_user)" ping >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.1  # polls the server's own readiness answer
  done
  return 1
}

mysql_cluster_start() {
  if ! command -v mariadbd >/dev/null 2>&1 && [[ ! -x /usr/sbin/mariadbd ]]; then
    MYSQL_CLUSTER_ERROR="no MariaDB server (install mariadb-server)"
    return 1
  fi
  local mariadbd
  mariadbd="$(command -v mariadbd || echo /usr/sbin/mariadbd)"
  if [[ "$(id -u)" -eq 0 ]] && ! id mysql >/dev/null 2>&1; then
    MYSQL_CLUSTER_ERROR="running as root but there is no 'mysql' user to own the server"
    return 1
  fi
  # In memory where there is a tmpfs: InnoDB's DDL syncs files, and every test migrates a
  # fresh database (about 1.5 s per database on disk, 30 ms in memory).
  local parent="${TMPDIR:-/tmp}"
  if [[ -z "${MYSQL_CLUSTER_ON_DISK:-}" && -d /dev/shm && -w /dev/shm ]]; then parent=/dev/shm; fi
  MYSQL_CLUSTER_DIR="$(mktemp -d "$parent/automation-mysql-XXXXXX")"
  mkdir -p "$MYSQL_CLUSTER_DIR/data"
  chmod 700 "$MYSQL_CLUSTER_DIR"
  local user_flag=()
  if [[ "$(id -u)" -eq 0 ]]; then
    chown -R mysql: "$MYSQL_CLUSTER_DIR"
    user_flag=(--user=mysql)
  fi
    # As root, --user=mysql makes both programs drop to the `mysql` system user themselves.
  mariadb-install-db --no-defaults "${user_flag[@]}" \
    --datadir="$MYSQL_CLUSTER_DIR/data" --auth-root-authentication-method=socket \
    --skip-test-db >"$MYSQL_CLUSTER_DIR/install.log" 2>&1 || {
    cat "$MYSQL_CLUSTER_DIR/install.log" >&2
    MYSQL_CLUSTER_ERROR="mariadb-install-db failed (its log is above)"
    return 1
  }

  local password port attempt
  password="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
  for attempt in 1 2 3; do
    port="$(_mysql_free_port)"
    # Durability is worthless for a server deleted at the end: no fsync, one tablespace file
    # (no file to create per table), small buffers.
    # Loopback and a private socket only; no binary log (triggers need no extra privilege).
    "$mariadbd" --no-defaults "${user_flag[@]}" \
      --datadir="$MYSQL_CLUSTER_DIR/data" --socket="$MYSQL_CLUSTER_DIR/mysqld.sock" \
      --pid-file="$MYSQL_CLUSTER_DIR/mysqld.pid" --bind-address=127.0.0.1 --port="$port" \
      --skip-log-bin --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 \
      --innodb-flush-method=nosync --innodb-file-per-table=0 --innodb-buffer-pool-size=64M \
      --max-connections=400 \
      --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
      --log-error="$MYSQL_CLUSTER_DIR/server.log" >/dev/null 2>&1 &
    MYSQL_CLUSTER_PID=$!
    if _mysql_wait_ready; then break; fi
    kill "$MYSQL_CLUSTER_PID" 2>/dev/null || true
    wait "$MYSQL_CLUSTER_PID" 2>/dev/null || true
    MYSQL_CLUSTER_PID=""
    port=""
  done
  if [[ -z "$port" ]]; then
    cat "$MYSQL_CLUSTER_DIR/server.log" >&2
    MYSQL_CLUSTER_ERROR="the server did not start (its log is above)"
    return 1
  fi

  # Every privilege, with GRANT OPTION: the suites create and drop databases, and the outage
  # test creates and locks a user of its own. Only reachable from this machine's loopback.
  mariadb --no-defaults --protocol=socket --socket="$MYSQL_CLUSTER_DIR/mysqld.sock" \
    -u "$(_mysql_admin_user)" -e \
    "CREATE USER 'automation_test'@'127.0.0.1' IDENTIFIED BY '$password';
     GRANT ALL PRIVILEGES ON *.* TO 'automation_test'@'127.0.0.1' WITH GRANT OPTION;" || {
    MYSQL_CLUSTER_ERROR="creating the test user failed"
    return 1
  }

  export AUTOMATION_TEST_MYSQL_HOST=127.0.0.1
  export AUTOMATION_TEST_MYSQL_PORT="$port"
  export AUTOMATION_TEST_MYSQL_USER=automation_test
  export AUTOMATION_TEST_MYSQL_PASSWORD="$password"
  echo "MariaDB test server: $("$mariadbd" --version | head -1), 127.0.0.1:$port, data in $MYSQL_CLUSTER_DIR"
}

mysql_cluster_stop() {
  if [[ -z "$MYSQL_CLUSTER_DIR" ]]; then return 0; fi
  if [[ -n "$MYSQL_CLUSTER_PID" ]] && kill -0 "$MYSQL_CLUSTER_PID" 2>/dev/null; then
    kill -KILL "$MYSQL_CLUSTER_PID" 2>/dev/null || true  # throw-away data: no clean shutdown
    wait "$MYSQL_CLUSTER_PID" 2>/dev/null || true
  fi
  rm -rf "$MYSQL_CLUSTER_DIR"
  MYSQL_CLUSTER_DIR=""
  MYSQL_CLUSTER_PID=""
  MYSQL_CLUSTER_ERROR=""
}
