#!/usr/bin/env bash
# web.browser (CTest): runs browser.test.mjs with the node modules pinned in package-lock.json next to this
# script. Fails loudly, never skips, when chromium, node, Java or the modules are missing: scripts/test.sh
# installs the modules (`npm ci --prefix test/web`), scripts/install-deps.sh the rest.
set -euo pipefail

binary=${1:?usage: run.sh FUNERAL_REGISTRY_BINARY SOURCE_DIR}
source_dir=${2:?usage: run.sh FUNERAL_REGISTRY_BINARY SOURCE_DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

fail() {
  echo "web.browser: FAILED: $*" >&2
  exit 1
}

command -v node >/dev/null 2>&1 || fail "node is not installed (scripts/install-deps.sh installs nodejs and npm)"
[[ -x /usr/bin/chromium ]] || fail "/usr/bin/chromium is missing (scripts/install-deps.sh installs Debian's chromium)"
# Without a Chinese font every screenshot shows boxes instead of the page's words.
[[ -n $(fc-list :lang=zh 2>/dev/null) ]] || fail "no Chinese font for chromium (scripts/install-deps.sh installs fonts-noto-cjk)"
command -v java >/dev/null 2>&1 || fail "java is missing for the Nu Html Checker (scripts/install-deps.sh installs default-jre-headless)"
for module in playwright-core axe-core vnu-jar; do
  wanted=$(sed -n "s/.*\"$module\": *\"\([^\"]*\)\".*/\1/p" "$here/package.json")
  installed=$(node -p "require(process.argv[1]).version" "$here/node_modules/$module/package.json" 2>/dev/null || true)
  [[ $installed == "$wanted" ]] ||
    fail "$module $wanted is wanted, ${installed:-none} is installed: run 'npm ci --prefix test/web' (scripts/test.sh does)"
done
[[ -x $binary ]] || fail "$binary is not built"

exec node "$here/browser.test.mjs" "$binary" "$source_dir"
