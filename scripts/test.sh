#!/usr/bin/env bash
# Runs the whole test suite: installs what is missing, builds, installs the npm test clients, then runs CTest
# once against SQLite and once against a private MariaDB started for the run (its own datadir, socket and port
# under a temporary directory; stopped at the end).
#
# Then scripts/sanitize.sh builds a second copy with ASan+UBSan, runs the parser and request-path suites against
# it and runs every fuzz target for FUZZ_SECONDS (30 s) (README, "Sanitizers and fuzzing").
#
# Environment: NAVIGATOR_TEST_BACKENDS="sqlite mysql" (default both), CTEST_ARGS (extra ctest arguments),
# NAVIGATOR_SANITIZE=0 to leave out the sanitizer build and fuzzing (about 12 minutes on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

scripts/deps.sh
scripts/build.sh

if [ -f tests/compat/package.json ]; then
  echo "== npm test clients (tests/compat)"
  (cd tests/compat && npm ci --no-audit --no-fund --loglevel=error)
fi

backends=${NAVIGATOR_TEST_BACKENDS:-"sqlite mysql"}
status=0
mariadb_dir=""
cleanup() {
  if [ -n "$mariadb_dir" ]; then
    scripts/mariadb-private.sh stop "$mariadb_dir" >/dev/null 2>&1 || true
    rm -rf "$mariadb_dir"
  fi
}
trap cleanup EXIT

for backend in $backends; do
  echo "== test suite on $backend"
  label_args=()
  if [ "$backend" = mysql ]; then
    mariadb_dir=$(mktemp -d /tmp/navigator-mariadb.XXXXXX)
    port=$(( 33000 + RANDOM % 2000 ))
    eval "$(scripts/mariadb-private.sh start "$mariadb_dir" "$port")"
    export NAVIGATOR_TEST_MYSQL_HOST NAVIGATOR_TEST_MYSQL_PORT NAVIGATOR_TEST_MYSQL_USER \
      NAVIGATOR_TEST_MYSQL_PASSWORD NAVIGATOR_TEST_MYSQL_SOCKET
    # Suites that never touch a database ran already on the first pass.
    if [[ "$backends" == *sqlite* ]]; then label_args=(-L db); fi
  fi
  log="$root/build/ctest-$backend.log"
  # shellcheck disable=SC2086
  if ! NAVIGATOR_TEST_DB=$backend ctest --test-dir "$root/build" --output-on-failure \
      --timeout 600 "${label_args[@]}" ${CTEST_ARGS:-} 2>&1 | tee "$log"; then
    status=1
  fi
  # "N% tests passed, F tests failed out of T"
  read -r failed total < <(sed -n 's/.* \([0-9]*\) tests failed out of \([0-9]*\).*/\1 \2/p' "$log" | tail -1)
  [ -n "${total:-}" ] || { failed=1; total=1; status=1; }
  passed_all=$(( ${passed_all:-0} + total - failed ))
  failed_all=$(( ${failed_all:-0} + failed ))
done
echo "navigator test suite: ${passed_all} passed, ${failed_all} failed"
if [ "${NAVIGATOR_SANITIZE:-1}" = 1 ]; then
  scripts/sanitize.sh || status=1
fi
exit $status
