#!/usr/bin/env bash
# ctest -L cluster: a three-node Galera cluster (test/cluster/galera.sh) under BUILD/cluster, the cluster test
# (cluster_test.py: three instances behind haproxy, node and instance killed under load), then every node
# stopped by its PID whatever happened. Usage: run.sh BINARY
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
binary=${1:?usage: run.sh BINARY}
dir=$(dirname "$binary")/cluster
for tool in haproxy mariabackup socat; do
  command -v "$tool" >/dev/null || { echo "cluster: $tool is not installed (scripts/install-deps.sh installs it)" >&2; exit 1; }
done
[[ -f /usr/lib/galera/libgalera_smm.so ]] || { echo "cluster: galera-4 is not installed (scripts/install-deps.sh)" >&2; exit 1; }
# shellcheck source=test/cluster/galera.sh
source "$here/galera.sh"
rm -rf "$dir"
trap 'galera_stop "$dir"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
galera_start "$dir" 3
timeout 600 python3 "$here/cluster_test.py" --binary "$binary" --dir "$dir" --ports "$GALERA_PORTS"
