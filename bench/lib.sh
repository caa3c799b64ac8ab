# Shared by the bench scripts (sourced): an optimized build in build-bench,
# a scratch directory $dir, and nginx serving $dir/www on $nginx_port as the
# reference server. The caller fills $dir/www and traps the clean-up.
bench_build() { # [dir]: scripts/build.sh configures again when migrations come or go
  scripts/build.sh "${1:-build-bench}" -Dbuildtype=release -Dtests=false
}
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
bench_nginx() { # uses $dir when the caller made one
  dir=${dir:-$(mktemp -d /tmp/wangge-bench.XXXXXX)}
  nginx_port=$(free_port)
  mkdir -p "$dir/www" "$dir/tmp"
  sed -e "s|@DIR@|$dir|g" -e "s|@PORT@|$nginx_port|g" bench/nginx.conf.in > "$dir/nginx.conf"
  nginx -c "$dir/nginx.conf" -p "$dir" & nginx_pid=$!
}
