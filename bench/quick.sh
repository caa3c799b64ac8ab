#!/usr/bin/env bash
# Quick HTTP check: wrk on wangge's /healthz, and on a POST of a case that
# is refused before any write (422, bench/lua/post_refused.lua: token, body
# parsed, no store write), against nginx serving a small static file,
# alternately, same wrk settings, in one invocation. The two are the
# ceilings of GET and POST through wangge's HTTP layer on this machine.
#   bench/quick.sh [rounds] [wrk args...]     default: 3 rounds, -t1 -c32 -d5s
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh bench
rounds=${1:-3}; shift || true
wrk_args=("$@"); [ ${#wrk_args[@]} -gt 0 ] || wrk_args=(-t1 -c32 -d5s)
. bench/lib.sh
bench_build
bench_nginx
printf '{"status":"ok"}' > "$dir/www/healthz.json"
echo 'bench-admin-password-1' | build-bench/wangge init --db "sqlite:$dir/bench.db" > "$dir/init.out" 2>&1
TOKEN=$(build-bench/wangge token create --db "sqlite:$dir/bench.db" --name quick --role admin --area 000000 2>>"$dir/init.out")
export TOKEN
build-bench/wangge serve --listen 127.0.0.1:0 --db "sqlite:$dir/bench.db" --access_log off > "$dir/wangge.out" 2>"$dir/wangge.err" & wangge_pid=$!
trap 'kill $nginx_pid $wangge_pid 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 50); do grep -q listening "$dir/wangge.out" 2>/dev/null && break; sleep 0.1; done
wangge_addr=$(grep -o 'http://[0-9.:]*' "$dir/wangge.out")
sleep 0.3

rps() { wrk "${wrk_args[@]}" "$@" | awk '/Requests\/sec/ {print $2}'; }
printf '%-6s %12s %14s %8s %14s %8s\n' round "nginx req/s" "healthz req/s" ratio "refused POST" ratio
for r in $(seq "$rounds"); do
  n=$(rps "http://127.0.0.1:$nginx_port/healthz.json")
  w=$(rps "$wangge_addr/healthz")
  p=$(rps -s bench/lua/post_refused.lua "$wangge_addr/")
  printf '%-6s %12.0f %14.0f %8.2f %14.0f %8.2f\n' "$r" "$n" "$w" "$(awk -v a="$w" -v b="$n" 'BEGIN {print a / b}')" \
    "$p" "$(awk -v a="$p" -v b="$n" 'BEGIN {print a / b}')"
done
echo "wrk ${wrk_args[*]}; nginx: 15-byte static file; wangge: GET /healthz (JSON, request id, security headers);"
echo "refused POST: POST /api/v1/cases with a bearer token and a body without a category (422, nothing written)"
