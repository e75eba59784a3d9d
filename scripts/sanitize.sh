#!/usr/bin/env bash
# Builds everything with AddressSanitizer (leak checking on) and UndefinedBehaviorSanitizer in build-asan/
# and runs every ctest entry there. Any report fails the test that caused it: the sanitized program aborts,
# and that includes the funeral-registry processes the app and API suites start (they inherit the options).
#
# scripts/test.sh runs this after starting its MariaDB (REGISTRY_TEST_MYSQL_URL must be set for the mysql
# half). Arguments go to ctest. Leaks of system libraries are suppressed in test/sanitizers/lsan.supp.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

started=$SECONDS
# -O1 -g1: reports name file and line; line tables only, which compile faster than full -g.
REGISTRY_BUILD_DIR=build-asan bash scripts/build.sh -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" -DREGISTRY_SANITIZE=ON -DREGISTRY_BUILD_TESTS=ON \
  -DREGISTRY_BUILD_BENCH=OFF
built=$SECONDS
echo "sanitize: build-asan built in $((built - started)) s" >&2

# abort_on_error: a report kills the program with SIGABRT, which no test can mistake for an expected exit.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1:check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=0
export LSAN_OPTIONS="suppressions=$root/test/sanitizers/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Every suite runs here, the browser walk and the fault suite included (about 5 minutes more under the
# sanitizers on 2 cores). REGISTRY_SANITIZE_QUICK=1 leaves those two out, for a quicker local pass.
exclude=()
[[ ${REGISTRY_SANITIZE_QUICK:-} != 1 ]] || exclude=(-E '^(web[.]browser|fault[.](sqlite|mysql))$')
status=0
ctest --test-dir build-asan --output-on-failure --no-tests=error "${exclude[@]}" "$@" || status=$?
echo "sanitize: the suite under ASan+UBSan ran in $((SECONDS - built)) s, status $status" >&2
exit "$status"
