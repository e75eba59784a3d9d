#!/usr/bin/env bash
# A fault test's own MariaDB server (never the shared one), built on scripts/mariadb.sh:
#   private-mariadb.sh start DIR     starts it, prints its REGISTRY_DB_URL-style URL
#   private-mariadb.sh stop DIR      stops it (SIGTERM to the PID it started), keeping DIR/data
#   private-mariadb.sh restart DIR   starts it again on the same port and data
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../../scripts/mariadb.sh
source "$here/../../scripts/mariadb.sh"
verb=${1:?usage: $0 start|stop|restart DIR}
dir=$(_mariadb_abs "${2:?usage: $0 start|stop|restart DIR}")
case $verb in
  start)
    mariadb_start "$dir" >&2
    cp "$dir/port" "$dir/port.kept"
    printf '%s\n' "$REGISTRY_TEST_MYSQL_URL"
    ;;
  stop)
    mariadb_stop "$dir" >&2
    ;;
  restart)
    MARIADB_SOCKET=$(_mariadb_socket_path "$dir")
    port=$(cat "$dir/port.kept")
    _mariadb_launch "$dir" "$port" >&2
    echo "$port" >"$dir/port"
    ;;
  *)
    echo "usage: $0 start|stop|restart DIR" >&2
    exit 2
    ;;
esac
