#!/usr/bin/env bash
# openapi.lint (CTest): runs Redocly CLI, pinned in package-lock.json next to this script, over the OpenAPI
# document built into funeral-registry (printed by the openapi_dump program given as $1). Fails on any
# problem the validator reports, and fails loudly, never passing quietly, when node or the validator is
# missing: scripts/test.sh installs them (`npm ci --prefix test/openapi`).
set -euo pipefail

dump=${1:?usage: lint.sh OPENAPI_DUMP_PROGRAM}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
redocly="$here/node_modules/.bin/redocly"
wanted=$(sed -n 's/.*"@redocly\/cli": *"\([^"]*\)".*/\1/p' "$here/package.json")

fail() {
  echo "openapi.lint: FAILED: $*" >&2
  exit 1
}

command -v node >/dev/null 2>&1 || fail "node is not installed (scripts/install-deps.sh installs nodejs and npm)"
# @redocly/cli 2.x runs on Node >= 20.19 (20.x) or >= 22.12.
node -e '
  const [major, minor] = process.versions.node.split(".").map(Number);
  process.exit(major > 22 || (major === 22 && minor >= 12) || (major === 20 && minor >= 19) || major === 21 ? 0 : 1);
' || fail "node $(node --version) is too old for @redocly/cli $wanted (it needs 20.19+ or 22.12+)"
[[ -x $redocly ]] || fail "@redocly/cli is not installed in $here/node_modules: run 'npm ci --prefix test/openapi' (scripts/test.sh does)"

# No telemetry or update checks: the validator works offline.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_NOTIFICATIONS=true REDOCLY_SUPPRESS_UPDATE_NOTICE=true
installed=$("$redocly" --version 2>/dev/null | grep -Eo '^[0-9]+\.[0-9]+\.[0-9]+' | head -1 || true)
[[ $installed == "$wanted" ]] || fail "@redocly/cli $wanted is wanted, ${installed:-none} is installed: run 'npm ci --prefix test/openapi'"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$dump" >"$work/openapi.json" || fail "$dump could not print the document"
[[ -s $work/openapi.json ]] || fail "$dump printed nothing"

# The validator must be able to fail: a document without its info object is refused.
node -e '
  const fs = require("fs");
  const doc = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  delete doc.info;
  doc.paths["/healthz"].get.responses = "not responses";
  fs.writeFileSync(process.argv[2], JSON.stringify(doc));
' "$work/openapi.json" "$work/broken.json"
if "$redocly" lint --config "$here/redocly.yaml" --format=summary "$work/broken.json" >"$work/broken.log" 2>&1; then
  cat "$work/broken.log" >&2
  fail "the validator accepted a broken document, so its verdict cannot be trusted"
fi

echo "openapi.lint: @redocly/cli $installed lint (recommended-strict) of the document built into funeral-registry"
if ! "$redocly" lint --config "$here/redocly.yaml" --format=stylish "$work/openapi.json"; then
  fail "@redocly/cli found problems in core/http/openapi.json (above)"
fi
echo "openapi.lint: the document is valid"
