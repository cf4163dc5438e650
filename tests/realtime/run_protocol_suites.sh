#!/usr/bin/env bash
# Runs the official Socket.IO protocol suites against Navigator's conformance server (a bare socket.io server
# set up the way the suites expect; see tests/realtime/ConformanceServer.h).
#
# Usage: tests/realtime/run_protocol_suites.sh SUITES_DIR [BUILD_DIR]
#   SUITES_DIR holds checkouts of https://github.com/socketio/engine.io-protocol and
#   https://github.com/socketio/socket.io-protocol (the suites are not published on npm), e.g.
#     git clone https://github.com/socketio/engine.io-protocol SUITES_DIR/engine.io-protocol
#     git clone https://github.com/socketio/socket.io-protocol SUITES_DIR/socket.io-protocol
#   BUILD_DIR defaults to ./build. The suites' own npm dependencies (mocha, chai, ws, node-fetch) are
#   installed in each checkout with `npm ci` from its lock file.
#
# The suites hard-code http://localhost:3000, so port 3000 must be free. Exit status: 0 when every test of
# both suites passed. Prints one "suite: N passing, M failing" line per suite at the end.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
suites=${1:?"usage: $0 SUITES_DIR [BUILD_DIR]"}
suites=$(cd "$suites" && pwd)
build=$(cd "${2:-$root/build}" && pwd)

# The conformance server: a test-only program (tests/realtime), not part of navigator.
if [ -x "$build/bin/socketio-conformance" ]; then
  server=("$build/bin/socketio-conformance" 3000)
else
  echo "no conformance server in $build/bin (build the socketio-conformance target)" >&2
  exit 2
fi

if (exec 3<>/dev/tcp/127.0.0.1/3000) 2>/dev/null; then
  echo "port 3000 is in use; the suites need it" >&2
  exit 2
fi

summary=()
status=0
for suite in engine.io-protocol socket.io-protocol; do
  dir="$suites/$suite/test-suite"
  [ -f "$dir/test-suite.js" ] || { echo "missing $dir/test-suite.js (see usage in $0)" >&2; exit 2; }
  echo "== $suite"
  if [ ! -d "$dir/node_modules/mocha" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
  "${server[@]}" >"$suites/$suite.server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do
    if (exec 3<>/dev/tcp/127.0.0.1/3000) 2>/dev/null; then break; fi
    sleep 0.1
  done
  log="$suites/$suite.mocha.log"
  set +e
  (cd "$dir" && npx mocha --reporter spec test-suite.js) 2>&1 | tee "$log"
  result=${PIPESTATUS[0]}
  set -e
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  passing=$(sed -n 's/^ *\([0-9]*\) passing.*/\1/p' "$log" | tail -1)
  failing=$(sed -n 's/^ *\([0-9]*\) failing.*/\1/p' "$log" | tail -1)
  summary+=("$suite: ${passing:-0} passing, ${failing:-0} failing")
  if [ "$result" -ne 0 ]; then status=1; fi
done

printf '%s\n' "${summary[@]}"
exit $status
