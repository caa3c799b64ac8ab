#!/usr/bin/env bash
# The demo database of `make run`: `wangge demo` builds a town (西口回族镇:
# 10 villages and communities, 221 grids, ~30,000 households, ~100,000
# persons, units, one user per role) on first use. Demo passwords are fixed
# and printed at every start: never use them on a real installation.
#   scripts/demo.sh DB_PATH
set -euo pipefail
cd "$(dirname "$0")/.."
db=$1
if [ ! -f "$db" ]; then
  mkdir -p "$(dirname "$db")"
  build/wangge demo --db "sqlite:$db"
else
  cat <<'TXT'
demo users (login / password; demo only, never on a real installation):
  admin      / demo-admin-pass        系统管理员 (全域)
  commander  / demo-commander-pass    指挥中心 (互助土族自治县)
  staff      / demo-staff-pass        社区 (新华社区)
  grid       / demo-grid_worker-pass  网格员 (新华社区第1网格)
  handler    / demo-handler-pass      部门 (互助县城管局)
  sampler    / demo-sampler-pass      采样员 (新华社区第1网格)
  checkpoint / demo-checkpoint-pass   卡口 (新华社区第1网格)
  volunteer  / demo-volunteer-pass    志愿者 (新华社区第1网格)
  resident   / demo-resident-pass     居民 (新华社区第1网格)
TXT
fi
