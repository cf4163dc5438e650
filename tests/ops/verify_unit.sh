#!/usr/bin/env bash
# Checks resources/navigator.service with `systemd-analyze verify`, pointing ExecStart at the built binary.
# systemd-analyze only warns (exit 0) about unknown keys or bad values, so any output at all is a failure.
# Usage: tests/ops/verify_unit.sh <navigator binary>
set -euo pipefail
binary=$1
unit_src="$(dirname "$0")/../../resources/navigator.service"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
sed "s#/usr/bin/navigator#$binary#" "$unit_src" > "$dir/navigator.service"
grep -q '^Type=notify' "$dir/navigator.service"
output=$(systemd-analyze verify "$dir/navigator.service" 2>&1) || { echo "$output"; exit 1; }
if [ -n "$output" ]; then
  echo "systemd-analyze verify complained:"
  echo "$output"
  exit 1
fi
echo "navigator.service: systemd-analyze verify is clean"
