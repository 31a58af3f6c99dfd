#!/usr/bin/env bash
# Start LearnHub as several instances on this machine: gunicorn per port, queue consumers, nginx in front.
# Everything it starts writes its pid and log under $DEPLOY_RUN_DIR; deploy/down.sh stops it. See deploy/README.md.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${DEPLOY_BIN:-$ROOT/.venv/bin}"

RUN="${DEPLOY_RUN_DIR:-$ROOT/deploy/run}"
PORT="${DEPLOY_PORT:-5100}"                       # nginx, round-robin over the instances
read -r -a PORTS <<< "${DEPLOY_INSTANCE_PORTS:-5101 5102}"   # one gunicorn per port
GUNICORN_WORKERS="${DEPLOY_GUNICORN_WORKERS:-2}"
CONSUMERS="${DEPLOY_CONSUMERS:-2}"                # `learnhub worker` processes
CONSUMER_THREADS="${DEPLOY_CONSUMER_THREADS:-2}"
REDIS_URL="${DEPLOY_REDIS_URL:-redis://127.0.0.1:6379}"
REDIS_DB="${DEPLOY_REDIS_DB:-3}"
PREPARE="${DEPLOY_PREPARE:-1}"                    # 1: db upgrade and courses sync before starting
PUBLIC="${DEPLOY_PUBLIC_DIR:-$RUN/public}"        # nginx serves $PUBLIC/static/ (readable by its worker user)

mkdir -p "$RUN/nginx-tmp" "$RUN/instance" "$PUBLIC/static"
RUN="$(cd "$RUN" && pwd)"
PUBLIC="$(cd "$PUBLIC" && pwd)"
if [ -e "$RUN/nginx.pid" ] || compgen -G "$RUN/*.pid" >/dev/null; then
  echo "deploy/up.sh: $RUN already holds pid files; run deploy/down.sh first" >&2
  exit 1
fi

# What every instance and consumer shares. The secret key signs sessions, CSRF tokens and quiz forms, so
# all instances must have the same one: kept in the run folder unless given.
if [ -z "${LEARNHUB_SECRET_KEY:-}" ]; then
  [ -s "$RUN/secret_key" ] || (umask 077 && "$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(48))' > "$RUN/secret_key")
  LEARNHUB_SECRET_KEY="$(cat "$RUN/secret_key")"
fi
export LEARNHUB_SECRET_KEY
export LEARNHUB_ENV="${LEARNHUB_ENV:-development}"
export LEARNHUB_DATABASE_URL="${LEARNHUB_DATABASE_URL:-postgresql://root@127.0.0.1:5432/learnhub_deploy}"
export LEARNHUB_QUEUE_URL="${LEARNHUB_QUEUE_URL:-$REDIS_URL/$REDIS_DB}"
export LEARNHUB_RATELIMIT_STORAGE_URI="${LEARNHUB_RATELIMIT_STORAGE_URI:-$REDIS_URL/$REDIS_DB}"
export LEARNHUB_MAIL_DIR="${LEARNHUB_MAIL_DIR:-$RUN/mail}"
# One instance folder for all: a cohort import with bad rows is staged there and may be confirmed on another
# instance. On several machines it must be a shared mount (deploy/README.md).
export LEARNHUB_INSTANCE_DIR="${LEARNHUB_INSTANCE_DIR:-$RUN/instance}"
export LEARNHUB_TRUSTED_PROXIES="${LEARNHUB_TRUSTED_PROXIES:-1}"
export LEARNHUB_BASE_URL="${LEARNHUB_BASE_URL:-http://127.0.0.1:$PORT}"
export LEARNHUB_LOG_FORMAT="${LEARNHUB_LOG_FORMAT:-json}"

cd "$ROOT"
if [ "$PREPARE" = 1 ]; then
  "$BIN/learnhub" db upgrade >"$RUN/prepare.log" 2>&1
  "$BIN/learnhub" courses sync >>"$RUN/prepare.log" 2>&1 || echo "deploy/up.sh: a course did not sync; see $RUN/prepare.log" >&2
fi
# The static files under their fingerprinted names, which nginx serves from disk (older releases' files stay).
"$BIN/learnhub" static collect "$PUBLIC/static" >>"$RUN/prepare.log" 2>&1

for port in "${PORTS[@]}"; do
  "$BIN/gunicorn" --daemon --workers "$GUNICORN_WORKERS" --bind "127.0.0.1:$port" --pid "$RUN/gunicorn-$port.pid" \
    --access-logfile "$RUN/gunicorn-$port-access.log" --error-logfile "$RUN/gunicorn-$port.log" \
    --forwarded-allow-ips 127.0.0.1 wsgi:app
done

# Consumers: the first also runs the periodic jobs (sweep, housekeeping), the others only consume.
for n in $(seq 1 "$CONSUMERS"); do
  periodic=()
  [ "$n" = 1 ] || periodic=(--no-periodic)
  setsid "$BIN/learnhub" worker --workers "$CONSUMER_THREADS" "${periodic[@]}" >"$RUN/worker-$n.log" 2>&1 &
  echo $! >"$RUN/worker-$n.pid"
done

wait_for() {  # url, what
  for _ in $(seq 1 150); do
    if "$BIN/python" - "$1" <<'PY' 2>/dev/null; then return 0; fi
import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=2).read()
PY
    sleep 0.2
  done
  echo "deploy/up.sh: $2 did not answer at $1; see the logs in $RUN" >&2
  return 1
}
for port in "${PORTS[@]}"; do
  wait_for "http://127.0.0.1:$port/health" "instance $port"
done

upstreams=""
for port in "${PORTS[@]}"; do upstreams+="        server 127.0.0.1:$port max_fails=1 fail_timeout=5s;"$'\n'; done
awk -v run="$RUN" -v port="$PORT" -v public="$PUBLIC" -v ups="$upstreams" \
  '{gsub(/@RUN@/, run); gsub(/@PORT@/, port); gsub(/@PUBLIC@/, public); if ($0 ~ /@UPSTREAMS@/) printf "%s", ups; else print}' \
  "$ROOT/deploy/nginx.conf.template" >"$RUN/nginx.conf"
"${DEPLOY_NGINX:-nginx}" -q -c "$RUN/nginx.conf" -p "$RUN"
wait_for "http://127.0.0.1:$PORT/health" "nginx"

echo "LearnHub: http://127.0.0.1:$PORT (instances: ${PORTS[*]}; $CONSUMERS consumer(s); queue $LEARNHUB_QUEUE_URL)"
