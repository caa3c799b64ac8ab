#!/usr/bin/env bash
# Installs what wangge needs and is missing: Debian packages with apt-get,
# npm packages from package-lock.json with npm ci. Idempotent, and quiet
# when everything is present.  Usage: scripts/deps.sh build|test|bench
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-build}

build_pkgs=(build-essential meson ninja-build pkg-config libmicrohttpd-dev libjansson-dev
  libsqlite3-dev libpq-dev libsodium-dev zlib1g-dev libzip-dev libexpat1-dev libxlsxwriter-dev
  libcurl4-openssl-dev)
test_pkgs=(libcmocka-dev postgresql sqlite3 chromium fonts-wqy-microhei)
bench_pkgs=(wrk nginx-light postgresql curl) # pgbench comes with postgresql

pkgs=("${build_pkgs[@]}")
case "$profile" in
  build) ;;
  test) pkgs+=("${test_pkgs[@]}") ;;
  bench) pkgs+=("${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
  *) echo "usage: scripts/deps.sh build|test|bench" >&2; exit 2 ;;
esac
command -v node >/dev/null 2>&1 || pkgs+=(nodejs npm)
command -v npm >/dev/null 2>&1 || pkgs+=(npm)

missing=()
for p in "${pkgs[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Installing postgresql tries to start a cluster on 5432; wangge never
  # uses it (tests start their own), so keep the package from starting one.
  if printf '%s\n' "${missing[@]}" | grep -qx postgresql && [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod +x /usr/sbin/policy-rc.d
    trap '$sudo rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "$profile" != build ]; then
  # npm ci only when the lock file changed since the last install.
  stamp=node_modules/.wangge-lock.sha256
  want=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "deps: npm ci"
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
    echo "$want" > "$stamp"
  fi
fi
