#!/usr/bin/env bash
# Benchmarks (not tests). Builds Release, starts a private MariaDB under build/bench-mariadb/, runs each
# benchmark beside its baseline in the same run, and writes the tables into docs/PERFORMANCE.md between
# the markers of each section (the rest of that file is prose, kept as it is).
#   scripts/bench.sh            # every benchmark, default sizes
#   RUNS=5 ROWS=100000 scripts/bench.sh
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

bash scripts/build.sh -DREGISTRY_BUILD_TESTS=ON

# shellcheck source=scripts/mariadb.sh
source scripts/mariadb.sh
trap 'mariadb_stop "$root/build/bench-mariadb" || true' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mariadb_start "$root/build/bench-mariadb"

runs=${RUNS:-5}
rows=${ROWS:-100000}
baseline_rows=${BASELINE_ROWS:-20000}
out=build/bench
mkdir -p "$out"

echo "bench: bulk writer, $rows rows x $runs runs (baseline $baseline_rows rows)" >&2
build/test/bench/bulk_writer_bench --rows "$rows" --runs "$runs" --baseline-rows "$baseline_rows" \
  --mysql "$REGISTRY_TEST_MYSQL_URL" > "$out/bulk-writer.md"

# Replaces the lines between <!-- NAME:begin --> and <!-- NAME:end --> in docs/PERFORMANCE.md.
replace_section() {
  local name=$1 file=$2 doc=docs/PERFORMANCE.md
  {
    echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')),"
    echo "MariaDB $(mariadbd --version | grep -o '[0-9]*\.[0-9]*\.[0-9]*' | head -1), SQLite $(sqlite3 --version | cut -d' ' -f1)."
    echo "Command: \`RUNS=$runs ROWS=$rows BASELINE_ROWS=$baseline_rows scripts/bench.sh\`"
    echo
    cat "$file"
  } > "$out/$name.section"
  awk -v begin="<!-- $name:begin -->" -v end="<!-- $name:end -->" -v section="$out/$name.section" '
    $0 == begin { print; while ((getline line < section) > 0) print line; skip = 1; next }
    $0 == end { skip = 0 }
    !skip { print }' "$doc" > "$doc.tmp"
  mv "$doc.tmp" "$doc"
}
replace_section bulk-writer "$out/bulk-writer.md"
cat "$out/bulk-writer.md"
echo "bench: results written to docs/PERFORMANCE.md" >&2
