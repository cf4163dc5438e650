#!/usr/bin/env bash
# Builds the realtime codec fuzz target with clang's libFuzzer (+ASan/UBSan) straight from the codec sources
# (they need only Qt Core) and runs it briefly on a copy of the seed corpus.
# Usage: run_libfuzzer.sh <work dir> [seconds]   (CTest passes its build dir and 8 s)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
work=$1
seconds=${2:-8}
command -v clang++ >/dev/null || { echo "clang++ is required (apt-get install clang)"; exit 1; }
mkdir -p "$work/corpus"
cp "$here"/corpus/* "$work/corpus/"
bin="$work/fuzz_realtime_codec"
if [ ! -x "$bin" ] || [ -n "$(find "$here" "$src/shared/realtime" -newer "$bin" -name '*.cpp' -o -newer "$bin" -name '*.h' | head -1)" ]; then
  # shellcheck disable=SC2046
  clang++ -std=c++17 -O1 -g -fPIC -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$src" $(pkg-config --cflags Qt6Core) \
    "$here/fuzz_realtime_codec.cpp" "$src/shared/realtime/EnginePacket.cpp" \
    "$src/shared/realtime/SocketIoPacket.cpp" "$src/shared/realtime/SocketIoDecoder.cpp" \
    "$src/shared/realtime/SocketIoBinary.cpp" \
    $(pkg-config --libs Qt6Core) -o "$bin"
fi
exec "$bin" -max_total_time="$seconds" -max_len=4096 -timeout=5 -print_final_stats=1 "$work/corpus"
