#!/usr/bin/env bash
# Sets up and starts Navigator on its embedded defaults: installs what is missing, builds, creates .env with a
# random SECRET_KEY and SUPERUSER_ADMIN_TOKEN if there is none, starts the Forge simulator unless SD_API_HOST
# points elsewhere, and runs Navigator in the foreground (Ctrl-C stops both).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh
scripts/build.sh

if [ ! -f .env ]; then
  secret=$(openssl rand -hex 32)
  admin=$(openssl rand -hex 24)
  sed -e "s/^SECRET_KEY=.*/SECRET_KEY=$secret/" -e "s/^SUPERUSER_ADMIN_TOKEN=.*/SUPERUSER_ADMIN_TOKEN=$admin/" \
    resources/env.example > .env
  chmod 600 .env
  echo "run: created .env with a random SECRET_KEY and SUPERUSER_ADMIN_TOKEN"
fi

# The value Navigator will see: the environment wins over .env.
env_value() { sed -n "s/^[[:space:]]*\(export[[:space:]]\+\)\?$1[[:space:]]*=[[:space:]]*//p" .env | tail -1 | tr -d "\"'"; }
sd_host=${SD_API_HOST:-$(env_value SD_API_HOST)}
http_port=${HTTP_API_PORT:-$(env_value HTTP_API_PORT)}
rt_port=${RT_API_PORT:-$(env_value RT_API_PORT)}
admin_token=${SUPERUSER_ADMIN_TOKEN:-$(env_value SUPERUSER_ADMIN_TOKEN)}

sim_pid=""
trap '[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null || true' EXIT
if [ -z "$sd_host" ] && [ -x build/bin/forge-sim ]; then
  sim_port=${FORGE_SIM_PORT:-7860}
  build/bin/forge-sim --port "$sim_port" &
  sim_pid=$!
  # Wait until the simulator answers, so Navigator sees the loaded checkpoint at start-up.
  for _ in $(seq 1 50); do
    curl -sf "http://127.0.0.1:$sim_port/sdapi/v1/options" >/dev/null 2>&1 && break
    sleep 0.1
  done
  export SD_API_HOST="http://127.0.0.1:$sim_port/sdapi/v1"
  sd_host=$SD_API_HOST
fi

cat <<INFO
------------------------------------------------------------------
 Navigator HTTP API : http://localhost:${http_port:-3333}/
 socket.io realtime : http://localhost:${rt_port:-3334}/
 Forge backend      : ${sd_host:-http://127.0.0.1:7860/sdapi/v1}${sim_pid:+ (forge-sim, pid $sim_pid)}
 Admin token        : ${admin_token:-<none: set SUPERUSER_ADMIN_TOKEN in .env>}
 Admin window       : build/bin/navigator-admin --server http://localhost:${http_port:-3333}
------------------------------------------------------------------
INFO
build/bin/navigator --env-file .env
