#!/usr/bin/env bash
# Builds funeral-registry into build/ (Release). Quiet when it works; on failure
# prints the compiler/CMake diagnostics and exits non-zero.
#
# Usage: scripts/build.sh [-DVAR=VALUE ...]
#   Extra arguments go to the CMake configure step. Without them, CMake is
#   configured only once (when build/ has no cache yet); with them, it is
#   re-configured so the values take effect on an existing build/.
# Environment: REGISTRY_BUILD_DIR builds into another directory (default build; scripts/test.sh uses
# build-asan and build-fuzz), REGISTRY_BUILD_TARGET builds one target instead of all.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

bash scripts/install-deps.sh

# ccache keys on paths relative to the checkout, so every clone and build directory shares one cache.
export CCACHE_BASEDIR="$root"

dir=${REGISTRY_BUILD_DIR:-build}
mkdir -p "$dir"

# Runs a step with its output in a log; shows the log only when the step fails.
# Make's "[ 42%] Building ..." progress lines are dropped so the errors stand out.
quietly() {
  local what=$1 log=$2
  shift 2
  if ! "$@" >"$log" 2>&1; then
    {
      echo "build: $what failed; diagnostics follow (full log: $log)"
      grep -vE '^\[ *[0-9]+%\] ' "$log" || true
      echo "build: $what failed (full log: $log)"
    } >&2
    exit 1
  fi
}

# A configure that failed half-way leaves a cache but no build system; redo it then.
if [[ ! -f $dir/CMakeCache.txt || (! -f $dir/Makefile && ! -f $dir/build.ninja) || $# -gt 0 ]]; then
  quietly "CMake configure" "$dir/configure.log" \
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@"
fi

echo "build: compiling (log: $dir/build.log)" >&2
quietly "compile" "$dir/build.log" cmake --build "$dir" -j"$(nproc)" ${REGISTRY_BUILD_TARGET:+--target "$REGISTRY_BUILD_TARGET"}
echo "build: ok -> $dir/${REGISTRY_BUILD_TARGET:-funeral-registry}" >&2
