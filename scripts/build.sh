#!/usr/bin/env bash
# Configures (once) and builds one build directory. Meson lists web/ and
# the migrations when it configures, so a file added or removed there makes
# it configure again.   scripts/build.sh DIR [meson options...]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$1; shift
files=$( (find web src/store/migrations -type f | LC_ALL=C sort) | sha256sum | cut -d' ' -f1)
if [ ! -f "$dir/build.ninja" ]; then
  meson setup "$dir" "$@" >/dev/null
elif [ "$(cat "$dir/.wangge-files" 2>/dev/null)" != "$files" ]; then
  meson setup --reconfigure "$dir" >/dev/null
fi
echo "$files" > "$dir/.wangge-files"
out=$(ninja -C "$dir" -j "${JOBS:-2}" --quiet 2>&1) || { printf '%s\n' "$out"; exit 1; }
printf '%s\n' "$out" | grep -v '^ninja: no work to do' || true
