#!/usr/bin/env bash
# Checks Navigator's Forge patches (every *.patch here, each on its own; they touch different hunks and
# apply in either order).
#
#   forge_patches/check.sh FORGE_DIR   apply each patch to a scratch copy of the files it touches in a Forge
#                                      checkout, report whether it applies cleanly (or is already applied),
#                                      and byte-compile the patched Python with python3 -m py_compile.
#   forge_patches/check.sh --format    check only the patch files' structure (headers, hunk line counts);
#                                      needs no Forge checkout, which is what CI runs.
#
# FORGE_DIR itself is never modified. Exit status: 0 when everything checked is fine, 1 otherwise, 2 on
# wrong usage.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
expected_commit="dfdcbab6"

usage() {
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

# Prints the files the patch changes (the "+++ b/<path>" headers), one per line.
patched_files() {
  awk '/^\+\+\+ b\// { sub(/^\+\+\+ b\//, ""); sub(/\t.*$/, ""); print }' "$patch_file"
}

# Validates the unified diff without applying it: every file has ---/+++ headers with a/ and b/ prefixes and a
# relative path, every hunk's line counts match its @@ header, and there is at least one hunk.
check_format() {
  if grep -q $'\r' "$patch_file"; then
    echo "format: $patch_file has CR line endings" >&2
    return 1
  fi
  awk '
    function fail(msg) { printf "format: line %d: %s\n", NR, msg > "/dev/stderr"; bad = 1; exit 1 }
    function hunk_done() {
      if (in_hunk && (old_left != 0 || new_left != 0))
        fail(sprintf("hunk before this line has %d old / %d new lines missing", old_left, new_left))
      in_hunk = 0
    }
    /^diff --git / { hunk_done(); next }
    /^index [0-9a-f]+\.\.[0-9a-f]+/ && !in_hunk { next }
    /^--- / && (!in_hunk || (old_left == 0 && new_left == 0)) {
      hunk_done()
      if ($0 !~ /^--- a\/[^ \/]/) fail("old file header must be \"--- a/<path>\"")
      expect_new = 1; next
    }
    /^\+\+\+ / && expect_new {
      if ($0 !~ /^\+\+\+ b\/[^ \/]/ || $0 ~ /\.\.\//) fail("new file header must be \"+++ b/<relative path>\"")
      expect_new = 0; files++; next
    }
    /^@@ / {
      hunk_done()
      if (match($0, /^@@ -[0-9]+(,[0-9]+)? \+[0-9]+(,[0-9]+)? @@/) == 0) fail("malformed hunk header")
      header = substr($0, 4, RLENGTH - 6)
      split(header, sides, " ")
      n = split(substr(sides[1], 2), o, ","); old_left = (n == 2) ? o[2] + 0 : 1
      n = split(substr(sides[2], 2), w, ","); new_left = (n == 2) ? w[2] + 0 : 1
      in_hunk = 1; hunks++; next
    }
    in_hunk && /^ / { old_left--; new_left--; next }
    in_hunk && /^-/ { old_left--; next }
    in_hunk && /^\+/ { new_left--; next }
    in_hunk && /^\\ No newline at end of file/ { next }
    in_hunk && /^$/ { old_left--; new_left--; next }
    { fail("unexpected line: " substr($0, 1, 60)) }
    END {
      if (bad) exit 1
      hunk_done()
      if (bad) exit 1
      if (files == 0 || hunks == 0) { print "format: no file or hunk found" > "/dev/stderr"; exit 1 }
      printf "format: ok (%d file(s), %d hunk(s))\n", files, hunks
    }
  ' "$patch_file"
}

check_against() {
  local forge_dir="$1"
  if [ ! -d "$forge_dir/modules/api" ]; then
    echo "check: $forge_dir does not look like a Forge checkout (no modules/api)" >&2
    return 1
  fi
  if ! command -v patch >/dev/null; then
    echo "check: the 'patch' program is missing (apt-get install patch)" >&2
    return 1
  fi
  if ! command -v python3 >/dev/null; then
    echo "check: python3 is missing; it is needed to byte-compile the patched files" >&2
    return 1
  fi
  if git -C "$forge_dir" rev-parse --git-dir >/dev/null 2>&1; then
    local head
    head="$(git -C "$forge_dir" rev-parse HEAD)"
    case "$head" in
      "$expected_commit"*) echo "check: Forge checkout at $head (the commit the patch was written for)" ;;
      *) echo "check: Forge checkout at $head; the patch was written for $expected_commit, trying anyway" ;;
    esac
  fi

  local scratch
  scratch="$(mktemp -d)"
  trap 'rm -rf "$scratch"' RETURN
  local files=()
  mapfile -t files < <(patched_files)
  local f
  for f in "${files[@]}"; do
    if [ ! -f "$forge_dir/$f" ]; then
      echo "check: FAIL: $f is not in $forge_dir" >&2
      return 1
    fi
    mkdir -p "$scratch/$(dirname "$f")"
    cp "$forge_dir/$f" "$scratch/$f"
  done

  if (cd "$scratch" && patch -p1 -R --dry-run --fuzz=0 -s -f <"$patch_file" >/dev/null 2>&1); then
    echo "check: the patch is ALREADY APPLIED in $forge_dir"
  elif (cd "$scratch" && patch -p1 --fuzz=0 -s -f --no-backup-if-mismatch <"$patch_file"); then
    echo "check: the patch applies cleanly (no fuzz) to a scratch copy of the files it touches"
  else
    echo "check: FAIL: the patch does not apply cleanly to $forge_dir" >&2
    return 1
  fi

  for f in "${files[@]}"; do
    case "$f" in
      *.py)
        if ! PYTHONPYCACHEPREFIX="$scratch/.pycache" python3 -m py_compile "$scratch/$f"; then
          echo "check: FAIL: the patched $f does not byte-compile" >&2
          return 1
        fi
        echo "check: patched $f byte-compiles"
        ;;
    esac
  done
  echo "check: OK"
}

case "${1:-}" in
  -h | --help | "") usage ;;
esac
status=0
for patch_file in "$here"/*.patch; do
  echo "== $(basename "$patch_file")"
  if [ "$1" = --format ]; then
    check_format || status=1
  else
    { check_format && check_against "$1"; } || status=1
  fi
done
exit $status
