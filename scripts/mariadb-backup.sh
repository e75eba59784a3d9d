#!/usr/bin/env bash
# Backups of a registry on MariaDB (funeral-registry backup/restore are for SQLite): a physical backup of
# the MariaDB server with Debian's mariadb-backup, prepared at once, plus the attachment files, plus
# DIR/backup.json (written last) listing every file with its size and SHA-256. docs/OPERATIONS.md,
# "Backups and restore".
#
# Usage:
#   scripts/mariadb-backup.sh [--config FILE] backup DIR
#   scripts/mariadb-backup.sh [--config FILE] restore DIR --datadir DATADIR
#   scripts/mariadb-backup.sh check DIR
#
# The settings come from the registry's file (--config, default etc/registry.properties): db.url (or the
# REGISTRY_DB_URL environment variable, as for the program) and attachments.dir. The backup connects as
# db.url's user, which needs RELOAD, PROCESS, LOCK TABLES and BINLOG MONITOR (or give another user in
# MARIADB_BACKUP_OPTIONS, e.g. "--user=root --socket=/run/mysqld/mysqld.sock"), and must run on the
# database host: mariadb-backup reads the server's data files. It copies the whole server (every database
# on it), consistent at the end of the copy while the server keeps running.
#
# restore needs MariaDB stopped and DATADIR empty (move the old one aside); it checks every file against
# backup.json first, and writes nothing when one is missing or altered. Then start MariaDB and run
# `funeral-registry migrate` (a backup older than the program is migrated by it).
set -euo pipefail

prog=scripts/mariadb-backup.sh
die() {
  echo "$prog: $*" >&2
  exit 1
}

config=etc/registry.properties
config_explicit=0
datadir=
args=()
while (($#)); do
  case $1 in
    --config) [[ $# -ge 2 ]] || die "--config needs a FILE"; config=$2; config_explicit=1; shift 2 ;;
    --datadir) [[ $# -ge 2 ]] || die "--datadir needs a folder"; datadir=$2; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) args+=("$1"); shift ;;
  esac
done
((${#args[@]} == 2)) || die "usage: $prog [--config FILE] backup|restore|check DIR (see --help)"
verb=${args[0]}
dir=${args[1]}

# The last `KEY = VALUE` of the settings file (Poco's properties format, one line each).
setting() {
  local key=$1 default=$2 value
  [[ -f $config ]] || { printf '%s\n' "$default"; return; }
  value=$(sed -nE "s/^[[:space:]]*${key//./\\.}[[:space:]]*[=:][[:space:]]*(.*[^[:space:]])?[[:space:]]*$/\1/p" "$config" | tail -n 1)
  printf '%s\n' "${value:-$default}"
}

load_settings() {
  if [[ ! -f $config ]] && ((config_explicit)); then die "settings file $config does not exist"; fi
  db_url=${REGISTRY_DB_URL:-$(setting db.url sqlite3:data/registry.db)}
  attachments=$(setting attachments.dir data/attachments)
  case $db_url in
    mysql://* | mariadb://*) ;;
    *) die "db.url is not a MariaDB/MySQL database ($db_url): use funeral-registry $verb DIR" ;;
  esac
}

# Parts of db.url (user, password, host, port, database), %-escapes decoded, one per line.
url_parts() {
  python3 - "$db_url" <<'PY'
import sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
for part in (u.username or "", u.password or "", u.hostname or "127.0.0.1", str(u.port or 3306), u.path.lstrip("/")):
    print(urllib.parse.unquote(part))
PY
}

# A private option file for the client and mariadb-backup: the password never appears in `ps`.
write_credentials() {
  local parts
  mapfile -t parts < <(url_parts)
  db_user=${parts[0]} db_host=${parts[2]} db_port=${parts[3]} db_name=${parts[4]}
  redacted="mysql://$db_user:***@$db_host:$db_port/$db_name"
  credentials=$(mktemp)
  chmod 600 "$credentials"
  trap 'rm -f "$credentials"' EXIT
  {
    for group in client mariadb-backup; do
      printf '[%s]\nuser=%s\npassword=%s\nhost=%s\nport=%s\n' "$group" "$db_user" "${parts[1]}" "$db_host" "$db_port"
    done
  } >"$credentials"
}

sql() { mariadb --defaults-extra-file="$credentials" --batch --skip-column-names "$db_name" -e "$1"; }

# Writes DIR/backup.json from the files now in DIR (SHA-256 of each), atomically.
write_manifest() {
  python3 - "$dir" "$redacted" "$schema" "$(mariadb-backup --version 2>&1 | head -n 1)" <<'PY'
import datetime, hashlib, json, os, sys
folder, source, schema, tool = sys.argv[1:5]
files = []
for sub in ("mariadb", "attachments"):
    for root, dirs, names in os.walk(os.path.join(folder, sub)):
        dirs.sort()
        for name in sorted(names):
            path = os.path.join(root, name)
            digest = hashlib.sha256()
            with open(path, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    digest.update(block)
            files.append({"path": os.path.relpath(path, folder), "bytes": os.path.getsize(path),
                          "sha256": digest.hexdigest()})
manifest = {
    "format": "funeral-registry backup", "format_version": 1, "backend": "mariadb", "tool": tool,
    "schema_version": int(schema), "source": source,
    "created_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
    "files": files,
}
part = os.path.join(folder, ".backup.json.part")
with open(part, "w") as f:
    json.dump(manifest, f, indent=2)
    f.write("\n")
    f.flush()
    os.fsync(f.fileno())
os.rename(part, os.path.join(folder, "backup.json"))
print(len(files), sum(f["bytes"] for f in files))
PY
}

# Checks DIR against its backup.json; prints "FILES BYTES SCHEMA", or one line on stderr and exits 1.
check_backup() {
  [[ -d $dir ]] || die "$dir does not exist"
  [[ -f $dir/backup.json ]] || die "$dir is not a finished backup: it has no backup.json (an interrupted backup, or not a backup folder)"
  python3 - "$dir" <<'PY' || exit 1
import hashlib, json, os, sys
folder = sys.argv[1]
def refuse(why):
    print("scripts/mariadb-backup.sh: " + why, file=sys.stderr)
    sys.exit(1)
try:
    m = json.load(open(os.path.join(folder, "backup.json")))
except ValueError as e:
    refuse(f"{folder}/backup.json is not a readable backup manifest: {e}")
if m.get("format") != "funeral-registry backup":
    refuse(f"{folder}/backup.json is not a funeral-registry backup manifest")
if m.get("backend") != "mariadb":
    refuse(f"{folder} is a backup of a {m.get('backend')} database: restore it with funeral-registry restore DIR")
for f in m["files"]:
    rel = os.path.normpath(f["path"])
    if rel.startswith("..") or os.path.isabs(rel) or rel.split(os.sep)[0] not in ("mariadb", "attachments"):
        refuse(f"{folder}/backup.json names a file outside a backup's layout: {f['path']!r}")
    path = os.path.join(folder, rel)
    if not os.path.isfile(path):
        refuse(f"{folder} is damaged: {f['path']} is missing")
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    if os.path.getsize(path) != f["bytes"] or digest.hexdigest() != f["sha256"]:
        refuse(f"{folder} is damaged: {f['path']} does not match its size and SHA-256 in backup.json")
print(len(m["files"]), sum(f["bytes"] for f in m["files"]), m["schema_version"])
PY
}

backup() {
  load_settings
  write_credentials
  if [[ -e $dir ]]; then
    [[ -d $dir ]] || die "$dir exists and is not a folder"
    [[ -z $(ls -A "$dir") ]] || die "$dir is not empty: a backup goes into a new or empty folder"
  fi
  local started=$SECONDS server_datadir
  server_datadir=$(sql 'SELECT @@datadir') || die "cannot reach the database $redacted"
  schema=$(sql 'SELECT COALESCE(MAX(version), 0) FROM schema_migrations') || die "$redacted holds no registry"
  mkdir -p "$dir"
  # The database first, prepared now (its redo log applied) so that restore only copies it back.
  # shellcheck disable=SC2086 # MARIADB_BACKUP_OPTIONS is a list of options
  if ! mariadb-backup --defaults-extra-file="$credentials" --backup --datadir="$server_datadir" \
    --target-dir="$dir/mariadb" ${MARIADB_BACKUP_OPTIONS:-} >"$dir/.mariadb-backup.log" 2>&1 ||
    ! mariadb-backup --prepare --target-dir="$dir/mariadb" >>"$dir/.mariadb-backup.log" 2>&1; then
    tail -n 20 "$dir/.mariadb-backup.log" >&2
    die "mariadb-backup failed (log: $dir/.mariadb-backup.log); $dir is not a backup"
  fi
  rm -f "$dir/.mariadb-backup.log"
  # The files after the database: every row it holds was committed after its file was written.
  if [[ -d $attachments ]]; then
    mkdir -p "$dir/attachments"
    local into
    into=$(realpath "$dir/attachments")
    (cd "$attachments" && find . -mindepth 2 -maxdepth 2 -type f -regextype posix-extended \
      -regex '\./[0-9a-f]{2}/[0-9a-f]{64}' -print0 | xargs -0 -r cp --parents -p -t "$into") ||
      die "cannot copy $attachments"
  fi
  sync
  local files bytes
  read -r files bytes < <(write_manifest) || die "cannot write $dir/backup.json"
  sync
  echo "backup of $redacted written to $dir: $files files, $bytes bytes, $((SECONDS - started)) s (schema version $schema)"
}

restore() {
  [[ -n $datadir ]] || die "restore needs --datadir DATADIR (the stopped server's, e.g. /var/lib/mysql)"
  load_settings
  local files bytes schema
  read -r files bytes schema < <(check_backup) || exit 1
  [[ -n ${files:-} ]] || exit 1
  if [[ -e $datadir && -n $(ls -A "$datadir") ]]; then
    die "$datadir is not empty: stop MariaDB and move its datadir aside before restoring"
  fi
  mkdir -p "$datadir"
  local log
  log=$(mktemp)
  # shellcheck disable=SC2086
  if ! mariadb-backup --copy-back --target-dir="$dir/mariadb" --datadir="$datadir" ${MARIADB_BACKUP_OPTIONS:-} \
    >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    die "mariadb-backup --copy-back failed (log: $log)"
  fi
  rm -f "$log"
  # The server runs as the datadir's owner (mysql on Debian).
  if ((EUID == 0)); then chown -R --reference="$datadir" "$datadir"; fi
  # Attachment files the folder does not have yet, each written whole (a temporary name, then renamed).
  local added=0 file name
  if [[ -d $dir/attachments ]]; then
    while IFS= read -r -d '' file; do
      name=${file#"$dir/attachments/"}
      [[ -e $attachments/$name ]] && continue
      mkdir -p "$attachments/${name%/*}"
      cp "$file" "$attachments/${name%/*}/.restore.part"
      mv "$attachments/${name%/*}/.restore.part" "$attachments/$name"
      added=$((added + 1))
    done < <(find "$dir/attachments" -type f -print0)
  fi
  sync
  echo "restored $dir into $datadir ($files files, $bytes bytes; schema version $schema) and $added attachment files into $attachments; start MariaDB, then run funeral-registry migrate"
}

case $verb in
  backup) backup ;;
  restore) restore ;;
  check)
    read -r files bytes schema < <(check_backup) || exit 1
    [[ -n ${files:-} ]] || exit 1
    echo "backup $dir is complete: $files files, $bytes bytes match backup.json (schema version $schema)"
    ;;
  *) die "unknown command '$verb': backup, restore or check" ;;
esac
