#!/usr/bin/env bash
# Builds the libFuzzer targets (test/fuzz) with clang in build-fuzz/ and runs each for SECONDS, two at a
# time, on a copy of its seed corpus. Fails if any target finds a crash, a leak, a hang or undefined
# behaviour; the input that did it is kept in build-fuzz/artifacts/<target>/ and the tail of the report is
# printed. scripts/test.sh runs every target for 60 s.
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]     (targets: the folders of test/fuzz/corpus/)
#   scripts/fuzz.sh 1800 csv      # half an hour on the CSV reader
# The corpus grows in build-fuzz/corpus/<target>/ between local runs; copy inputs worth keeping (small ones
# that reach new code) into test/fuzz/corpus/<target>/.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

seconds=${1:-60}
shift || true
if [[ ! $seconds =~ ^[0-9]+$ ]]; then
  echo "fuzz: SECONDS must be a whole number, not '$seconds'" >&2
  exit 2
fi
if (($# > 0)); then
  targets=("$@")
else
  mapfile -t targets < <(find test/fuzz/corpus -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort)
fi
((seconds > 0)) || { echo "fuzz: 0 seconds: no fuzzing" >&2; exit 0; }

started=$SECONDS
REGISTRY_BUILD_DIR=build-fuzz REGISTRY_BUILD_TARGET=fuzzers bash scripts/build.sh \
  -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" \
  -DREGISTRY_BUILD_FUZZERS=ON -DREGISTRY_BUILD_TESTS=OFF
echo "fuzz: build-fuzz built in $((SECONDS - started)) s" >&2

# One target: fuzz for $seconds on build-fuzz/corpus/<target> (seeded from the kept corpus), log to a file.
run_target() {
  local name=$1 bin=build-fuzz/test/fuzz/fuzz_$1
  local corpus=build-fuzz/corpus/$name artifacts=build-fuzz/artifacts/$name log=build-fuzz/fuzz-$name.log
  local -a options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
                    -artifact_prefix="$artifacts/")
  [[ -f test/fuzz/$name.dict ]] && options+=(-dict="test/fuzz/$name.dict")
  mkdir -p "$corpus" "$artifacts"
  cp -n test/fuzz/corpus/"$name"/* "$corpus"/
  # The bundled plugins (not their tests) seed the plugin loader without being copied into its corpus.
  if [[ $name == plugin_load ]]; then
    find plugins -name '*.lua' ! -name '*_test.lua' ! -name '*.d.lua' -exec cp -n {} "$corpus"/ \;
  fi
  # -close_fd_mask=1: stdout closed, so nothing a target prints fills the log; reports go to stderr.
  local status=0
  "$bin" "${options[@]}" -close_fd_mask=1 "$corpus" >"$log" 2>&1 || status=$?
  echo "$status" >"build-fuzz/fuzz-$name.status"
}

ran=()
failed=0
for name in "${targets[@]}"; do
  if [[ ! -x build-fuzz/test/fuzz/fuzz_$name || ! -d test/fuzz/corpus/$name ]]; then
    echo "fuzz: no target '$name' (test/fuzz/corpus/$name and build-fuzz/test/fuzz/fuzz_$name)" >&2
    failed=1
    continue
  fi
  # Two at a time: one per core of the CI machine.
  while (($(jobs -rp | wc -l) >= 2)); do wait -n || true; done
  rm -f "build-fuzz/fuzz-$name.status"
  run_target "$name" &
  ran+=("$name")
done
wait

for name in "${ran[@]}"; do
  log=build-fuzz/fuzz-$name.log
  if [[ $(cat "build-fuzz/fuzz-$name.status" 2>/dev/null) == 0 ]]; then
    # "stat::number_of_executed_units: N" and friends, from -print_final_stats.
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1)
    echo "fuzz: $name ok: $runs inputs in ${seconds} s, $cov" >&2
  else
    failed=1
    echo "fuzz: $name FAILED; the end of its log ($log) follows" >&2
    tail -n 60 "$log" >&2
    echo "fuzz: $name: the input is in build-fuzz/artifacts/$name/; rerun it with" \
      "build-fuzz/test/fuzz/fuzz_$name <file>, then add it as a test case (docs/TESTING.md)" >&2
  fi
done
exit "$failed"
