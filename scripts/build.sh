#!/usr/bin/env bash
# Builds funeral-registry into build/ (Release). Quiet when it works; on failure
# prints the compiler/CMake diagnostics and exits non-zero.
#
# Usage: scripts/build.sh [-DVAR=VALUE ...]
#   Extra arguments go to the CMake configure step. Without them, CMake is
#   configured only once (when build/ has no cache yet); with them, it is
#   re-configured so the values take effect on an existing build/.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

bash scripts/install-deps.sh

# ccache keys on paths relative to the checkout, so every clone and build directory shares one cache.
export CCACHE_BASEDIR="$root"

mkdir -p build

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
if [[ ! -f build/CMakeCache.txt || (! -f build/Makefile && ! -f build/build.ninja) || $# -gt 0 ]]; then
  quietly "CMake configure" build/configure.log \
    cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@"
fi

echo "build: compiling (log: build/build.log)" >&2
quietly "compile" build/build.log cmake --build build -j"$(nproc)"
echo "build: ok -> build/funeral-registry" >&2
