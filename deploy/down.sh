#!/usr/bin/env bash
# Stop what deploy/up.sh started in $DEPLOY_RUN_DIR: nginx, the gunicorn instances and the consumers, by
# their pid files (nothing else is touched). Safe to run twice.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RUN="${DEPLOY_RUN_DIR:-$ROOT/deploy/run}"
[ -d "$RUN" ] || exit 0

stop() {  # pid file, signal: signal the process (a consumer: its whole process group) and wait up to 30 s
  local file="$1" sig="$2" pid
  [ -s "$file" ] || { rm -f "$file"; return; }
  pid="$(cat "$file")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "-$sig" "$pid" 2>/dev/null
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$file"
}

[ -f "$RUN/nginx.pid" ] && stop "$RUN/nginx.pid" QUIT      # finish requests in flight, then exit
for file in "$RUN"/gunicorn-*.pid; do [ -e "$file" ] && stop "$file" TERM; done
for file in "$RUN"/worker-*.pid; do [ -e "$file" ] && stop "$file" INT; done   # huey: finish running jobs
exit 0
