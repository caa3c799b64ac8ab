#!/usr/bin/env bash
# Builds and runs every test of wangge: unit (cmocka), API (node --test)
# against SQLite and PostgreSQL, the browser test, make bench's smoke run, and
# the unit and API tests again under AddressSanitizer + UndefinedBehaviorSanitizer.
# Ends with one line: "N passed, N failed" (", N skipped" when any).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
logs=$root/build/test-logs
jobs=${JOBS:-2}

scripts/deps.sh test || exit 1

setup() { # dir, meson options...
  scripts/build.sh "$@" || { echo "test: build $1 failed" >&2; exit 1; }
}
setup build
setup build-asan -Dbuildtype=debug -Db_sanitize=address,undefined -Db_lundef=false
rm -rf "$logs"; mkdir -p "$logs"

pgdir=$(mktemp -d /tmp/wangge-pg.XXXXXX)
keydir=$(mktemp -d /tmp/wangge-keys.XXXXXX)
trap 'scripts/pg.sh stop "$pgdir"; rm -rf "$keydir"' EXIT
# PostgreSQL keeps no files beside it: its test databases share one key file.
pg_keys=$keydir/pg.key
pg_url=$(scripts/pg.sh start "$pgdir") || { echo "test: cannot start PostgreSQL" >&2; exit 1; }

export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
passed=0; failed=0; skipped=0

tally() { # suite name, log file, pass, fail, skip
  printf '%-28s %4d passed, %d failed%s\n' "$1" "$3" "$4" "$([ "$5" -gt 0 ] && echo ", $5 skipped")"
  passed=$((passed + $3)); failed=$((failed + $4)); skipped=$((skipped + $5))
  if [ "$4" -gt 0 ]; then
    echo "---- $1: failures (full log: ${2#$root/}) ----"
    grep -E -B2 -A30 '^not ok|\[  FAILED  \]|\[  ERROR   \]|ERROR: AddressSanitizer|runtime error' "$2" | head -n 120
    echo "----"
  fi
}

unit() { # build dir, suite name
  local p=0 f=0 s=0 log="$logs/$2.log"
  : > "$log"
  for t in "$1"/test_*; do
    [ -f "$t" ] && [ -x "$t" ] || continue
    local out rc
    out=$(WANGGE_TEST_PG="$pg_url" CMOCKA_MESSAGE_OUTPUT=stdout "$t" 2>&1); rc=$?
    printf '%s\n' "$out" >> "$log"
    local ok bad sk
    ok=$(printf '%s\n' "$out" | awk '/^\[  PASSED  \] [0-9]+ test/ {s += $4} END {print s + 0}')
    bad=$(printf '%s\n' "$out" | awk '/^\[  FAILED  \] [0-9]+ test/ {s += $4} END {print s + 0}')
    # A skip is reported, never silent: it names a test that did not run.
    sk=$(printf '%s\n' "$out" | awk '/^\[  SKIPPED \] [0-9]+ test/ {s += $4} END {print s + 0}')
    p=$((p + ${ok:-0})); f=$((f + ${bad:-0})); s=$((s + ${sk:-0}))
    # A crash leaves no summary: count it as a failure.
    if [ "$rc" -ne 0 ] && [ "${bad:-0}" -eq 0 ]; then f=$((f + 1)); echo "[  FAILED  ] $t exited $rc" >> "$log"; fi
  done
  tally "$2" "$log" "$p" "$f" "$s"
}

node_suite() { # suite name, env assignments..., -- files...
  local name=$1; shift
  local envs=()
  while [ "$1" != -- ]; do envs+=("$1"); shift; done
  shift
  local log="$logs/$name.log"
  env "${envs[@]}" node --test --test-concurrency="$jobs" "$@" > "$log" 2>&1
  local rc=$?
  local p f s
  p=$(sed -n 's/^# pass \([0-9]*\)/\1/p' "$log" | tail -n1)
  f=$(sed -n 's/^# fail \([0-9]*\)/\1/p' "$log" | tail -n1)
  s=$(sed -n 's/^# skipped \([0-9]*\)/\1/p' "$log" | tail -n1)
  p=${p:-0}; f=${f:-0}; s=${s:-0}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  tally "$name" "$log" "$p" "$f" "$s"
}

# make bench's harness, in its smoke mode: one pass or one fail (it checks
# its own runs and prints "not ok - ..." for each that failed). On the
# optimized build make bench uses (build-bench), so that a warning only the
# optimizer raises fails here rather than first in make bench.
bench_smoke() {
  local log="$logs/bench-smoke.log"
  if bench/run.sh --smoke --build build-bench > "$log" 2>&1; then
    tally bench-smoke "$log" 1 0 0
  else
    tally bench-smoke "$log" 0 1 0
  fi
}

api_files=(tests/api/*.test.mjs)
unit build unit
node_suite api-sqlite WANGGE_BIN=build/wangge -- "${api_files[@]}"
node_suite api-postgres WANGGE_BIN=build/wangge WANGGE_TEST_PG="$pg_url" WANGGE_KEY_FILE="$pg_keys" -- "${api_files[@]}"
node_suite browser WANGGE_BIN=build/wangge -- tests/browser/*.test.mjs
bench_smoke
unit build-asan unit-asan
node_suite api-sqlite-asan WANGGE_BIN=build-asan/wangge -- "${api_files[@]}"
node_suite api-postgres-asan WANGGE_BIN=build-asan/wangge WANGGE_TEST_PG="$pg_url" WANGGE_KEY_FILE="$pg_keys" -- "${api_files[@]}"

echo
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
