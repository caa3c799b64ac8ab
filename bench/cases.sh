#!/usr/bin/env bash
# Cases under load, against references run in the same invocation, as
# ratios: GET one case by id (bearer token, scope-checked) against nginx
# serving a static 2 KB file; durable POST of a case on its own (its
# reference, a raw SQLite writer, comes with issue 6's make bench).
#   bench/cases.sh [rounds] [cases]     default: 3 rounds, 1000 cases; wrk -t1 -c32 -d5s
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh bench
rounds=${1:-3}; cases=${2:-1000}
wrk_args=(-t1 -c32 -d5s)
. bench/lib.sh
bench_build
bench_nginx
head -c 2048 /dev/zero | tr '\0' 'x' > "$dir/www/case.json"
db="sqlite:$dir/bench.db"
echo 'bench-admin-password-1' | build-bench/wangge init --db "$db" >/dev/null
token=$(build-bench/wangge token create --db "$db" --name bench --role admin --area 000000)
build-bench/wangge serve --listen 127.0.0.1:0 --db "$db" --access_log off > "$dir/wangge.out" 2>"$dir/wangge.err" & wangge_pid=$!
trap 'kill $nginx_pid $wangge_pid 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 50); do grep -q listening "$dir/wangge.out" 2>/dev/null && break; sleep 0.1; done
addr=$(grep -o 'http://[0-9.:]*' "$dir/wangge.out")

# The cases to read, through the API (32 at a time).
start=$(date +%s.%N)
node -e '
const [addr, token, n] = [process.argv[1], process.argv[2], Number(process.argv[3])];
const body = JSON.stringify({ category: "water", area_code: "000000", description: "bench: 3号楼停水两天了" });
let next = 0;
async function worker() {
  while (next < n) { next++;
    const r = await fetch(`${addr}/api/v1/cases`, { method: "POST", body, headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" } });
    if (r.status !== 201) throw new Error(`intake ${r.status}: ${await r.text()}`);
    await r.arrayBuffer(); }
}
Promise.all(Array.from({ length: 32 }, worker)).catch((e) => { console.error(e.message); process.exit(1); });
' "$addr" "$token" "$cases"
load=$(echo "$(date +%s.%N) $start" | awk '{printf "%.1f", $1 - $2}')

run_wrk() { # url [lua]
  local out
  if [ -n "${2:-}" ]; then out=$(TOKEN=$token CASES=$cases wrk "${wrk_args[@]}" --latency -s "$2" "$1"); else out=$(wrk "${wrk_args[@]}" --latency "$1"); fi
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  echo "$rps $p50 $p99"
}
rss() { awk '/VmHWM/ {print $2 / 1024 " MB"}' "/proc/$wangge_pid/status"; }

printf '%-5s %-34s %10s %9s %9s %7s\n' round case "req/s" p50 p99 ratio
for r in $(seq "$rounds"); do
  read -r nr n50 n99 < <(run_wrk "http://127.0.0.1:$nginx_port/case.json")
  read -r wr w50 w99 < <(run_wrk "$addr/" bench/lua/case_by_id.lua)
  read -r pr p50 p99 < <(run_wrk "$addr/" bench/lua/post_case.lua)
  printf '%-5s %-34s %10.0f %9s %9s %7s\n' "$r" "nginx static 2 KB (reference)" "$nr" "$n50" "$n99" "1.00"
  printf '%-5s %-34s %10.0f %9s %9s %7.2f\n' "$r" "GET case by id (bearer)" "$wr" "$w50" "$w99" "$(awk -v a="$wr" -v b="$nr" 'BEGIN {print a / b}')"
  printf '%-5s %-34s %10.0f %9s %9s %7s\n' "$r" "POST case (durable)" "$pr" "$p50" "$p99" "-"
done
echo "loaded $cases cases through the API in ${load} s; wangge peak RSS $(rss)"
echo "wrk ${wrk_args[*]}; SQLite (WAL, synchronous=FULL); $(nproc) cores; $(uname -r)"
