#!/usr/bin/env bash
# Import benchmark: N persons (default 100,000) from CSV into a fresh SQLite
# database, dry run then commit, with the time of a plain `wc` read of the
# same file as the reference run in the same invocation.
#   bench/import.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
scripts/deps.sh build >/dev/null
scripts/build.sh build-bench -Dbuildtype=release -Dtests=false
dir=$(mktemp -d /tmp/wangge-bench-import.XXXXXX)
trap 'rm -rf "$dir"' EXIT
w=build-bench/wangge
db="sqlite:$dir/bench.db"
echo 'bench-admin-password' | $w init --db "$db" >/dev/null 2>&1
node bench/gen-register.mjs "$n" 000000 > "$dir/register.csv"
secs() { local t0 t1; t0=$(date +%s.%N); "$@" > "$dir/last.out" 2>&1 || { cat "$dir/last.out"; exit 1; }; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l 2>/dev/null || awk "BEGIN {print $t1 - $t0}"; }
ref=$(secs wc -l "$dir/register.csv")
dry=$(secs $w import "$dir/register.csv" --dry-run --db "$db")
commit=$(secs $w import "$dir/register.csv" --db "$db")
again=$(secs $w import "$dir/register.csv" --db "$db")
printf 'import of %d persons (%s MB CSV), SQLite WAL synchronous=FULL, one transaction\n' "$n" "$(du -m "$dir/register.csv" | cut -f1)"
printf '%-26s %8s s %12s rows/s\n' "reference: wc -l" "$ref" "$(awk "BEGIN {printf \"%.0f\", $n / $ref}")"
for row in "dry run:$dry" "commit (new):$commit" "commit again (updates):$again"; do
  label=${row%%:*}; t=${row#*:}
  printf '%-26s %8.2f s %12s rows/s   %6.0fx the reference time\n' "$label" "$t" "$(awk "BEGIN {printf \"%.0f\", $n / $t}")" "$(awk "BEGIN {print $t / $ref}")"
done
tail -n 1 "$dir/last.out"
