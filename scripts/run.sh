#!/usr/bin/env bash
# One command from a fresh checkout to a running service: installs dependencies,
# builds, creates and fills the default SQLite database on the first run, then serves.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

bash scripts/build.sh

bin=build/funeral-registry
db=data/registry.db
url="http://127.0.0.1:${REGISTRY_HTTP_PORT:-8080}"

# First run is keyed on the default database file (db.url = sqlite3:data/registry.db).
# With REGISTRY_DB_URL pointing elsewhere, set that database up by hand with the same verbs.
if [[ ! -e $db ]]; then
  # A half-made database would make the next run skip setup; remove it unless setup finished.
  first_run_done=
  cleanup_first_run() {
    if [[ -z $first_run_done ]]; then
      echo "run: first-run setup failed; removing $db so the next run starts clean" >&2
      rm -f "$db" "$db-wal" "$db-shm" "$db-journal"
    fi
  }
  trap cleanup_first_run EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  echo "run: first run: creating $db with demo data" >&2
  mkdir -p data
  "$bin" migrate
  "$bin" demo-data

  echo
  echo "================================================================"
  echo " Administrator account 'admin' created. Its password is shown"
  echo " below ONCE and cannot be shown again. Note it now:"
  echo "----------------------------------------------------------------"
  "$bin" user add admin --role admin
  echo "----------------------------------------------------------------"
  echo " Keep it for signing in as 'admin'."
  echo "================================================================"
  echo

  first_run_done=1
  trap - EXIT INT TERM
fi

echo "run: serving at $url (Ctrl-C to stop)" >&2
exec "$bin" serve
