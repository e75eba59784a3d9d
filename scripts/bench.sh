#!/usr/bin/env bash
# Benchmarks (not tests). Builds Release, starts a private MariaDB under build/bench-mariadb/, runs each
# benchmark beside its baseline in the same run, and writes the tables into docs/PERFORMANCE.md between
# the markers of each section (the rest of that file is prose, kept as it is).
#   scripts/bench.sh            # every benchmark, default sizes
#   scripts/bench.sh bulk|http|slow|public|writes|sandbox|import|scale|audit|metrics   # one of them (several may be named)
#   SCALE=100 AUDIT_RUNS=3 scripts/bench.sh audit   # its database (demo-data --scale) is built once, kept
#   RUNS=5 ROWS=100000 scripts/bench.sh
# REGISTRY_BUILD_DIR builds and runs from another build directory (default build).
# http, slow, public, writes, sandbox, import and scale are in scripts/bench-server.sh; they need wrk and nginx, installed here
# (benchmark-only packages, not by scripts/install-deps.sh).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

BENCH_APT_PACKAGES=(wrk nginx-light time)
benches=("$@")
((${#benches[@]})) || benches=(bulk http slow public writes sandbox import scale audit metrics)
wants() { local b; for b in "${benches[@]}"; do [[ $b == "$1" ]] && return 0; done; return 1; }
for b in "${benches[@]}"; do
  case $b in bulk | http | slow | public | writes | sandbox | import | scale | audit | metrics) ;; *) echo "bench: unknown benchmark '$b'" >&2; exit 2 ;; esac
done
missing=()
for pkg in "${BENCH_APT_PACKAGES[@]}"; do
  [[ $(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true) == "install ok installed" ]] || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "bench: installing ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
fi

bash scripts/build.sh -DREGISTRY_BUILD_TESTS=ON
build=${REGISTRY_BUILD_DIR:-build}
bin=$root/$build/funeral-registry

# shellcheck source=scripts/mariadb.sh
source scripts/mariadb.sh
# shellcheck source=scripts/bench-server.sh
source scripts/bench-server.sh
trap 'bench_server_cleanup; mariadb_stop "$root/$build/bench-mariadb" || true' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
if wants bulk || wants import; then mariadb_start "$root/$build/bench-mariadb"; fi

runs=${RUNS:-5}
rows=${ROWS:-100000}
baseline_rows=${BASELINE_ROWS:-20000}
out=$root/$build/bench
mkdir -p "$out"

# Replaces the lines between <!-- NAME:begin --> and <!-- NAME:end --> in docs/PERFORMANCE.md with FILE.
replace_section() {
  local name=$1 file=$2 doc=docs/PERFORMANCE.md
  awk -v begin="<!-- $name:begin -->" -v end="<!-- $name:end -->" -v section="$file" '
    $0 == begin { print; while ((getline line < section) > 0) print line; skip = 1; next }
    $0 == end { skip = 0 }
    !skip { print }' "$doc" > "$doc.tmp"
  mv "$doc.tmp" "$doc"
}

bench_bulk() {
  echo "bench: bulk writer, $rows rows x $runs runs (baseline $baseline_rows rows)" >&2
  "$build"/test/bench/bulk_writer_bench --rows "$rows" --runs "$runs" --baseline-rows "$baseline_rows" \
    --mysql "$REGISTRY_TEST_MYSQL_URL" > "$out/bulk-writer.md"
  {
    echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')),"
    echo "MariaDB $(mariadbd --version | grep -o '[0-9]*\.[0-9]*\.[0-9]*' | head -1), SQLite $(sqlite3 --version | cut -d' ' -f1)."
    echo "Command: \`RUNS=$runs ROWS=$rows BASELINE_ROWS=$baseline_rows scripts/bench.sh bulk\`"
    echo
    cat "$out/bulk-writer.md"
  } > "$out/bulk-writer.section"
  replace_section bulk-writer "$out/bulk-writer.section"
  cat "$out/bulk-writer.md"
}

# The audit runner (AuditService::runNow, default settings, workers = cores) beside a bare-Lua loop calling
# the same plugin functions over the same records as plain tables, in one process (test/bench/AuditBench.cpp).
bench_audit() {
  local scale=${SCALE:-100} audit_runs=${AUDIT_RUNS:-3}
  echo "bench: audit of demo-data --scale $scale x $audit_runs runs, beside the bare-Lua loop" >&2
  local load_before
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  "$build"/test/bench/audit_bench --scale "$scale" --runs "$audit_runs" --db "$out/audit-$scale.db" \
    --plugins plugins > "$out/audit.md"
  {
    echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')),"
    echo "SQLite $(sqlite3 --version | cut -d' ' -f1); load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared)."
    echo "Command: \`SCALE=$scale AUDIT_RUNS=$audit_runs scripts/bench.sh audit\`"
    echo
    cat "$out/audit.md"
  } > "$out/audit.section"
  replace_section audit "$out/audit.section"
  cat "$out/audit.md"
}

run_started=$(date -u '+%Y-%m-%d %H:%M UTC')
run_load=$(cut -d' ' -f1-3 /proc/loadavg)
for b in bulk http slow public writes sandbox import scale audit metrics; do
  if wants "$b"; then "bench_$b"; fi
done
# Every benchmark in this invocation: say so at the top, so that a reader knows the tables are one run.
if ((${#benches[@]} == 9)); then
  {
    echo "Every table below comes from one run of \`RUNS=$runs ${SCALE:+SCALE=$SCALE }scripts/bench.sh\`"
    echo "(all nine benchmarks), $run_started to $(date -u '+%H:%M UTC'), on $(nproc) cores"
    echo "($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo) RAM);"
    echo "load average at the start $run_load, at the end $(cut -d' ' -f1-3 /proc/loadavg)."
  } > "$out/run.section"
  replace_section run "$out/run.section"
fi
echo "bench: results written to docs/PERFORMANCE.md" >&2
