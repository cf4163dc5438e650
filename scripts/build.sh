#!/usr/bin/env bash
# Configures and builds everything into build/ (binaries in build/bin). Usage: scripts/build.sh [cmake args...]
# Compiles through ccache when it is installed (scripts/deps.sh installs it with the test tools), so that a
# rebuild in a fresh clone on the same machine (CI) reuses earlier work; CMAKE_CXX_COMPILER_LAUNCHER overrides.
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache: paths relative to the checkout, so clones at other paths share the cache.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(pwd)} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
jobs=$(nproc 2>/dev/null || echo 2)
if [ ! -f build/CMakeCache.txt ]; then
  launcher=${CMAKE_CXX_COMPILER_LAUNCHER-$(command -v ccache || true)}
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    ${launcher:+-DCMAKE_CXX_COMPILER_LAUNCHER="$launcher"} "$@"
fi
ninja -C build -j "$jobs"
