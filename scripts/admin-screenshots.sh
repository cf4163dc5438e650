#!/usr/bin/env bash
# Makes the README screenshots of navigator-admin (docs/screenshots/<tab>.png for every tab) from a real run:
# starts three forge-sims (different checkpoints and speeds), a small stand-in for Discord's API (so logins
# store names and refused ones become access requests) and navigator on free ports with a throw-away SQLite
# database, authorizes a few users, logs them in, submits a few hundred jobs through the public API (a few of
# them fail in Forge), pauses one backend, then runs `navigator-admin --screenshot` once per tab.
# With ADMIN_FIXTURES_DIR set it also saves the admin answers the model tests replay
# (backends.json, history.json, history-failed.json, usage.json, activity.json; tests/admin-gui/fixtures holds
# one such capture).
# Needs a build (scripts/build.sh), curl and openssl. Usage: scripts/admin-screenshots.sh [output dir]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/screenshots}
bin=build/bin
mkdir -p "$out"
work_template=/tmp/navigator-shots.XXXXXX
source scripts/lib/processes.sh
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
# An HS256 JWT in the original's format ({discord_id, role, iat, exp}), signed with SECRET_KEY.
jwt() {
  local header payload now
  now=$(date +%s)
  header=$(printf '{"alg":"HS256","typ":"JWT"}' | b64url)
  payload=$(printf '{"discord_id":"%s","role":%s,"iat":%s,"exp":%s}' "$1" "$2" "$now" $((now + 3600)) | b64url)
  printf '%s.%s.%s' "$header" "$payload" \
    "$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -hmac "$secret" -binary | b64url)"
}

secret=$(openssl rand -hex 32)
admin=$(openssl rand -hex 24)
http_port=$(free_port)
rt_port=$(free_port)
api="http://127.0.0.1:$http_port"

# Three GPUs: two with the SDXL checkpoint (one faster), one with Flux.
sim_ports=()
sim_args=("--step-ms 40" "--step-ms 25" "--step-ms 60 --models flux1-dev-bnb-nf4-v2,sd_xl_base_1.0")
for i in 0 1 2; do
  port=$(free_port)
  sim_ports+=("$port")
  # shellcheck disable=SC2086 # the arguments are meant to split
  "$bin/forge-sim" --port "$port" ${sim_args[$i]} >"$work/forge-sim-$i.log" 2>&1 &
  pids+=($!)
  wait_http "http://127.0.0.1:$port/sdapi/v1/options"
done
sd_hosts=$(printf 'http://127.0.0.1:%s/sdapi/v1,' "${sim_ports[@]}")
# The stand-in for Discord: the OAuth code "code-<id>" logs in the user <id> with the profile below.
discord_port=$(free_port)
cat >"$work/discord.py" <<'PY'
import json, sys
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs
NAMES = {"184467440737095516": ("mira.owner", "Mira Okafor"), "290145781938765824": ("tobias_k", "Tobias Krüger"),
         "301928374650192837": ("lenamakes", "Lena Park"), "412039485761029384": ("quietfox", None),
         "523948576102938475": ("spam_bot_9000", "Spam Bot"), "634857261029384756": ("ada.l", "Ada Lovelace"),
         "745968372130495867": ("grace_h", "Grace Hopper"), "856079483241506978": ("pixelpete", None)}
class Fake(BaseHTTPRequestHandler):
    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data))); self.end_headers(); self.wfile.write(data)
    def do_POST(self):
        form = parse_qs(self.rfile.read(int(self.headers.get("Content-Length", 0))).decode())
        code = form.get("code", [""])[0]
        if not code.startswith("code-"): return self.answer(400, {"error": "invalid_grant"})
        self.answer(200, {"access_token": "tok-" + code[5:], "token_type": "Bearer"})
    def do_GET(self):
        uid = self.headers.get("Authorization", "")[len("Bearer tok-"):]
        if uid not in NAMES: return self.answer(401, {"message": "401: Unauthorized"})
        user, name = NAMES[uid]
        self.answer(200, {"id": uid, "username": user, "global_name": name, "avatar": None, "discriminator": "0"})
    def log_message(self, *args): pass
HTTPServer(("127.0.0.1", int(sys.argv[1])), Fake).serve_forever()
PY
python3 "$work/discord.py" "$discord_port" >"$work/discord.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$discord_port/" && break; sleep 0.2; done
login() { curl -s -o /dev/null -H 'Content-Type: application/json' -d "{\"code\":\"code-$1\"}" "$api/api/auth/login"; }

DB_DRIVER=sqlite DB_PATH="$work/navigator.db" SECRET_KEY=$secret SUPERUSER_ADMIN_TOKEN=$admin \
  HTTP_API_PORT=$http_port RT_API_PORT=$rt_port BIND_ADDRESS=127.0.0.1 \
  DISCORD_API_BASE="http://127.0.0.1:$discord_port/api/v10" \
  SD_API_HOST="${sd_hosts%,}" MAX_JOBS_PER_USER=0 \
  "$bin/navigator" --env-file /dev/null >"$work/navigator.log" 2>&1 &
pids+=($!)
wait_http "$api/"

# Users: the first one authorized becomes apex; then an architect, two apprentices and a disabled one.
users=(184467440737095516 290145781938765824 301928374650192837 412039485761029384 523948576102938475)
for id in "${users[@]}"; do
  curl -fs -H "Authorization: $admin" "$api/api/admin/authorize-user/$id" >/dev/null
done
curl -fs -X PUT -H "Authorization: $admin" -H 'Content-Type: application/json' -d '{"role":3}' \
  "$api/api/admin/users/${users[1]}/role" >/dev/null
curl -fs -H "Authorization: $admin" "$api/api/admin/disable-user/${users[4]}" >/dev/null
# Everyone signs in once (names for the Users list and the queue); three newcomers are refused and ask for
# access, one of them three times.
for id in "${users[@]}" 634857261029384756 745968372130495867 856079483241506978 856079483241506978; do
  login "$id"
done
login 634857261029384756

# A few hundred jobs from four users, submitted in bursts; a handful fail in Forge (500) on the second GPU.
prompts=("a lighthouse on a cliff at dusk, oil painting" "isometric cozy library, warm light"
         "portrait of an astronaut cat, studio lighting" "misty pine forest, morning sun rays"
         "retro robot repairing a bicycle, watercolor" "neon city street in the rain, cinematic"
         "still life with lemons and a blue jug" "paper-cut dragon over mountains")
models=(sd_xl_base_1.0 sd_xl_base_1.0 sd_xl_base_1.0 flux1-dev-bnb-nf4-v2)
submit() { # owner index
  local owner=${users[$1]} p=${prompts[$((RANDOM % ${#prompts[@]}))]} m=${models[$((RANDOM % ${#models[@]}))]}
  local body
  body=$(printf '{"prompt":"%s","negative_prompt":"","model_name":"%s","sampler_name":"Euler a","steps":%d,"width":%d,"height":%d,"cfg_scale":7,"seed":-1}' \
    "$p" "$m" $((12 + RANDOM % 20)) $((512 + (RANDOM % 2) * 256)) $((512 + (RANDOM % 3) * 256)))
  curl -s -H "Authorization: Bearer $(jwt "$owner" 1)" -H 'Content-Type: application/json' -d "$body" \
    "$api/api/queue/user/txt2img"
}
job_of() { python3 -c 'import json,sys; print(json.load(sys.stdin).get("job_id",""))' 2>/dev/null || true; }
curl -fs -X POST -H 'Content-Type: application/json' -d '{"fail_next":6}' \
  "http://127.0.0.1:${sim_ports[1]}/sim/faults" >/dev/null
owners=(0 0 0 1 1 2 2 2 2 3)
for burst in $(seq 1 ${ADMIN_SCREENSHOT_BURSTS:-6}); do
  for _ in $(seq 1 40); do submit "${owners[$((RANDOM % ${#owners[@]}))]}" >/dev/null; done
  while [ "$(curl -fs -H "Authorization: $admin" "$api/api/admin/status" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["queue_depth"])')" -gt 10 ]; do sleep 1; done
  echo "admin-screenshots: burst $burst submitted" >&2
done
# The queue and backends pictures: a fresh burst in progress, one GPU paused.
curl -fs -X POST -H "Authorization: $admin" "$api/api/admin/backends/127.0.0.1:${sim_ports[2]}/pause" >/dev/null
waiting="" # the last one submitted: still waiting when the queue is photographed
for _ in $(seq 1 40); do
  job=$(submit "${owners[$((RANDOM % ${#owners[@]}))]}" | job_of)
  waiting=${job:-$waiting}
done

shoot() {
  local tab=$1
  shift
  QT_QPA_PLATFORM=offscreen "$bin/navigator-admin" --server "$api" --realtime "http://127.0.0.1:$rt_port" \
    --token "$admin" --tab "$tab" --screenshot "$out/$tab.png" --size 1280x760 "$@"
}
shoot backends
shoot queue ${waiting:+--select-job "$waiting"}
if [ -n "${ADMIN_FIXTURES_DIR:-}" ]; then
  mkdir -p "$ADMIN_FIXTURES_DIR"
  curl -fs -H "Authorization: $admin" "$api/api/admin/backends" | python3 -m json.tool >"$ADMIN_FIXTURES_DIR/backends.json"
fi
# Let the last burst finish for the rest.
while [ "$(curl -fs -H "Authorization: $admin" "$api/api/admin/status" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["queue_depth"])')" -gt 0 ]; do sleep 1; done
for tab in history usage status requests users; do shoot "$tab"; done
if [ -n "${ADMIN_FIXTURES_DIR:-}" ]; then
  for what in "history?limit=20" "history?status=failed&limit=5" "usage?window=24h" "activity?minutes=15"; do
    name=${what%%\?*}
    [[ $what != *failed* ]] || name=history-failed
    curl -fs -H "Authorization: $admin" "$api/api/admin/$what" | python3 -m json.tool >"$ADMIN_FIXTURES_DIR/$name.json"
  done
fi
