#!/usr/bin/env bash
# Installs the Debian 12 packages that building, running and testing Navigator need. Idempotent: it only calls
# apt-get when something is missing. Usage: scripts/deps.sh  (test tools are included
# by default; NAVIGATOR_DEPS_MINIMAL=1 installs only what the server needs).
set -euo pipefail

server_packages=(
  build-essential cmake ninja-build git pkg-config ca-certificates openssl curl
  qt6-base-dev qt6-base-dev-tools qt6-httpserver-dev qt6-websockets-dev qt6-charts-dev libqt6opengl6-dev
  libqt6sql6-sqlite libqt6sql6-mysql libsqlite3-dev libgl-dev zlib1g-dev
)
test_packages=(
  mariadb-server mariadb-client nodejs wrk xvfb xauth clang libclang-rt-14-dev clang-format
  fonts-dejavu-core nginx sqlite3 prometheus systemd dpkg-dev ccache
)

packages=("${server_packages[@]}")
if [ "${NAVIGATOR_DEPS_MINIMAL:-0}" != 1 ]; then
  packages+=("${test_packages[@]}")
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js may come from another source (e.g. nodesource) that also provides npm.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for p in "${missing[@]}"; do [ "$p" = nodejs ] || filtered+=("$p"); done
  missing=("${filtered[@]}")
elif ! command -v npm >/dev/null && [ "${NAVIGATOR_DEPS_MINIMAL:-0}" != 1 ]; then
  missing+=(npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
