#!/usr/bin/env bash
# make bench: wangge's hot paths under load, against references run in the
# same invocation, as ratios (absolute numbers on a shared machine drift).
#
#   bench/run.sh [--smoke] [--scale N] [--cases N] [--base-cases N] [--rounds N]
#                [--duration SECONDS] [--connections N] [--threads N]
#                [--backends sqlite,postgres] [--build DIR] [--out FILE]
#
# Each option can also come from the environment (BENCH_SCALE, BENCH_CASES,
# BENCH_BASE_CASES, BENCH_ROUNDS, BENCH_DURATION, BENCH_CONNECTIONS,
# BENCH_THREADS, BENCH_BACKENDS, BENCH_BUILD, BENCH_OUT); a flag wins.
# Defaults: wangge demo --scale 10 (1,000,000 persons) with 1,000,000 cases,
# the county figures also at --base-cases (default a tenth), 3 rounds of
# wrk -t1 -c32 -d10s, both backends, an optimized build in build-bench, the
# table in bench/results.md.
#
# Per backend: load the demo to the base cases, measure the county figures,
# top the demo up to the full cases, then for each round run in turn nginx
# (static 2 KB file), GET case by id, GET a grid's open cases, the raw writer
# (SQLite: bench/sqlite_writer.c, 100 rows per transaction, WAL,
# synchronous=FULL; PostgreSQL: pgbench inserting 200-byte rows on the same
# cluster), durable POST case, and the county figures. The table shows the
# medians of the rounds.
#
# --smoke: a tiny town, 1 round of 1 s runs on both backends with the
# normal build, its table in BUILD/bench-smoke.md; it checks that every run
# got answers, all 2xx, and that the table was written (scripts/test.sh
# runs it). Failed checks print "not ok - ..." and make the exit status 1.
set -euo pipefail
cd "$(dirname "$0")/.."
command_line="bench/run.sh${*:+ $*}"

usage() { sed -n '5,7p' "$0" | sed 's/^# \{0,1\}//'; }
smoke=0
for a in "$@"; do [ "$a" != --smoke ] || smoke=1; done
if [ "$smoke" = 1 ]; then
  scale=0.01 cases=400 base_cases=200 rounds=1 duration=1 connections=8 build=build out=
else
  scale=10 cases=1000000 base_cases= rounds=3 duration=10 connections=32 build=build-bench out=bench/results.md
fi
threads=1 backends=sqlite,postgres
scale=${BENCH_SCALE:-$scale} cases=${BENCH_CASES:-$cases} base_cases=${BENCH_BASE_CASES:-$base_cases}
rounds=${BENCH_ROUNDS:-$rounds} duration=${BENCH_DURATION:-$duration} connections=${BENCH_CONNECTIONS:-$connections}
threads=${BENCH_THREADS:-$threads} backends=${BENCH_BACKENDS:-$backends} build=${BENCH_BUILD:-$build}
out=${BENCH_OUT:-$out}
while [ $# -gt 0 ]; do
  case $1 in
    --smoke) ;;
    --scale | --cases | --base-cases | --rounds | --duration | --connections | --threads | --backends | --build | --out)
      [ $# -ge 2 ] || { usage >&2; exit 2; }
      case $1 in
        --scale) scale=$2 ;; --cases) cases=$2 ;; --base-cases) base_cases=$2 ;; --rounds) rounds=$2 ;;
        --duration) duration=$2 ;; --connections) connections=$2 ;; --threads) threads=$2 ;;
        --backends) backends=$2 ;; --build) build=$2 ;; --out) out=$2 ;;
      esac
      shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "bench: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
duration=${duration%s}
base_cases=${base_cases:-$((cases / 10))}
out=${out:-$build/bench-smoke.md}
whole() { [[ $1 =~ ^[0-9]+$ ]] && [ "$1" -ge "${2:-1}" ]; }
for v in cases base_cases:0 rounds duration connections threads; do
  name=${v%%:*}
  whole "${!name}" "$([ "$v" != "$name" ] && echo 0 || echo 1)" || { echo "bench: --${name//_/-} is a whole number" >&2; exit 2; }
done
[ "$base_cases" -le "$cases" ] || { echo "bench: --base-cases is at most --cases" >&2; exit 2; }
IFS=, read -r -a backend_list <<<"$backends"
for b in "${backend_list[@]}"; do
  [ "$b" = sqlite ] || [ "$b" = postgres ] || { echo "bench: backends are sqlite and postgres" >&2; exit 2; }
done

bench_t0=$EPOCHREALTIME
say() { echo "bench: $(awk -v t0="$bench_t0" -v t1="$EPOCHREALTIME" 'BEGIN {printf "%6.1f s", t1 - t0}') $*" >&2; }
scripts/deps.sh bench >&2
if [ "$build" = build-bench ]; then
  . bench/lib.sh
  bench_build build-bench >&2
else
  scripts/build.sh "$build" >&2
  . bench/lib.sh
fi
bin=$build/wangge
writer=$build/sqlite_writer
if [ ! -x "$writer" ] || [ bench/sqlite_writer.c -nt "$writer" ]; then
  cc -std=c17 -O2 -Wall -Wextra -Wpedantic -Werror -Wshadow -Wmissing-prototypes -Wformat=2 \
    bench/sqlite_writer.c -o "$writer" -lsqlite3
fi
say "built"
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

# ---- scratch, references, clean-up ----

dir=$(mktemp -d /tmp/wangge-bench.XXXXXX)
mkdir -p "$dir/logs"
raw=$dir/raw.txt   # backend case round rps p50_ms p99_ms requests socket_errors non_2xx
: > "$raw"
checks=$dir/checks.txt
: > "$checks"
pg_dir="" server_pid="" nginx_pid="" sampler_pid=""
cleanup() {
  local rc=$?
  set +e
  # An early exit (a load or a start that failed) names itself as a check would.
  [ "$rc" -eq 0 ] || [ -s "$checks" ] || echo "not ok - bench/run.sh stopped (exit $rc); see the lines above" >&2
  stop_server
  if [ -n "$nginx_pid" ]; then kill "$nginx_pid" 2>/dev/null; wait "$nginx_pid" 2>/dev/null; fi
  [ -z "$pg_dir" ] || scripts/pg.sh stop "$pg_dir"
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
check_failed() { echo "not ok - $*" >> "$checks"; echo "not ok - $*" >&2; }

# nginx's worker runs as nobody when started as root: it must reach the file.
chmod 711 "$dir"
bench_nginx
head -c 2048 /dev/zero | tr '\0' 'x' > "$dir/www/static.json"
chmod 755 "$dir/www" && chmod 644 "$dir/www/static.json"
for _ in $(seq 50); do [ -s "$dir/nginx.pid" ] && break; sleep 0.1; done

# ---- wangge's server, and its memory ----

# Samples the server's VmHWM and RssAnon (kB) every 0.2 s into $dir/rss
# until $dir/rss.stop appears: the kernel keeps no peak of anonymous memory.
rss_sampler() {
  local pid=$1 hwm=0 anon=0 key val
  while [ ! -e "$dir/rss.stop" ] && [ -r "/proc/$pid/status" ]; do
    { while read -r key val _; do
        case $key in
          VmHWM:) hwm=$val ;;
          RssAnon:) [ "$val" -le "$anon" ] || anon=$val ;;
        esac
      done < "/proc/$pid/status"; } 2>/dev/null || break
    echo "$hwm $anon" > "$dir/rss"
    sleep 0.2
  done
}

start_server() { # db url
  "$bin" serve --listen 127.0.0.1:0 --db "$1" --access_log off > "$dir/serve.out" 2>> "$dir/logs/serve.err" &
  server_pid=$!
  for _ in $(seq 300); do
    grep -q listening "$dir/serve.out" 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$dir/logs/serve.err" >&2; server_pid=""; say "wangge serve did not start"; exit 1; }
    sleep 0.1
  done
  addr=$(grep -o 'http://[0-9.:]*' "$dir/serve.out")
  rm -f "$dir/rss" "$dir/rss.stop"
  rss_sampler "$server_pid" & sampler_pid=$!
}

stop_server() { # leaves the peaks in $hwm_kb and $anon_kb
  if [ -n "$sampler_pid" ]; then
    touch "$dir/rss.stop"
    wait "$sampler_pid" 2>/dev/null || true
    sampler_pid=""
  fi
  hwm_kb=0 anon_kb=0
  [ ! -s "$dir/rss" ] || read -r hwm_kb anon_kb < "$dir/rss"
  if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    local rc=0
    wait "$server_pid" || rc=$?
    server_pid=""
    [ "$rc" -eq 0 ] || check_failed "wangge serve exited $rc on SIGTERM (log: serve.err)"
  fi
}

# After a run on wangge: wrk has closed its connections, but the requests
# the server had already read run to their end (32 slow figures can keep it
# busy for a minute). Waits, at most 10 minutes, until /metrics shows no
# request in flight but its own twice in a row, so the next run (a
# reference's too) starts on an idle machine. Bash's /dev/tcp: no process
# to start per look.
settle() {
  local port=${addr##*:} quiet=0 line n fd
  for _ in $(seq 3000); do
    kill -0 "$server_pid" 2>/dev/null || return 0
    n=""
    if exec {fd}<>"/dev/tcp/127.0.0.1/$port"; then
      printf 'GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&"$fd"
      while IFS= read -r -t 60 line <&"$fd"; do
        case $line in "wangge_http_in_flight "*) n=${line#* } n=${n%$'\r'} ;; esac
      done
      exec {fd}<&-
    fi 2>/dev/null
    if [ "$n" = 1 ]; then
      quiet=$((quiet + 1))
      [ "$quiet" -lt 2 ] || return 0
    else
      quiet=0
    fi
    sleep 0.2
  done
  check_failed "the server still had requests in flight 10 minutes after a run"
}

# ---- runs ----

# wrk on one URL (and a Lua script): one line in $raw. The script reads
# TOKEN and the rest from the environment the caller exports.
wrk_run() { # backend case round url [lua]
  local log="$dir/logs/$1.$2.$3.wrk"
  wrk -t"$threads" -c"$connections" -d"${duration}s" --timeout 30s --latency ${5:+-s "$5"} "$4" > "$log" 2>&1 || true
  awk -v b="$1" -v c="$2" -v r="$3" '
    function ms(v) { if (v ~ /us$/) return (v + 0) / 1000; if (v ~ /ms$/) return v + 0;
                     if (v ~ /m$/) return (v + 0) * 60000; if (v ~ /s$/) return (v + 0) * 1000; return v + 0 }
    / requests in / { req = $1 }
    /Socket errors/ { gsub(",", ""); err = $4 + $6 + $8 + $10 }
    /Non-2xx or 3xx/ { bad = $NF }
    /^Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    END { printf "%s %s %s %.1f %.3f %.3f %d %d %d\n", b, c, r, rps, p50, p99, req, err, bad }' "$log" >> "$raw"
  [ "$2" = nginx ] || settle
  local last
  last=$(tail -n 1 "$raw")
  read -r _ _ _ _ _ _ req err bad <<<"$last"
  if [ "$req" -eq 0 ]; then check_failed "$1 $2 round $3: no answers (log: ${log#"$dir"/})"; sed 's/^/# /' "$log" >&2; fi
  [ "$err" -eq 0 ] || check_failed "$1 $2 round $3: $err socket errors"
  [ "$bad" -eq 0 ] || check_failed "$1 $2 round $3: $bad answers were not 2xx"
}

# The county figures' time per request on an idle server, one request at a
# time (curl on one kept-alive connection, in batches that double until the
# run's duration has passed): the target compares these times, which stay
# measurable when a request takes longer than a wrk run. One line in $raw
# with the median and p99 times, and 1 / median as the rate.
figures_time() { # backend case round
  local log="$dir/logs/$1.$2.$3.curl" url="$addr/api/v1/stats/cases?area=$AREA&from=$FROM" batch=1 t0=$EPOCHREALTIME
  : > "$log"
  while :; do
    local urls=()
    for _ in $(seq "$batch"); do urls+=(-o /dev/null "$url"); done
    curl -s -w '%{http_code} %{time_total}\n' --max-time 600 -H "Authorization: Bearer $TOKEN" "${urls[@]}" >> "$log" || true
    awk -v t0="$t0" -v t1="$EPOCHREALTIME" -v d="$duration" 'BEGIN {exit !(t1 - t0 < d)}' || break
    batch=$((batch * 2))
  done
  awk -v b="$1" -v c="$2" -v r="$3" '$1 ~ /^2/ {t[++n] = $2 * 1000} $1 !~ /^2/ {bad++}
    END {
      for (i = 2; i <= n; i++) for (j = i; j > 1 && t[j - 1] > t[j]; j--) { x = t[j]; t[j] = t[j - 1]; t[j - 1] = x }
      m = n ? (n % 2 ? t[(n + 1) / 2] : (t[n / 2] + t[n / 2 + 1]) / 2) : 0
      p = n ? t[int(n * 0.99) + (n * 0.99 > int(n * 0.99))] : 0
      printf "%s %s %s %.3f %.3f %.3f %d 0 %d\n", b, c, r, (m > 0 ? 1000 / m : 0), m, p, n, bad }' "$log" >> "$raw"
  local req bad
  read -r _ _ _ _ _ _ req _ bad < <(tail -n 1 "$raw")
  [ "$req" -gt 0 ] || check_failed "$1 $2 round $3: no 2xx answer to curl"
  [ "$bad" -eq 0 ] || check_failed "$1 $2 round $3: $bad answers to curl were not 2xx"
}

# The raw SQLite writer for the wrk duration, on the disk that holds the
# database: its rows/s in $raw (no latencies: it is one connection).
writer_run() { # round
  local log="$dir/logs/sqlite.writer.$1.txt"
  "$writer" "$dir/writer.db" --seconds "$duration" > "$log" 2>&1 || true
  rm -f "$dir/writer.db" "$dir/writer.db-wal" "$dir/writer.db-shm"
  local rows rate
  read -r _ rows _ _ _ rate < "$log" || true
  [ -n "${rate:-}" ] && [ "${rows:-0}" -gt 0 ] || { check_failed "sqlite writer round $1: $(head -c 200 "$log")"; rate=0; }
  echo "sqlite writer $1 $rate -1 -1 ${rows:-0} 0 0" >> "$raw"
}

# pgbench on the same cluster: one 200-byte row per transaction from as
# many clients as wrk has connections; p50/p99 from its per-transaction log.
pgbench_run() { # round
  local log="$dir/logs/postgres.writer.$1.txt"
  psql -X -q "$pg_url/pgref" -c 'TRUNCATE bench_rows' >/dev/null
  rm -f "$dir"/pgbench_log*
  "$pgbin/pgbench" -n -c "$connections" -j "$threads" -T "$duration" -f "$dir/pgbench.sql" \
    -l --log-prefix="$dir/pgbench_log" "$pg_url/pgref" > "$log" 2>&1 || true
  local tps failed p50 p99 n
  tps=$(awk '/^tps = / {print $3; exit}' "$log")
  failed=$(awk '/number of failed transactions/ {print $5; exit}' "$log")
  n=$(cat "$dir"/pgbench_log* 2>/dev/null | wc -l)
  read -r p50 p99 < <(cat "$dir"/pgbench_log* 2>/dev/null | awk '{print $3 / 1000}' | sort -g |
    awk '{a[NR] = $1} END {if (NR) printf "%.3f %.3f\n", a[int(NR * 0.5) + (NR * 0.5 > int(NR * 0.5))], a[int(NR * 0.99) + (NR * 0.99 > int(NR * 0.99))]; else print "-1 -1"}')
  rm -f "$dir"/pgbench_log*
  [ -n "$tps" ] && [ "$n" -gt 0 ] || { check_failed "pgbench round $1: $(tail -n 3 "$log" | tr '\n' ' ')"; tps=0; }
  [ "${failed:-0}" -eq 0 ] || check_failed "pgbench round $1: $failed failed transactions"
  echo "postgres writer $1 ${tps:-0} $p50 $p99 $n 0 ${failed:-0}" >> "$raw"
}

sql() { # query: one value a line
  if [ "$backend" = sqlite ]; then sqlite3 -batch "$sqlite_path" "$1"; else psql -X -At "$db" -c "$1"; fi
}

secs_since() { awk -v t0="$1" -v t1="$EPOCHREALTIME" 'BEGIN {printf "%.1f", t1 - t0}'; }

# ---- per backend ----

declare -A load_base load_top demo_times hwm anon
# The demo's summary line "time 12.3 s (areas ..., cases ...)", without "time".
demo_time() { sed -n 's/^  time *//p' "$1" | head -n 1; }
figures_from=$(TZ=Asia/Shanghai date -d '90 days ago' +%F)
for backend in "${backend_list[@]}"; do
  if [ "$backend" = sqlite ]; then
    sqlite_path=$dir/sqlite/wangge.db
    mkdir -p "$dir/sqlite"
    db=sqlite:$sqlite_path
    unset WANGGE_KEY_FILE
  else
    pg_dir=$(mktemp -d /tmp/wangge-bench-pg.XXXXXX)
    pg_url=$(scripts/pg.sh start "$pg_dir" on)   # fsync on: the writes are durable
    psql -X -q "$pg_url/postgres" -c 'CREATE DATABASE wangge' -c 'CREATE DATABASE pgref' >/dev/null
    psql -X -q "$pg_url/pgref" -c 'CREATE TABLE bench_rows (id bigserial PRIMARY KEY, payload text NOT NULL)' >/dev/null
    echo "INSERT INTO bench_rows (payload) VALUES (repeat('x', 200));" > "$dir/pgbench.sql"
    db=$pg_url/wangge
    export WANGGE_KEY_FILE=$dir/pg.key   # PostgreSQL keeps no key file beside it
  fi

  say "$backend: wangge demo --scale $scale --cases $base_cases"
  t0=$EPOCHREALTIME
  echo 'bench-admin-password-1' | "$bin" init --db "$db" > "$dir/logs/$backend.init.txt" 2>&1 ||
    { cat "$dir/logs/$backend.init.txt" >&2; exit 1; }
  "$bin" demo --db "$db" --scale "$scale" --cases "$base_cases" > "$dir/logs/$backend.demo-base.txt" 2>&1 ||
    { cat "$dir/logs/$backend.demo-base.txt" >&2; exit 1; }
  load_base[$backend]=$(secs_since "$t0")
  demo_times[$backend]="first run: $(demo_time "$dir/logs/$backend.demo-base.txt")"
  export TOKEN
  TOKEN=$("$bin" token create --db "$db" --name bench --role admin --area 000000 2>> "$dir/logs/token.err") ||
    { cat "$dir/logs/token.err" >&2; exit 1; }
  export AREA FROM="$figures_from" GRIDS AREAS FIRST_ID LAST_ID
  AREA=$(sql 'SELECT code FROM areas WHERE level = 2 ORDER BY code LIMIT 1')
  GRIDS=$(sql 'SELECT code FROM areas WHERE level = 5 ORDER BY code' | paste -sd, -)
  AREAS=$GRIDS

  say "$backend: county figures at $base_cases cases"
  start_server "$db"
  for round in $(seq "$rounds"); do
    wrk_run "$backend" figures_base "$round" "$addr/" bench/lua/figures.lua
    figures_time "$backend" figures_base_time "$round"
  done
  stop_server

  if [ "$cases" -gt "$base_cases" ]; then
    say "$backend: wangge demo --cases $cases (top-up)"
    t0=$EPOCHREALTIME
    "$bin" demo --db "$db" --scale "$scale" --cases "$cases" > "$dir/logs/$backend.demo-top.txt" 2>&1 ||
      { cat "$dir/logs/$backend.demo-top.txt" >&2; exit 1; }
    load_top[$backend]=$(secs_since "$t0")
    demo_times[$backend]+="; top-up: $(demo_time "$dir/logs/$backend.demo-top.txt")"
  else
    load_top[$backend]=0
  fi
  read -r FIRST_ID LAST_ID < <(sql "SELECT MIN(id) || ' ' || MAX(id) FROM cases")

  start_server "$db"
  for round in $(seq "$rounds"); do
    say "$backend: round $round of $rounds"
    wrk_run "$backend" nginx "$round" "http://127.0.0.1:$nginx_port/static.json"
    wrk_run "$backend" case_by_id "$round" "$addr/" bench/lua/case_by_id.lua
    wrk_run "$backend" open_cases "$round" "$addr/" bench/lua/open_cases.lua
    if [ "$backend" = sqlite ]; then writer_run "$round"; else pgbench_run "$round"; fi
    wrk_run "$backend" post_case "$round" "$addr/" bench/lua/post_case.lua
    wrk_run "$backend" figures "$round" "$addr/" bench/lua/figures.lua
    figures_time "$backend" figures_time "$round"
  done
  stop_server
  hwm[$backend]=$hwm_kb anon[$backend]=$anon_kb
  if [ "$backend" = postgres ]; then scripts/pg.sh stop "$pg_dir"; pg_dir=""; fi
done

# ---- the table ----

# One awk over $raw (processes are slow to start on a loaded machine): the
# medians of the rounds per backend and case, the ratios, the verdicts.
memory=""
for backend in "${backend_list[@]}"; do memory+="$backend ${hwm[$backend]} ${anon[$backend]} "; done
table=$dir/table.md
awk -v backends="${backend_list[*]}" -v memory="$memory" -v base_label="$(printf "%'d" "$base_cases")" \
    -v full_label="$(printf "%'d" "$cases")" '
  { key = $1 SUBSEP $2; n[key]++; rps[key, n[key]] = $4; p50[key, n[key]] = $5; p99[key, n[key]] = $6; err[key] += $8 + $9 }
  function median(arr, key,   m, i, j, v, t) {
    m = n[key]; if (!m) return -1
    for (i = 1; i <= m; i++) v[i] = arr[key, i]
    for (i = 2; i <= m; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
  }
  function num(v, d) { return v < 0 ? "–" : sprintf("%.*f", d, v) }
  function ratio(a, b) { return a <= 0 || b <= 0 ? -1 : a / b }
  function times(r) { return r < 0 ? "–" : sprintf(r < 0.1 ? "%.3f×" : "%.2f×", r) }
  function verdict(r, op, t) {
    if (r < 0) return "no figure"
    if (op == ">=") return r >= t ? "met" : sprintf("not met: %.0f%% short", (1 - r / t) * 100)
    return r <= t ? "met" : sprintf("not met: %.0f%% over", (r / t - 1) * 100)
  }
  function paren(b, text) { return b == "sqlite" ? text : "(" text ")" }
  function row(b, label, c, ref, r, target, op, t,   k) {
    k = b SUBSEP c
    printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", label, b, num(median(rps, k), median(rps, k) < 10 ? 2 : 0),
      num(median(p50, k), 2), num(median(p99, k), 2), err[k] + 0, ref, r == "" ? "" : times(r),
      target == "" ? "" : paren(b, target), target == "" ? "" : paren(b, verdict(r, op, t))
  }
  END {
    print "| case | backend | req/s | p50 ms | p99 ms | errors | reference | ratio | target | |"
    print "|---|---|--:|--:|--:|--:|---|--:|---|---|"
    nm = split(memory, mem, " ")
    for (i = 1; i <= nm; i += 3) { hwm[mem[i]] = mem[i + 1] / 1024; anon[mem[i]] = mem[i + 2] / 1024 }
    nb = split(backends, bs, " ")
    for (i = 1; i <= nb; i++) {
      b = bs[i]
      nginx = median(rps, b SUBSEP "nginx")
      writer = median(rps, b SUBSEP "writer")
      wl = b == "sqlite" ? "raw SQLite, 100 rows/tx (rows/s)" : "pgbench insert-only (tx/s)"
      row(b, "nginx static 2 KB *(reference)*", "nginx")
      row(b, "GET case by id", "case_by_id", "nginx", ratio(median(rps, b SUBSEP "case_by_id"), nginx), "≥ 1.0×", ">=", 1.0)
      row(b, "GET grid'"'"'s open cases (page of 50)", "open_cases", "nginx", ratio(median(rps, b SUBSEP "open_cases"), nginx))
      row(b, wl " *(reference)*", "writer")
      row(b, "POST case (durable)", "post_case", wl, ratio(median(rps, b SUBSEP "post_case"), writer), "≥ 0.5×", ">=", 0.5)
      row(b, "county figures at " base_label " cases, under load", "figures_base")
      row(b, "county figures at " full_label " cases, under load", "figures", "the same at " base_label,
        ratio(median(rps, b SUBSEP "figures"), median(rps, b SUBSEP "figures_base")))
      row(b, "county figures at " base_label " cases, one at a time *(reference)*", "figures_base_time")
      # the target: time per request at the full count over that at the base
      row(b, "county figures at " full_label " cases, one at a time", "figures_time", "the same at " base_label " (time)",
        ratio(median(p50, b SUBSEP "figures_time"), median(p50, b SUBSEP "figures_base_time")), "≤ 1.5×", "<=", 1.5)
      printf "| peak RSS under load | %s | %.1f MB | | | | beyond the page cache (RssAnon): %.1f MB | | %s | %s |\n",
        b, hwm[b], anon[b], paren(b, "≤ 64 MB"), paren(b, verdict(anon[b] / 64, "<=", 1))
    }
  }' "$raw" > "$table"

[ -s "$table" ] || check_failed "no table"
cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
ram=$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
read -r tmp_dev tmp_fs < <(findmnt -no SOURCE,FSTYPE -T "$dir" 2>/dev/null || echo "? ?")
rota=$(cat "/sys/block/$(basename "$tmp_dev")/queue/rotational" 2>/dev/null || echo "?")
case $rota in 0) rota="not rotational" ;; 1) rota=rotational ;; *) rota="rotational: unknown" ;; esac
commit=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
git diff --quiet HEAD 2>/dev/null || commit="$commit with local changes"
{
  echo "# make bench: results"
  echo
  echo "Run $(date -u '+%Y-%m-%d %H:%M UTC'); wangge $commit ($build, $("$bin" --version 2>/dev/null | head -n 1 || true))."
  echo
  echo "Command: \`$command_line\`$([ -n "${MAKELEVEL:-}" ] && echo " (through \`make bench\`)")$(env | grep '^BENCH_' | sed 's/^/ /' | tr -d '\n')"
  echo
  echo "Settings: \`wangge demo --scale $scale\`, $(printf "%'d" "$cases") cases (the county figures also at $(printf "%'d" "$base_cases")), $rounds rounds of \`wrk -t$threads -c$connections -d${duration}s --timeout 30s\` per case; figures from $figures_from (the demo's 90 days); the medians of the rounds."
  echo
  echo "Machine: $(nproc) cores ($cpu), $ram RAM, $(uname -sr), /tmp on $tmp_dev ($tmp_fs, $rota)."
  echo "Versions: SQLite $(sqlite3 --version 2>/dev/null | cut -d' ' -f1), $("$pgbin/postgres" --version 2>/dev/null), $(nginx -v 2>&1 | sed 's|nginx version: ||'), $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)."
  echo
  for backend in "${backend_list[@]}"; do
    echo "Loading ($backend): \`wangge init\` and \`wangge demo\` to $(printf "%'d" "$base_cases") cases in ${load_base[$backend]} s, topped up to $(printf "%'d" "$cases") in ${load_top[$backend]} s (the demo's own account: ${demo_times[$backend]:-?})."
  done
  echo
  cat "$table"
  echo
  echo "Targets (issue 6) are for SQLite; PostgreSQL's are shown in parentheses beside them. Ratios are of medians of"
  echo "req/s, except the figures' target: the median time of a request sent alone (curl, one connection, after the wrk"
  echo "run; its req/s is 1 / that time) at the full count over that at the base. Peak RSS is the server's VmHWM;"
  echo "\"beyond the page cache\" is its largest sampled RssAnon (RSS less file-backed and shared pages)."
  if [ -s "$checks" ]; then
    echo
    echo "Checks that failed:"
    sed 's/^not ok - /- /' "$checks"
  fi
} > "$dir/results.md"
mkdir -p "$(dirname "$out")"
cp "$dir/results.md" "$out.tmp" && mv "$out.tmp" "$out"
[ -s "$out" ] && grep -q '^| GET case by id |' "$out" || check_failed "the results file $out was not written"
cat "$out"
if [ -s "$checks" ]; then
  echo "bench: $(wc -l < "$checks") checks failed" >&2
  exit 1
fi
[ "$smoke" = 0 ] || echo "ok - bench smoke: every run answered, all 2xx; the table is in $out"
