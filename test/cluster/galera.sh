#!/usr/bin/env bash
# A private Galera cluster for the cluster test: N MariaDB nodes with galera-4 on loopback ports, each with
# its own datadir and my.cnf under DIR/nodeK, bootstrapped and joined here, stopped by the PIDs started
# here. Nothing is shared with a system server (no /etc/mysql, no port 3306).
#
# As a library:
#   source test/cluster/galera.sh
#   galera_start DIR N        # bootstraps node1, joins the others; exports GALERA_PORTS (SQL ports)
#   galera_kill DIR K         # kill -9 of node K
#   galera_rejoin DIR K       # starts node K again (IST, or SST by mariabackup) and waits until synced
#   galera_stop DIR           # stops every node started in DIR (TERM, then KILL)
#   galera_sql DIR K SQL      # runs SQL on node K as root, tab-separated output
#
# Pitfalls (docs/ENVIRONMENT.md): rsync SST fails as root, so SST is mariabackup with its own user; a
# world-writable my.cnf is silently ignored; joiners start from an empty datadir.

GALERA_SST_USER=sst
GALERA_SST_PASSWORD=sst-password
GALERA_USER=registry
GALERA_PASSWORD=registry
GALERA_DATABASE=registry_cluster

_galera_log() { echo "galera: $*" >&2; }

_galera_free_port() {
  local port
  for _ in $(seq 200); do
    port=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      # Not reserved by another node of this cluster either.
      if ! grep -qs -- "$port" "$GALERA_DIR"/node*/ports 2>/dev/null; then
        echo "$port"
        return 0
      fi
    fi
  done
  return 1
}

_galera_node_dir() { echo "$1/node$2"; }

_galera_pid_ok() { # PID CNF: a live mariadbd started with that my.cnf
  local pid=$1 data=$2 cmd
  [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
  cmd=$({ tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null) || return 1
  [[ $cmd == *mariadbd* && $cmd == *"$data"* ]] || return 1
  [[ $(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$pid/stat" 2>/dev/null) != Z ]]
}

galera_sql() {
  local dir=$1 k=$2
  shift 2
  mariadb --no-defaults -uroot --socket="$(_galera_node_dir "$dir" "$k")/sock" -N -B -e "$*"
}

# Writes nodeK/my.cnf for a cluster of N with every node's ports known.
_galera_config() {
  local dir=$1 k=$2 n=$3 node i addresses=""
  node=$(_galera_node_dir "$dir" "$k")
  for ((i = 1; i <= n; i++)); do
    addresses+="${addresses:+,}127.0.0.1:$(cut -d' ' -f2 "$(_galera_node_dir "$dir" "$i")/ports")"
  done
  read -r sql gcomm ist sst <"$node/ports"
  cat >"$node/my.cnf" <<CNF
[mysqld]
user=$(id -un)
datadir=$node/data
socket=$node/sock
pid-file=$node/pid
log-error=$node/error.log
port=$sql
bind-address=127.0.0.1
skip-name-resolve
character-set-server=utf8mb4
collation-server=utf8mb4_unicode_ci
innodb-buffer-pool-size=128M
innodb-flush-log-at-trx-commit=1
max-connections=200
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
wsrep_on=ON
wsrep_provider=/usr/lib/galera/libgalera_smm.so
wsrep_cluster_name=registry_test
wsrep_node_name=node$k
wsrep_node_address=127.0.0.1
wsrep_cluster_address=gcomm://$addresses
wsrep_provider_options="gmcast.listen_addr=tcp://127.0.0.1:$gcomm;ist.recv_addr=127.0.0.1:$ist;gcache.size=256M;evs.suspect_timeout=PT3S;evs.inactive_timeout=PT6S;evs.install_timeout=PT4S"
wsrep_sst_method=mariabackup
wsrep_sst_auth=$GALERA_SST_USER:$GALERA_SST_PASSWORD
wsrep_sst_receive_address=127.0.0.1:$sst
[sst]
progress=0
CNF
  chmod 0644 "$node/my.cnf"
}

# Starts node K (bootstrap: a new cluster); waits until it is Synced (120 s).
_galera_launch() {
  local dir=$1 k=$2 bootstrap=$3 node i state
  node=$(_galera_node_dir "$dir" "$k")
  : >"$node/error.log"
  local -a extra=()
  [[ $bootstrap == 1 ]] && extra=(--wsrep-new-cluster)
  mariadbd --defaults-file="$node/my.cnf" "${extra[@]}" </dev/null >>"$node/stdout.log" 2>&1 &
  echo $! >"$node/started.pid"
  disown $! # its kill -9 is the test's doing: no "Killed" notice from this shell
  for ((i = 0; i < 1200; i++)); do
    state=$(galera_sql "$dir" "$k" "SHOW STATUS LIKE 'wsrep_local_state_comment'" 2>/dev/null | cut -f2)
    [[ $state == Synced ]] && return 0
    if ! _galera_pid_ok "$(cat "$node/started.pid")" "$node/my.cnf"; then
      _galera_log "node$k exited during start; end of its error.log:"
      tail -n 30 "$node/error.log" >&2
      return 1
    fi
    sleep 0.1
  done
  _galera_log "node$k did not reach Synced within 120 s (state '$state'); end of its error.log:"
  tail -n 30 "$node/error.log" >&2
  return 1
}

galera_start() {
  local dir=$1 n=${2:-3} k node
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  GALERA_DIR=$dir
  galera_stop "$dir" 2>/dev/null || true
  for ((k = 1; k <= n; k++)); do
    node=$(_galera_node_dir "$dir" "$k")
    rm -rf "$node"
    mkdir -p "$node"
    : >"$node/ports"
    echo "$(_galera_free_port) $(_galera_free_port) $(_galera_free_port) $(_galera_free_port)" >"$node/ports"
  done
  for ((k = 1; k <= n; k++)); do _galera_config "$dir" "$k" "$n"; done
  node=$(_galera_node_dir "$dir" 1)
  if ! mariadb-install-db --defaults-file="$node/my.cnf" --auth-root-authentication-method=normal \
    >"$node/install.log" 2>&1; then
    _galera_log "mariadb-install-db failed"
    tail -n 30 "$node/install.log" >&2
    return 1
  fi
  _galera_launch "$dir" 1 1 || return 1
  galera_sql "$dir" 1 "
    CREATE USER '$GALERA_SST_USER'@'localhost' IDENTIFIED BY '$GALERA_SST_PASSWORD';
    GRANT RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR ON *.* TO '$GALERA_SST_USER'@'localhost';
    CREATE USER '$GALERA_USER'@'127.0.0.1' IDENTIFIED BY '$GALERA_PASSWORD';
    GRANT ALL PRIVILEGES ON *.* TO '$GALERA_USER'@'127.0.0.1';
    CREATE DATABASE $GALERA_DATABASE CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;" || return 1
  # Joiners start from an empty datadir and take a copy (SST) from a synced node.
  for ((k = 2; k <= n; k++)); do
    mkdir -p "$(_galera_node_dir "$dir" "$k")/data"
    _galera_launch "$dir" "$k" 0 || return 1
  done
  GALERA_PORTS=""
  for ((k = 1; k <= n; k++)); do GALERA_PORTS+="${GALERA_PORTS:+ }$(cut -d' ' -f1 "$(_galera_node_dir "$dir" "$k")/ports")"; done
  export GALERA_PORTS
  _galera_log "cluster of $n up: SQL ports $GALERA_PORTS, size $(galera_sql "$dir" 1 "SHOW STATUS LIKE 'wsrep_cluster_size'" | cut -f2)"
}

galera_kill() {
  local node pid
  node=$(_galera_node_dir "$1" "$2")
  pid=$(cat "$node/started.pid" 2>/dev/null) || return 0
  _galera_pid_ok "$pid" "$node/my.cnf" && kill -KILL "$pid"
  wait "$pid" 2>/dev/null || true
}

galera_rejoin() { _galera_launch "$1" "$2" 0; }

galera_stop() {
  local dir=$1 node pid i
  for node in "$dir"/node*; do
    [[ -d $node ]] || continue
    pid=$(cat "$node/started.pid" 2>/dev/null) || continue
    if _galera_pid_ok "$pid" "$node/my.cnf"; then
      kill -TERM "$pid" 2>/dev/null || true
      for ((i = 0; i < 300; i++)); do _galera_pid_ok "$pid" "$node/my.cnf" || break; sleep 0.1; done
      _galera_pid_ok "$pid" "$node/my.cnf" && kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null || true
    rm -f "$node/started.pid"
  done
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  case ${1:-} in
    start) galera_start "$2" "${3:-3}"; echo "$GALERA_PORTS" ;;
    stop) galera_stop "$2" ;;
    *) echo "usage: $0 start DIR [N] | stop DIR" >&2; exit 2 ;;
  esac
fi
