# Shared by scripts/*: logging, paths, and a private PostgreSQL.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD_DIR=${FRONTDOOR_BUILD_DIR:-$ROOT/build}
JOBS=${FRONTDOOR_JOBS:-2}

step() { printf '\n==> [%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
note() { printf '    %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# PostgreSQL's server binaries live in a versioned directory on Debian.
pg_bin_dir() {
  local dir
  dir=$(pg_config --bindir 2>/dev/null || true)
  if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then echo "$dir"; return; fi
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ]; then echo "$dir"; return; fi
  done
  die "no PostgreSQL server found; run scripts/install-deps"
}

# initdb and postgres refuse to run as root.
as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# configure_and_build DIR [cmake args...]; BUILD_TARGETS limits what is built.
configure_and_build() {
  local build_dir=$1; shift
  mkdir -p "$build_dir"
  step "Configuring in ${build_dir#"$ROOT"/}"
  cmake -S "$ROOT" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >"$build_dir/configure.log" 2>&1 \
    || { cat "$build_dir/configure.log"; die "cmake configure failed"; }
  step "Building with -j$JOBS (log: ${build_dir#"$ROOT"/}/build.log)"
  local started=$SECONDS
  # Progress lines as they come, so a long first build shows it is alive.
  set +e
  local targets=()
  for target in ${BUILD_TARGETS:-}; do targets+=(--target "$target"); done
  cmake --build "$build_dir" -j "$JOBS" "${targets[@]}" 2>&1 | tee "$build_dir/build.log" \
    | grep --line-buffered -E '^\[ *[0-9]+%\] (Building|Linking)' | sed -u 's/^/    /'
  local build_status=${PIPESTATUS[0]}
  set -e
  if [ "$build_status" != 0 ]; then
    grep -E ': error:|Error [0-9]' "$build_dir/build.log" | head -40
    die "build failed; see $build_dir/build.log"
  fi
  note "built in $((SECONDS - started)) s"
}

# start_private_postgres DIR PORT: a throwaway cluster owned by the postgres user.
start_private_postgres() {
  local dir=$1 port=$2 bin
  bin=$(pg_bin_dir)
  rm -rf "$dir"
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  as_postgres "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale --no-sync \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log"; die "initdb failed"; }
  as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >/dev/null \
    || { tail -20 "$dir/postgres.log"; die "Postgres did not start (port $port taken?)"; }
}

stop_private_postgres() {
  local dir=$1
  [ -d "$dir/data" ] || return 0
  as_postgres "$(pg_bin_dir)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}

# wait_for_url URL SECONDS
wait_for_url() {
  local url=$1 seconds=$2 i
  for ((i = 0; i < seconds * 10; i++)); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
