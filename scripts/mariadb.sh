#!/usr/bin/env bash
# A private MariaDB server for tests: its own datadir, socket and loopback port
# under DIR, no systemd, no system config, nothing shared with a system server.
#
# As a library (what scripts/test.sh does):
#   source scripts/mariadb.sh
#   mariadb_start DIR   # sets MARIADB_DIR MARIADB_PORT MARIADB_PID MARIADB_SOCKET,
#                       # exports REGISTRY_TEST_MYSQL_URL; returns non-zero on failure
#   mariadb_stop DIR    # stops the server started in DIR (no-op if none)
# Standalone:
#   eval "$(scripts/mariadb.sh start DIR)"   # prints `export REGISTRY_TEST_MYSQL_URL=...`
#   scripts/mariadb.sh stop DIR
#
# Files in DIR: data/ (datadir), sock, pid (mariadbd's own), error.log, port,
# started.pid (the PID this script launched; the only process mariadb_stop kills).
#
# The functions do not rely on `set -e` (they are safe to source into an
# interactive shell) and report every failure through their return status.

# MariaDB's test settings; utf8mb4 everywhere so tests see what production sees.
MARIADB_SERVER_OPTIONS=(
  --innodb-buffer-pool-size=256M
  --character-set-server=utf8mb4
  --collation-server=utf8mb4_unicode_ci
  --max-connections=300
  --innodb-flush-log-at-trx-commit=1
)
MARIADB_TEST_USER=registry
MARIADB_TEST_PASSWORD=registry
MARIADB_TEST_DATABASE=registry_test

_mariadb_log() { echo "mariadb: $*" >&2; }

# Absolute path without requiring DIR to exist yet; start and stop must spell it
# the same way because stop recognises the server by its --datadir argument.
_mariadb_abs() {
  local d=$1
  [[ $d == / ]] || d=${d%/}
  case $d in
    /*) printf '%s\n' "$d" ;;
    *) printf '%s\n' "$PWD/${d#./}" ;;
  esac
}

# Unix socket paths are limited to 108 bytes; deep checkouts fall back to /tmp.
_mariadb_socket_path() {
  local dir=$1 sock=$1/sock
  if ((${#sock} > 100)); then
    sock=/tmp/registry-mariadb-$(printf '%s' "$dir" | cksum | cut -d' ' -f1).sock
  fi
  printf '%s\n' "$sock"
}

# True if PID is a live (not zombie) mariadbd serving DIR/data. Guards every kill
# against a PID that was recycled after the server died.
_mariadb_is_ours() {
  local pid=$1 dir=$2 cmdline state
  [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
  cmdline=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 1
  [[ $cmdline == *mariadbd* && $cmdline == *"--datadir=$dir/data "* ]] || return 1
  state=$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$pid/stat" 2>/dev/null) || return 1
  [[ $state != Z ]]
}

# A listener on 127.0.0.1:PORT (or on any address with that port) answers a connect.
_mariadb_port_in_use() {
  local port=$1
  if command -v ss >/dev/null 2>&1; then
    [[ -n $(ss -ltnH "sport = :$port" 2>/dev/null) ]] && return 0
  fi
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

# Prints a free port, trying upwards from a random start in 20000-40000.
_mariadb_free_port() {
  local start=$((20000 + RANDOM % 20001)) i port
  for ((i = 0; i < 500; i++)); do
    port=$((20000 + (start - 20000 + i) % 20001))
    if ! _mariadb_port_in_use "$port"; then
      printf '%s\n' "$port"
      return 0
    fi
  done
  _mariadb_log "no free port found in 20000-40000"
  return 1
}

_mariadb_root() {
  mariadb --no-defaults -uroot --socket="$MARIADB_SOCKET" "$@"
}

# Stops the process recorded in DIR/started.pid: TERM, up to 30 s, then KILL.
mariadb_stop() {
  local dir pid i
  dir=$(_mariadb_abs "${1:?usage: mariadb_stop DIR}")
  pid=$(cat "$dir/started.pid" 2>/dev/null) || pid=
  if [[ -n $pid ]] && _mariadb_is_ours "$pid" "$dir"; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 300; i++)); do
      _mariadb_is_ours "$pid" "$dir" || break
      sleep 0.1
    done
    if _mariadb_is_ours "$pid" "$dir"; then
      _mariadb_log "server $pid did not stop within 30 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      for ((i = 0; i < 50; i++)); do
        _mariadb_is_ours "$pid" "$dir" || break
        sleep 0.1
      done
    fi
    # Reap it when it is our own child, so no zombie is left behind.
    wait "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/started.pid" "$dir/port"
  if [[ -n $pid ]] && _mariadb_is_ours "$pid" "$dir"; then
    _mariadb_log "server $pid is still running"
    return 1
  fi
  return 0
}

# Initialises DIR/data once. A marker file tells a complete datadir from one an
# interrupted mariadb-install-db left behind, which is wiped and redone.
_mariadb_init_datadir() {
  local dir=$1
  [[ -f $dir/initialised && -d $dir/data/mysql ]] && return 0
  if [[ -e $dir/data ]]; then
    _mariadb_log "discarding incomplete datadir $dir/data"
    rm -rf -- "${dir:?}/data"
  fi
  _mariadb_log "initialising $dir/data"
  if ! mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$dir/data" \
    --auth-root-authentication-method=normal >"$dir/install.log" 2>&1; then
    _mariadb_log "mariadb-install-db failed:"
    tail -n 40 "$dir/install.log" >&2
    return 1
  fi
  touch "$dir/initialised"
}

# Launches mariadbd on PORT and waits until it answers on its socket (60 s).
# Returns 2 when the port was taken in between, so the caller can try another.
_mariadb_launch() {
  local dir=$1 port=$2 i
  : >"$dir/error.log"
  # MariaDB refuses to run as root unless --user names root; as another user it runs as that user.
  # --no-defaults keeps /etc/mysql and ~/.my.cnf out of a private test server.
  mariadbd --no-defaults --user="$(id -un)" --datadir="$dir/data" --socket="$MARIADB_SOCKET" \
    --port="$port" --bind-address=127.0.0.1 --pid-file="$dir/pid" \
    --log-error="$dir/error.log" --skip-name-resolve "${MARIADB_SERVER_OPTIONS[@]}" \
    </dev/null >>"$dir/stdout.log" 2>&1 &
  MARIADB_PID=$!
  echo "$MARIADB_PID" >"$dir/started.pid"

  for ((i = 0; i < 600; i++)); do
    if _mariadb_root -e 'select 1' >/dev/null 2>&1; then
      return 0
    fi
    if ! _mariadb_is_ours "$MARIADB_PID" "$dir"; then
      wait "$MARIADB_PID" 2>/dev/null || true
      rm -f "$dir/started.pid"
      if grep -q 'Address already in use' "$dir/error.log"; then
        return 2
      fi
      _mariadb_log "mariadbd exited during startup; end of $dir/error.log:"
      tail -n 30 "$dir/error.log" >&2
      return 1
    fi
    sleep 0.1
  done
  _mariadb_log "mariadbd did not answer within 60 s; end of $dir/error.log:"
  tail -n 30 "$dir/error.log" >&2
  mariadb_stop "$dir" || true
  return 1
}

mariadb_start() {
  local dir port attempt rc
  dir=$(_mariadb_abs "${1:?usage: mariadb_start DIR}")
  mkdir -p "$dir" || return 1
  # shellcheck disable=SC2034 # read by callers that source this file
  MARIADB_DIR=$dir
  MARIADB_SOCKET=$(_mariadb_socket_path "$dir")

  # A server left over from an earlier run in this DIR (its script was killed
  # before stopping it) holds the datadir's locks: stop it first. A stale
  # started.pid whose process is gone is simply dropped by mariadb_stop.
  local old
  old=$(cat "$dir/started.pid" 2>/dev/null) || old=
  if [[ -n $old ]] && _mariadb_is_ours "$old" "$dir"; then
    _mariadb_log "stopping server $old left over from an earlier run in $dir"
  fi
  mariadb_stop "$dir" || return 1
  local other
  other=$(cat "$dir/pid" 2>/dev/null) || other=
  if [[ -n $other ]] && _mariadb_is_ours "$other" "$dir"; then
    _mariadb_log "mariadbd $other (not started by this script) is using $dir/data; stop it first"
    return 1
  fi
  rm -f "$dir/pid" "$MARIADB_SOCKET"

  _mariadb_init_datadir "$dir" || return 1

  # Free-port checks race with other processes; retry when the bind lost the race.
  for ((attempt = 1; attempt <= 5; attempt++)); do
    port=$(_mariadb_free_port) || return 1
    # `&& ||` keeps a caller's `set -e` from exiting on the retry status.
    _mariadb_launch "$dir" "$port" && rc=0 || rc=$?
    ((rc == 2)) && { _mariadb_log "port $port was taken; trying another"; continue; }
    ((rc == 0)) && break
    return 1
  done
  ((rc == 0)) || { _mariadb_log "could not bind a free port"; return 1; }

  # shellcheck disable=SC2034 # read by callers that source this file
  MARIADB_PORT=$port
  echo "$port" >"$dir/port"

  # The test user reaches the server over TCP (127.0.0.1) and the socket
  # (localhost); tests create and drop their own databases, hence *.* WITH GRANT OPTION.
  local u=$MARIADB_TEST_USER p=$MARIADB_TEST_PASSWORD
  if ! _mariadb_root <<SQL; then
CREATE OR REPLACE USER '$u'@'127.0.0.1' IDENTIFIED BY '$p';
CREATE OR REPLACE USER '$u'@'localhost' IDENTIFIED BY '$p';
GRANT ALL PRIVILEGES ON *.* TO '$u'@'127.0.0.1' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO '$u'@'localhost' WITH GRANT OPTION;
CREATE DATABASE IF NOT EXISTS \`$MARIADB_TEST_DATABASE\`
  CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
SQL
    _mariadb_log "creating the test user failed"
    mariadb_stop "$dir" || true
    return 1
  fi

  export REGISTRY_TEST_MYSQL_URL="mysql://$u:$p@127.0.0.1:$port/$MARIADB_TEST_DATABASE"
  _mariadb_log "server $MARIADB_PID listening on 127.0.0.1:$port (socket $MARIADB_SOCKET)"
  return 0
}

# Standalone use; when sourced, only the functions above are defined.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  case ${1:-} in
    start)
      [[ $# -eq 2 ]] || { echo "usage: $0 start DIR" >&2; exit 2; }
      # The server must outlive this script; it is stopped with `$0 stop DIR`.
      mariadb_start "$2"
      printf 'export REGISTRY_TEST_MYSQL_URL=%q\n' "$REGISTRY_TEST_MYSQL_URL"
      ;;
    stop)
      [[ $# -eq 2 ]] || { echo "usage: $0 stop DIR" >&2; exit 2; }
      mariadb_stop "$2"
      ;;
    *)
      echo "usage: $0 start DIR | stop DIR" >&2
      exit 2
      ;;
  esac
fi
