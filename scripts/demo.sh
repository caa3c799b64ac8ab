#!/usr/bin/env bash
# The demo database of `make run`: a small area tree and one user per role,
# with fixed demo passwords printed at every start. Demo only: never use
# these passwords on a real installation.
#   scripts/demo.sh DB_PATH
set -euo pipefail
cd "$(dirname "$0")/.."
db=$1
w=build/wangge
url="sqlite:$db"
if [ ! -f "$db" ]; then
  mkdir -p "$(dirname "$db")"
  echo 'demo-admin-pass' | $w init --db "$url" >/dev/null
  add_area() { $w area add --db "$url" --code "$1" --name "$2" --level "$3" --parent "$4" >/dev/null; }
  add_area 610100 西安市 city 000000
  add_area 610102 新城区 county 610100
  add_area 610102001 西一路街道 town 610102
  add_area 610102001001 东风社区 community 610102001
  add_area 610102001001-01 东风社区第一网格 grid 610102001001
  add_area 610102001001-02 东风社区第二网格 grid 610102001001
  add_area 610102001002 西关社区 community 610102001
  add_area 610102001002-01 西关社区第一网格 grid 610102001002
  add_user() { echo "demo-$2-pass" | $w user add --db "$url" --login "$1" --role "$2" --area "$3" --name "$4" --password-stdin >/dev/null; }
  add_user commander commander 610102 指挥中心值班员
  add_user staff staff 610102001001 东风社区工作人员
  add_user grid grid_worker 610102001001-01 网格员王芳
  add_user handler handler 610102 城管局办事员
  add_user sampler sampler 610102001001-01 采样员李强
  add_user checkpoint checkpoint 610102001001-01 卡口值守员
  add_user volunteer volunteer 610102001001-01 志愿者张敏
  add_user resident resident 610102001001-01 居民赵大爷
fi
cat <<'TXT'
wangge demo users (login / password):
  admin      / demo-admin-pass        系统管理员 (全域)
  commander  / demo-commander-pass    指挥中心 (新城区)
  staff      / demo-staff-pass        社区 (东风社区)
  grid       / demo-grid_worker-pass  网格员 (东风社区第一网格)
  handler    / demo-handler-pass      部门 (新城区)
  sampler    / demo-sampler-pass      采样员
  checkpoint / demo-checkpoint-pass   卡口
  volunteer  / demo-volunteer-pass    志愿者
  resident   / demo-resident-pass     居民
TXT
