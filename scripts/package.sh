#!/usr/bin/env bash
# Builds the Debian package: funeral-registry into build/ (Release, as scripts/build.sh does), then
# `cpack -G DEB` there, which writes build/funeral-registry_<version>_<arch>.deb (docs/OPERATIONS.md,
# "Installing from the .deb"). REGISTRY_BUILD_DIR builds in another directory.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

dir=${REGISTRY_BUILD_DIR:-build}
# Only the program: the package holds nothing else that is built.
REGISTRY_BUILD_TARGET=funeral-registry bash scripts/build.sh "$@"
(cd "$dir" && cpack -G DEB >cpack.log 2>&1) || {
    cat "$dir/cpack.log" >&2
    echo "package: cpack -G DEB failed (log: $dir/cpack.log)" >&2
    exit 1
}
ls "$dir"/funeral-registry_*.deb
