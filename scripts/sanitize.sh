#!/usr/bin/env bash
# The second CI build: Navigator compiled with clang and -fsanitize=address,undefined into build-asan/, the
# suites listed below run against it (SQLite), then every libFuzzer target of tests/fuzz runs for
# FUZZ_SECONDS (default 30) from its seed corpus. Prints the executions per target. Any sanitizer report,
# failed suite or fuzzer crash fails the script.
#
# Which suites: the ones that exercise the parsers and the request paths an outsider reaches, without
# timing-sensitive waits (sanitizers slow code 2-5x): units, HTTP and hostile-HTTP, JWT and auth, admin API,
# the realtime codec and engine, and the generation API against forge-sim. The full suite under ASan would
# not fit the CI time budget on 2 cores (README, "Sanitizers and fuzzing").
#
# Environment: FUZZ_SECONDS, SANITIZE_BUILD_DIR (default build-asan), CMAKE_CXX_COMPILER_LAUNCHER (default:
# ccache when installed).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
dir=${SANITIZE_BUILD_DIR:-build-asan}
seconds=${FUZZ_SECONDS:-30}
command -v clang++ >/dev/null || { echo "sanitize: clang++ is required (scripts/deps.sh installs it)"; exit 1; }

suites=(tst_config tst_routepattern tst_hostileinput tst_realtime_codec tst_realtime_engine tst_http
        tst_hostilehttp tst_jwt tst_rolepolicy tst_authguard tst_adminapi tst_pipeline_api tst_websocket_frames
        tst_websocket_server tst_realtime_http tst_http_server)
fuzzers=(realtime_codec http_framing jwt route dotenv infotext generation_request websocket_frames
         request_reader)

if [ ! -f "$dir/CMakeCache.txt" ]; then
  launcher=()
  compiler_launcher=${CMAKE_CXX_COMPILER_LAUNCHER-$(command -v ccache || true)}
  if [ -n "$compiler_launcher" ]; then
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER="$compiler_launcher")
  fi
  CC=clang CXX=clang++ cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DNAVIGATOR_SANITIZE=ON -DNAVIGATOR_BUILD_FUZZERS=ON -DNAVIGATOR_BUILD_ADMIN_GUI=OFF "${launcher[@]}"
fi
targets=(navigator forge-sim rt-testserver "${suites[@]}")
for f in "${fuzzers[@]}"; do targets+=("fuzz_$f"); done
echo "== sanitizer build ($dir)"
ninja -C "$dir" -j "$(nproc 2>/dev/null || echo 2)" "${targets[@]}"

# Leak reports are off: Qt keeps global caches alive until exit, which LeakSanitizer reports as leaks.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:halt_on_error=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
echo "== suites under ASan+UBSan"
regex="^($(IFS='|'; echo "${suites[*]}"))\$"
NAVIGATOR_TEST_DB=sqlite ctest --test-dir "$dir" -R "$regex" --output-on-failure --timeout 600 || status=1

echo "== libFuzzer, ${seconds}s per target"
work=$(mktemp -d /tmp/navigator-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
summary=()
for f in "${fuzzers[@]}"; do
  mkdir -p "$work/$f"
  log="$work/$f.log"
  if ! "$dir/bin/fuzz_$f" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -print_final_stats=1 -artifact_prefix="$root/$dir/fuzz-$f-" "$work/$f" "tests/fuzz/corpus_$f" \
      >"$log" 2>&1; then
    status=1
    tail -n 60 "$log"
    summary+=("fuzz_$f: FAILED (crash input saved as $dir/fuzz-$f-*)")
    continue
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  summary+=("fuzz_$f: ${runs:-?} executions in ${seconds}s, no failure")
done
printf '%s\n' "${summary[@]}"
exit $status
