# Sourced by the scripts that start navigator and its peers on free ports (admin-screenshots.sh,
# startup-order.sh). Gives them a scratch directory ($work), a list of children ($pids) that is killed with the
# directory on exit, free_port and wait_http.
# Usage: [work_template=/tmp/name.XXXXXX] source scripts/lib/processes.sh (from the repository's root)
work=$(mktemp -d "${work_template:-/tmp/navigator.XXXXXX}")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# Waits up to 20 s for a 2xx at URL $1; returns 1 (after saying so) if none came.
wait_http() {
  for _ in $(seq 200); do
    curl -fs "$1" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "$(basename "$0"): no answer from $1" >&2
  return 1
}
