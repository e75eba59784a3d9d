#!/usr/bin/env bash
# Builds with tests, starts a private MariaDB under build/mariadb/ and runs every
# test against it and SQLite. Extra arguments go to ctest (e.g. `-L store`, `-R Facility`).
# Before that main run: the same tests built with ASan+UBSan (build-asan/) and a minute of each
# fuzz target (build-fuzz/); REGISTRY_SKIP_SANITIZERS=1 skips both (docs/TESTING.md).
# Exits non-zero if any part failed; the output ends with the main run's ctest summary.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

# REGISTRY_BUILD_TESTS is the option in CMakeLists.txt; forced on in case an earlier
# configure turned it off.
bash scripts/build.sh -DREGISTRY_BUILD_TESTS=ON

# The OpenAPI validator that openapi.lint runs, from npm, exactly as test/openapi/package-lock.json pins it.
# Reinstalled only when the lock file changed since the last install.
openapi_stamp=test/openapi/node_modules/.installed-package-lock.json
if ! cmp -s test/openapi/package-lock.json "$openapi_stamp" 2>/dev/null; then
  echo "test: installing the OpenAPI validator (npm ci in test/openapi)" >&2
  if ! npm ci --prefix test/openapi --no-audit --no-fund --loglevel=error >&2; then
    echo "test: npm ci in test/openapi failed: the OpenAPI validator is not installed" >&2
    exit 1
  fi
  cp test/openapi/package-lock.json "$openapi_stamp"
fi

# The browser test's node modules (playwright-core, axe-core, vnu-jar), likewise pinned in
# test/web/package-lock.json. playwright-core drives Debian's chromium: no browser is downloaded.
web_stamp=test/web/node_modules/.installed-package-lock.json
if ! cmp -s test/web/package-lock.json "$web_stamp" 2>/dev/null; then
  echo "test: installing the browser test's modules (npm ci in test/web)" >&2
  if ! PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix test/web --no-audit --no-fund --loglevel=error >&2; then
    echo "test: npm ci in test/web failed: the browser test's modules are not installed" >&2
    exit 1
  fi
  cp test/web/package-lock.json "$web_stamp"
fi

# shellcheck source=scripts/mariadb.sh
source scripts/mariadb.sh

# The server must go away however this script ends: success, failure or Ctrl-C.
# INT/TERM are turned into an exit so the EXIT trap runs exactly once.
trap 'mariadb_stop "$root/build/mariadb" || true' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# MariaDB is not optional: without it the MySQL half of the suite would not run.
if ! mariadb_start "$root/build/mariadb"; then
  echo "test: could not start the private MariaDB server; see build/mariadb/error.log" >&2
  exit 1
fi
export REGISTRY_TEST_MYSQL_URL
# Tests fail instead of skipping when they find no MySQL URL.
export REGISTRY_TEST_REQUIRE_MYSQL=1

# The whole suite again, built with AddressSanitizer (leaks too) and UBSan in build-asan/, then each libFuzzer
# target for REGISTRY_FUZZ_SECONDS (default 60) in build-fuzz/ (docs/TESTING.md). Before the main run, so that
# the output still ends with the main run's summary. REGISTRY_SKIP_SANITIZERS=1 skips both (quick local runs).
sanitizer_status=0
if [[ ${REGISTRY_SKIP_SANITIZERS:-} == 1 ]]; then
  echo "test: REGISTRY_SKIP_SANITIZERS=1: no sanitizer build, no fuzzing" >&2
else
  bash scripts/sanitize.sh "$@" || sanitizer_status=$?
  bash scripts/fuzz.sh "${REGISTRY_FUZZ_SECONDS:-60}" || sanitizer_status=$?
  ((sanitizer_status == 0)) || echo "test: the sanitizer suite or a fuzzer FAILED (see above); this run fails" >&2
fi

# --no-tests=error: a run that found no tests (wrong -L, tests not built) is a failure.
status=0
ctest --test-dir build --output-on-failure --no-tests=error "$@" || status=$?
((status != 0)) || status=$sanitizer_status
exit "$status"
