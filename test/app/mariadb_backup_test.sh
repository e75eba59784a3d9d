#!/usr/bin/env bash
# scripts/mariadb-backup.sh against a private MariaDB server (scripts/mariadb.sh, in its own folder): demo
# data and attachment files, backup while the server runs, a damaged backup refused with nothing written,
# then restore into an empty datadir and compare every table (CHECKSUM TABLE) and every file byte for byte.
#
# Usage: test/app/mariadb_backup_test.sh BINARY SOURCE_DIR WORK_DIR
set -euo pipefail

binary=$1 source_dir=$2 work=$3/mariadb-backup-test
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# shellcheck source=/dev/null
source "$source_dir/scripts/mariadb.sh"
mariadb_stop "$work" # one left over from an interrupted run, before its datadir goes
rm -rf "$work/registry" "$work/bk" "$work/bk2" "$work/data.before" "$work/data" "$work/fresh-att"
rm -f "$work/initialised"
mkdir -p "$work/registry/att"
trap 'mariadb_stop "$work" || true' EXIT
mariadb_start "$work" || fail "cannot start MariaDB"

db=registry_backup
url="mysql://$MARIADB_TEST_USER:$MARIADB_TEST_PASSWORD@127.0.0.1:$MARIADB_PORT/$db"
_mariadb_root -e "CREATE DATABASE $db CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
cat >"$work/registry/registry.properties" <<EOF
db.url = $url
attachments.dir = $work/registry/att
EOF
cd "$work"
"$binary" --config registry/registry.properties demo-data --scale 1 >/dev/null
for content in "photo one" "photo two" "a scan"; do
  sha=$(printf '%s' "$content" | sha256sum | cut -c1-64)
  mkdir -p "registry/att/${sha:0:2}"
  printf '%s' "$content" >"registry/att/${sha:0:2}/$sha"
done

# Every table's checksum: what "restores identical" is compared by.
checksums() { _mariadb_root --batch --skip-column-names -e "SELECT GROUP_CONCAT(table_name ORDER BY table_name)
  FROM information_schema.tables WHERE table_schema = '$db'" | tr ',' '\n' |
  while read -r t; do _mariadb_root --batch --skip-column-names -e "CHECKSUM TABLE $db.$t EXTENDED"; done; }
checksums >before.txt
(($(wc -l <before.txt) > 20)) || fail "expected the registry's tables, got: $(cat before.txt)"

script=$source_dir/scripts/mariadb-backup.sh
out=$("$script" --config registry/registry.properties backup bk) || fail "backup failed"
[[ $out == "backup of mysql://registry:***@127.0.0.1:$MARIADB_PORT/$db written to bk: "* ]] || fail "backup said: $out"
[[ -f bk/backup.json && -f bk/attachments/${sha:0:2}/$sha ]] || fail "the backup lacks its manifest or a file"
grep -q '"backend": "mariadb"' bk/backup.json || fail "manifest: $(head -c 400 bk/backup.json)"
"$script" check bk >/dev/null || fail "a fresh backup does not check"
err=$("$script" --config registry/registry.properties backup bk 2>&1) && fail "a second backup into bk was taken"
[[ $err == *"bk is not empty"* ]] || fail "backup into a full folder said: $err"

# The server stopped and its datadir moved aside, as an operator restores.
mariadb_stop "$work"
mv data data.before
mkdir data
cp -a bk bk2
printf x >>"bk2/attachments/${sha:0:2}/$sha"
cat >fresh.properties <<EOF
db.url = $url
attachments.dir = $work/fresh-att
EOF
err=$("$script" --config fresh.properties restore bk2 --datadir "$work/data" 2>&1) && fail "a damaged backup was restored"
[[ $err == *"bk2 is damaged: attachments/${sha:0:2}/$sha does not match"* ]] || fail "restore of a damaged backup said: $err"
[[ -z $(ls -A data) && ! -e fresh-att ]] || fail "a refused restore wrote something"
err=$("$script" --config fresh.properties restore bk --datadir "$work/data.before" 2>&1) && fail "restored over a datadir"
[[ $err == *"is not empty: stop MariaDB"* ]] || fail "restore over a full datadir said: $err"

out=$("$script" --config fresh.properties restore bk --datadir "$work/data") || fail "restore failed"
[[ $out == *"and 3 attachment files into $work/fresh-att"* ]] || fail "restore said: $out"
mariadb_start "$work" || fail "MariaDB does not start on the restored datadir"
checksums >after.txt
diff before.txt after.txt || fail "the restored tables differ"
diff -r registry/att fresh-att || fail "the restored attachment files differ"
rm -rf bk bk2 data.before # about 200 MB
echo "mariadb-backup.sh: backup and restore identical ($(wc -l <after.txt) tables, 3 files)"
