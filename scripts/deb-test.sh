#!/usr/bin/env bash
# Builds navigator's .deb with cpack from a configured build tree, installs it on THIS machine with
# `apt-get install ./navigator_*.deb` (as an operator would on Debian 12), checks what an operator gets, and
# purges it again. Needs root (or sudo). Usage: scripts/deb-test.sh [build dir, default build]
#
# Checked: dependencies from dpkg-shlibdeps; `navigator --version`; the `navigator` system user; the unit in
# place naming /usr/bin/navigator and clean under `systemd-analyze verify`; /etc/navigator/navigator.env with a
# fresh SECRET_KEY, readable by root and the navigator group only; the docs; and the service starting as the
# navigator user from that file, answering /healthz.
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(cd "${1:-build}" && pwd)
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo -n"; fi

fail() { echo "deb-test: FAIL: $*" >&2; exit 1; }

if dpkg-query -W -f='${Status}' navigator 2>/dev/null | grep -q "install ok installed"; then
  fail "navigator is installed on this machine already; this test would purge it"
fi
out=$(mktemp -d /tmp/navigator-deb.XXXXXX)
pid=""
state_existed=false
[ -e /var/lib/navigator ] && state_existed=true
cleanup() {
  if [ -n "$pid" ]; then $sudo pkill -TERM -P "$pid" 2>/dev/null || true; kill "$pid" 2>/dev/null || true; fi
  $sudo apt-get purge -y -qq -o DPkg::Lock::Timeout=300 navigator >/dev/null 2>&1 || true
  # purge keeps the database on purpose; the one this test made goes.
  if [ "$state_existed" = false ]; then $sudo rm -rf /var/lib/navigator; fi
  rm -rf "$out"
}
trap cleanup EXIT

echo "== cpack -G DEB (server component)"
(cd "$build" && cpack -G DEB -B "$out" -D CPACK_COMPONENTS_ALL=server >"$out/cpack.log" 2>&1) ||
  { cat "$out/cpack.log"; fail "cpack failed"; }
deb=$(ls "$out"/navigator_*.deb)
echo "built $(basename "$deb") ($(du -h "$deb" | cut -f1))"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
[[ "$depends" == *libqt6core6* ]] || fail "Depends lacks the Qt libraries dpkg-shlibdeps should have found"
[[ "$depends" == *libqt6sql6-sqlite* && "$depends" == *adduser* ]] || fail "Depends lacks the hand-listed packages"

echo "== apt-get install $deb"
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq -o DPkg::Lock::Timeout=300 "$deb" >"$out/apt.log" 2>&1 ||
  { cat "$out/apt.log"; fail "apt-get install failed"; }

version=$(/usr/bin/navigator --version)
[[ "$version" == "navigator $(dpkg-deb -f "$deb" Version)"* ]] || fail "navigator --version said: $version"
echo "ok: $version"

entry=$(getent passwd navigator) || fail "no navigator user"
IFS=: read -r _ _ uid _ _ home shell <<<"$entry"
[ "$uid" -lt 1000 ] || fail "navigator is not a system user (uid $uid)"
[ "$home" = /var/lib/navigator ] || fail "navigator's home is $home"
[[ "$shell" == */nologin || "$shell" == /bin/false ]] || fail "navigator has a login shell: $shell"
echo "ok: system user $entry"

unit=/usr/lib/systemd/system/navigator.service
[ -f "$unit" ] || unit=/lib/systemd/system/navigator.service
[ -f "$unit" ] || fail "the unit is not installed"
grep -q '^ExecStart=/usr/bin/navigator ' "$unit" || fail "the unit does not start /usr/bin/navigator"
verify=$(systemd-analyze verify "$unit" 2>&1) || fail "systemd-analyze verify: $verify"
[ -z "$verify" ] || fail "systemd-analyze verify complained: $verify"
echo "ok: $unit passes systemd-analyze verify"

conf=/etc/navigator/navigator.env
[ -f "$conf" ] || fail "$conf was not written"
[ "$(stat -c '%a %U %G' "$conf")" = "640 root navigator" ] || fail "$conf has mode/owner $(stat -c '%a %U %G' "$conf")"
secret=$(sed -n 's/^SECRET_KEY=//p' "$conf")
[ ${#secret} -ge 32 ] || fail "$conf has no generated SECRET_KEY"
echo "ok: $conf (mode 640 root:navigator, SECRET_KEY of ${#secret} characters)"
[ -f /usr/share/doc/navigator/README.md ] || fail "the README is not installed"
[ -f /usr/share/navigator/env.example ] || fail "env.example is not installed"

echo "== the service as the navigator user, configured from $conf"
check=$(cd /var/lib/navigator && $sudo runuser -u navigator -- /usr/bin/navigator --env-file "$conf" --check-config) ||
  fail "--check-config failed: $check"
[[ "$check" == *"SECRET_KEY=(set, hidden)"* ]] || fail "--check-config does not hide SECRET_KEY"
[[ "$check" != *"$secret"* ]] || fail "--check-config printed the SECRET_KEY"
# Port 0: the kernel picks free ports; the start-up line says which.
(cd /var/lib/navigator && exec $sudo runuser -u navigator -- env BIND_ADDRESS=127.0.0.1 HTTP_API_PORT=0 \
  RT_API_PORT=0 /usr/bin/navigator --env-file "$conf") >"$out/run.log" 2>&1 &
pid=$!
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's/.*HTTP API listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$out/run.log")
  if [ -n "$port" ]; then break; fi
  sleep 0.2
done
[ -n "$port" ] || { cat "$out/run.log"; fail "navigator did not start"; }
curl -fsS "http://127.0.0.1:$port/healthz" | grep -q '"ok"' || { cat "$out/run.log"; fail "/healthz did not answer"; }
[ -f /var/lib/navigator/navigator.db ] || fail "the SQLite database is not in /var/lib/navigator"
[ "$(stat -c %U /var/lib/navigator/navigator.db)" = navigator ] || fail "the database is not owned by navigator"
echo "ok: /healthz answered; database /var/lib/navigator/navigator.db owned by navigator"
echo "deb-test: all checks passed"
