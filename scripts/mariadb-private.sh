#!/usr/bin/env bash
# Starts or stops a private MariaDB server for tests: its own datadir, socket, pid file and TCP port under DIR,
# bound to 127.0.0.1, with a user `navigator` (password `navigator`) allowed to create and drop databases.
#   scripts/mariadb-private.sh start DIR PORT   -> prints NAVIGATOR_TEST_MYSQL_* assignments for eval
#   scripts/mariadb-private.sh stop DIR
# MARIADB_EXTRA_ARGS adds server options (e.g. --default-time-zone=+05:00 for the outage test).
set -euo pipefail
cmd=${1:?usage: $0 start DIR PORT | stop DIR}
dir=${2:?directory required}

find_bin() { command -v "$1" 2>/dev/null || ls /usr/sbin/"$1" /usr/bin/"$1" 2>/dev/null | head -1; }

case "$cmd" in
start)
  port=${3:?port required}
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  server=$(find_bin mariadbd || find_bin mysqld)
  install_db=$(find_bin mariadb-install-db || find_bin mysql_install_db)
  client=$(find_bin mariadb || find_bin mysql)
  user_opt=()
  if [ "$(id -u)" -eq 0 ]; then user_opt=(--user=root); fi
  if [ ! -d "$dir/data/mysql" ]; then
    "$install_db" --no-defaults --datadir="$dir/data" --auth-root-authentication-method=socket \
      --skip-test-db "${user_opt[@]}" >"$dir/install.log" 2>&1 ||
      { cat "$dir/install.log" >&2; exit 1; }
  fi
  "$server" --no-defaults --datadir="$dir/data" --socket="$dir/mysqld.sock" --port="$port" \
    --bind-address=127.0.0.1 --pid-file="$dir/mysqld.pid" --log-error="$dir/error.log" \
    --skip-log-bin --innodb-buffer-pool-size=64M --innodb-flush-log-at-trx-commit=2 \
    --max-connections=500 ${MARIADB_EXTRA_ARGS:-} "${user_opt[@]}" >/dev/null 2>&1 &
  for _ in $(seq 1 120); do
    if "$client" --no-defaults --socket="$dir/mysqld.sock" -uroot -e "SELECT 1" >/dev/null 2>&1; then break; fi
    sleep 0.5
  done
  "$client" --no-defaults --socket="$dir/mysqld.sock" -uroot -e "
    CREATE USER IF NOT EXISTS 'navigator'@'localhost' IDENTIFIED BY 'navigator';
    CREATE USER IF NOT EXISTS 'navigator'@'127.0.0.1' IDENTIFIED BY 'navigator';
    GRANT ALL PRIVILEGES ON *.* TO 'navigator'@'localhost';
    GRANT ALL PRIVILEGES ON *.* TO 'navigator'@'127.0.0.1';
    FLUSH PRIVILEGES;" || { echo "mariadb-private: server did not start, see $dir/error.log" >&2; tail -20 "$dir/error.log" >&2; exit 1; }
  echo "NAVIGATOR_TEST_MYSQL_HOST=127.0.0.1"
  echo "NAVIGATOR_TEST_MYSQL_PORT=$port"
  echo "NAVIGATOR_TEST_MYSQL_USER=navigator"
  echo "NAVIGATOR_TEST_MYSQL_PASSWORD=navigator"
  echo "NAVIGATOR_TEST_MYSQL_SOCKET=$dir/mysqld.sock"
  ;;
stop)
  if [ -f "$dir/mysqld.pid" ]; then
    pid=$(cat "$dir/mysqld.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  ;;
*) echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
