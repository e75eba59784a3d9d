#!/usr/bin/env bash
# One command from a fresh checkout to a running service: installs dependencies, builds, makes sure the
# configured database (default data/registry.db) has the schema, demo data when it is empty, and an
# administrator, then serves. Every step is idempotent, so running it again just serves.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

bash scripts/build.sh

bin=build/funeral-registry
url="http://127.0.0.1:${REGISTRY_HTTP_PORT:-8080}"

"$bin" migrate
# Only an empty registry gets demo data; one with records of its own is left as it is.
"$bin" demo-data --if-empty

# The administrator is created once; its generated password is shown only then.
admin=$("$bin" user add admin --role admin --if-absent)
if [[ $admin == *"password:"* ]]; then
  echo
  echo "================================================================"
  echo " Administrator account 'admin' created. Its password is shown"
  echo " below ONCE and cannot be shown again. Note it now:"
  echo "----------------------------------------------------------------"
  echo "$admin"
  echo "----------------------------------------------------------------"
  echo " Keep it for signing in as 'admin'."
  echo "================================================================"
  echo
else
  echo "$admin"
fi

echo "run: serving at $url (Ctrl-C to stop)" >&2
exec "$bin" serve
