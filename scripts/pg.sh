#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks.
#   scripts/pg.sh start DIR [fsync]   initdb + start on a free loopback port; prints the URL
#   scripts/pg.sh stop DIR            stop and delete
# PostgreSQL refuses to run as root, so as root the cluster runs as postgres.
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?directory}
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$pgbin" ] || { echo "pg.sh: PostgreSQL is not installed" >&2; exit 1; }
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "$cmd" in
start)
  mkdir -p "$dir"
  [ "$(id -u)" -ne 0 ] || chown postgres:postgres "$dir"
  as_pg "$pgbin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 \
    --locale=C.UTF-8 --no-instructions --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  fsync=${3:-off}
  # A free port: ask the kernel, then retry if another process takes it first.
  for attempt in 1 2 3 4 5; do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
      || node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
    if as_pg "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -s -t 30 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=$fsync -c max_connections=200" start; then
      echo "$port" > "$dir/port"
      echo "postgres://postgres@127.0.0.1:$port"
      exit 0
    fi
  done
  cat "$dir/log" >&2
  exit 1
  ;;
stop)
  if [ -d "$dir/data" ]; then
    as_pg "$pgbin/pg_ctl" -D "$dir/data" -m immediate -w -s stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  ;;
*) echo "usage: scripts/pg.sh start|stop DIR" >&2; exit 2 ;;
esac
