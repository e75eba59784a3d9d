#!/usr/bin/env bash
# The Debian package on a clean Debian 12 (ctest -L package; docs/TESTING.md, "Package"): builds the .deb
# with cpack and checks its contents, makes a fresh `debootstrap --variant=minbase bookworm` root with
# systemd, boots it with `systemd-nspawn --boot`, and installs the package there with apt, as an
# operator would: dependencies come from the mirror (a missing one fails), postinst makes the user and
# starts the unit, whose hardening is then really applied. Then: /readyz, the bundled plugins in their
# seccomp-filtered sandboxes, a user made with the CLI, a stop and start, a crash restarted by systemd, an
# upgrade to a newer version (the operator's edit of the conffile kept, the data kept, the schema
# migrated), remove and purge.
#
# Usage: install-test.sh BUILD_DIR. Needs root. The debootstrap result and the downloaded .debs are
# cached in BUILD_DIR/package-test/, so a second run takes a fraction of the first.
# REGISTRY_DEBIAN_MIRROR overrides the mirror read from /etc/apt/sources.list(.d); the run stops itself
# after REGISTRY_PACKAGE_TEST_LIMIT seconds (780, below ctest's TIMEOUT of 900).
set -euo pipefail

build=$(cd "$1" && pwd)
work=$build/package-test
root=$work/root
# Its container's name (hostname): one per build directory, so that two of them may run this at once.
machine=funeral-registry-test-$(echo "$build" | md5sum | cut -c1-6)
started=$SECONDS

say() { echo "package-test [$((SECONDS - started))s]: $*" >&2; }
fail() {
    echo "package-test: FAILED: $*" >&2
    exit 1
}

if ((EUID != 0)); then
    fail "needs root (debootstrap, systemd-nspawn); run ctest -L package as root, or leave it out with -LE package"
fi
for tool in cpack dpkg-deb debootstrap systemd-nspawn nsenter curl sqlite3 python3; do
    command -v "$tool" >/dev/null || fail "$tool is missing (scripts/install-deps.sh installs it)"
done

# --- cleanup: the container shut down (or killed by PID), nothing left running or mounted -----------------
nspawn_pid=
container_init=
mounts_under_root() { awk -v r="$root" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/self/mounts | sort -r; }
# Processes whose root is the tree (debootstrap's); the container's have their own mount namespace.
processes_in_root() {
    local dir
    for dir in /proc/[0-9]*; do
        [[ $(readlink "$dir/root" 2>/dev/null) == "$root" ]] && echo "${dir#/proc/}"
    done
    return 0
}
shutdown_container() {
    [[ -n $nspawn_pid ]] || return 0
    if kill -0 "$nspawn_pid" 2>/dev/null; then
        # SIGTERM: nspawn asks the container's systemd to power off.
        kill -TERM "$nspawn_pid" 2>/dev/null || true
        timeout 30 tail --pid="$nspawn_pid" -f /dev/null || true
    fi
    if kill -0 "$nspawn_pid" 2>/dev/null; then
        echo "package-test: the container did not power off within 30 s: killed" >&2
        # Killing the container's init kills every process of its PID namespace.
        [[ -z $container_init ]] || kill -KILL "$container_init" 2>/dev/null || true
        kill -KILL "$nspawn_pid" 2>/dev/null || true
    fi
    wait "$nspawn_pid" 2>/dev/null || true
    nspawn_pid=
    container_init=
}
watchdog_pid=
cleanup() {
    local pid mount
    [[ -z $watchdog_pid ]] || kill "$watchdog_pid" 2>/dev/null || true
    shutdown_container
    for pid in $(processes_in_root); do kill -KILL "$pid" 2>/dev/null || true; done
    for mount in $(mounts_under_root); do umount "$mount" || umount -l "$mount" || true; done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The script ends by itself before ctest's TIMEOUT (900 s) would kill it without a cleanup: every step
# that could hang has a timeout, and this watchdog turns the whole run's limit into a SIGTERM (handled
# once the step in progress ends).
limit=${REGISTRY_PACKAGE_TEST_LIMIT:-780}
(
    trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
    sleep "$limit" &
    sleeper=$!
    wait "$sleeper"
    echo "package-test: FAILED: still running after $limit s" >&2
    kill -TERM $$
) </dev/null >&2 &
watchdog_pid=$!

# A fresh root from the cached debootstrap result; never removed while anything is mounted inside it.
fresh_root() {
    [[ -z $(mounts_under_root) ]] || fail "something is still mounted under $root"
    rm -rf --one-file-system "$root"
    mkdir -p "$root"
    tar -C "$root" -xf "$1"
}

mkdir -p "$work"

# --- 1. the packages: this build's version, and the same a version later for the upgrade -----------------
say "building funeral-registry and packaging it (cpack -G DEB)"
cmake --build "$build" --target funeral-registry -j"$(nproc)" >"$work/build.log" 2>&1 || {
    cat "$work/build.log" >&2
    fail "building funeral-registry"
}
version=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$build/CPackConfig.cmake")
[[ -n $version ]] || fail "no CPACK_PACKAGE_VERSION in $build/CPackConfig.cmake"
next=$version+upgrade1
rm -rf "$work/deb" "$work/deb-next"
(cd "$build" && cpack -G DEB -B "$work/deb" >"$work/cpack.log" 2>&1) || {
    cat "$work/cpack.log" >&2
    fail "cpack -G DEB"
}
(cd "$build" && cpack -G DEB -B "$work/deb-next" -D CPACK_PACKAGE_VERSION="$next" >>"$work/cpack.log" 2>&1) || {
    cat "$work/cpack.log" >&2
    fail "cpack -G DEB (version $next)"
}
deb=$(ls "$work"/deb/funeral-registry_"$version"_*.deb)
deb_next=$(ls "$work"/deb-next/funeral-registry_"$next"_*.deb)
say "built $(basename "$deb") ($(du -h "$deb" | cut -f1)) and $(basename "$deb_next")"

# --- 2. what is in it -----------------------------------------------------------------------------------
info=$(dpkg-deb -I "$deb")
grep -q '^ Depends:.*libpoco' <<<"$info" || fail "Depends has no libpoco (dpkg-shlibdeps did not run?): $info"
grep -q '^ Depends:.*tzdata' <<<"$info" || fail "Depends has no tzdata"
[[ $(dpkg-deb -f "$deb" Version) == "$version" ]] || fail "package version is not $version"
[[ $(dpkg-deb -I "$deb" conffiles) == /etc/funeral-registry/registry.properties ]] ||
    fail "conffiles is not exactly /etc/funeral-registry/registry.properties"
for script in postinst prerm postrm; do
    dpkg-deb -I "$deb" "$script" | head -1 | grep -qx '#!/bin/sh' || fail "$script is not a /bin/sh script"
done
# Every path is the package's own or one of the directories above them.
unexpected=$(dpkg-deb -c "$deb" | awk '{ print $6 }' | grep -vxE '\./|\./(usr|usr/bin|usr/share|usr/share/doc|etc|lib|lib/systemd|lib/systemd/system)/|\./usr/bin/funeral-registry|\./usr/share/(funeral-registry|doc/funeral-registry)/.*|\./etc/funeral-registry/(registry\.properties)?|\./lib/systemd/system/funeral-registry\.service' || true)
[[ -z $unexpected ]] || fail "files outside the expected paths: $unexpected"
contents=$(dpkg-deb -c "$deb" | awk '{ print $6 }')
for path in ./usr/bin/funeral-registry ./lib/systemd/system/funeral-registry.service \
    ./etc/funeral-registry/registry.properties ./usr/share/funeral-registry/plugins/common/price_increase.lua \
    ./usr/share/doc/funeral-registry/OPERATIONS.md; do
    grep -qx "$path" <<<"$contents" || fail "$path is not in the package"
done
say "contents, control fields and conffiles as expected"

# --- 3. a clean Debian 12 -------------------------------------------------------------------------------
mirror=${REGISTRY_DEBIAN_MIRROR:-}
if [[ -z $mirror ]]; then
    mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    [[ -n $mirror ]] || mirror=$(awk '$1 == "deb" && $3 ~ /^bookworm$/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
fi
[[ -n $mirror ]] || fail "no Debian mirror in /etc/apt/sources.list(.d); set REGISTRY_DEBIAN_MIRROR"
# A Debian 12 as small as can boot: minbase (essential packages and apt) and systemd.
include=systemd,systemd-sysv,dbus
cache=$work/bookworm-minbase-$(echo "$mirror $include" | md5sum | cut -c1-8).tar
if [[ ! -f $cache ]]; then
    say "debootstrap --variant=minbase --include=$include bookworm from $mirror (cached in $cache afterwards)"
    [[ -z $(mounts_under_root) ]] || fail "something is still mounted under $root"
    rm -rf --one-file-system "$root"
    timeout 480 debootstrap --variant=minbase --include="$include" bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
        tail -30 "$work/debootstrap.log" >&2
        fail "debootstrap"
    }
    for pid in $(processes_in_root); do kill -TERM "$pid" 2>/dev/null || true; done
    rm -f "$root"/var/cache/apt/archives/*.deb
    tar -C "$root" -cf "$cache.part" . && mv "$cache.part" "$cache"
fi
fresh_root "$cache"
# The host's Debian sources (updates and security too, as a real Debian 12 has them), and its resolver.
if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/"
    rm -f "$root/etc/apt/sources.list"
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"
# Dependencies downloaded by an earlier run are reused; apt checks them against the index anyway.
mkdir -p "$work/apt-archives"
cp -n "$work"/apt-archives/*.deb "$root/var/cache/apt/archives/" 2>/dev/null || true
# Not /tmp: the container gets a fresh one.
cp "$deb" "$deb_next" "$root/root/"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port
# The container shares this machine's network; the one setting of this test goes in a drop-in, as an
# operator's `systemctl edit` would put it (REGISTRY_HTTP_PORT overrides http.port).
mkdir -p "$root/etc/systemd/system/funeral-registry.service.d"
printf '[Service]\nEnvironment=REGISTRY_HTTP_PORT=%s\n' "$port" >"$root/etc/systemd/system/funeral-registry.service.d/port.conf"

# No machined and no systemd on this host: no registration, and the container stays in our cgroup.
nspawn=(systemd-nspawn -q --register=no --keep-unit --machine="$machine" -D "$root")
say "booting it (systemd-nspawn --boot)"
setsid "${nspawn[@]}" --boot </dev/null >"$work/boot.log" 2>&1 &
nspawn_pid=$!
deadline=$((SECONDS + 30))
# nspawn's first child forks the container's init and exits: wait for the child that runs systemd.
container_pid1() {
    local child
    for child in $(pgrep -P "$nspawn_pid"); do
        [[ $(cat "/proc/$child/comm" 2>/dev/null) == systemd ]] && echo "$child" && return 0
    done
    return 1
}
until container_init=$(container_pid1); do
    kill -0 "$nspawn_pid" 2>/dev/null || { cat "$work/boot.log" >&2; fail "systemd-nspawn --boot exited"; }
    ((SECONDS < deadline)) || fail "no container init within 30 s"
    sleep 0.2
done
# A command in the running container: its namespaces, root and working directory.
in_system() {
    timeout 300 nsenter -t "$container_init" -a -r -w env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
        DEBIAN_FRONTEND=noninteractive "$@" </dev/null
}
# Until its systemd answers (its socket appears some time after it starts), then until the boot is done.
deadline=$((SECONDS + 60))
until state=$(in_system systemctl is-system-running --wait 2>/dev/null) || [[ $state == degraded ]]; do
    ((SECONDS < deadline)) || { cat "$work/boot.log" >&2; fail "the container did not boot within 60 s (${state:-no answer})"; }
    sleep 0.5
done
say "container up ($state), init PID $container_init"

journal() { in_system journalctl -u funeral-registry -o cat --no-pager; }
wait_ready() {
    local deadline=$((SECONDS + 60))
    until [[ $(curl -s -o /dev/null -w '%{http_code}' "$url/readyz") == 200 ]]; do
        ((SECONDS < deadline)) || { journal | tail -40 >&2; fail "/readyz not 200 within 60 s ($1)"; }
        sleep 0.3
    done
    say "service ($1) answers /readyz 200, MainPID $(main_pid)"
}
main_pid() { in_system systemctl show -p MainPID --value funeral-registry; }
apt_install() {
    in_system apt-get install -y -q --no-install-recommends "/root/$(basename "$1")" >>"$work/apt.log" 2>&1 || {
        tail -40 "$work/apt.log" >&2
        fail "apt-get install $(basename "$1") (a conffile question would fail here too)"
    }
}
as_service() { in_system runuser -u funeral-registry -- "$@"; }
sign_in() {
    curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
        -d "{\"username\":\"inspector.deb\",\"password\":\"$password\"}" "$url/api/v1/auth/token"
}
settings=/etc/funeral-registry/registry.properties

# --- 4. install: postinst makes the user and the directories and starts the service --------------------
in_system apt-get update -q >"$work/apt.log" 2>&1 || { tail -20 "$work/apt.log" >&2; fail "apt-get update"; }
say "apt-get install ./$(basename "$deb") in the booted container"
apt_install "$deb"
cp -n "$root"/var/cache/apt/archives/*.deb "$work/apt-archives/" 2>/dev/null || true
wait_ready installed
[[ $(in_system systemctl is-enabled funeral-registry) == enabled ]] || fail "the service is not enabled"
in_system getent passwd funeral-registry | grep -q ':/var/lib/funeral-registry:' ||
    fail "no system user funeral-registry with home /var/lib/funeral-registry"
[[ $(in_system stat -c '%U:%G %a' /var/lib/funeral-registry) == 'funeral-registry:funeral-registry 750' ]] ||
    fail "/var/lib/funeral-registry is not funeral-registry's, mode 750"
[[ $(in_system stat -c '%U:%G %a' "$settings") == 'root:funeral-registry 640' ]] ||
    fail "the settings file is not root:funeral-registry 640"
config=$root$settings
grep -qx 'db.url = sqlite3:/var/lib/funeral-registry/registry.db' "$config" || fail "db.url is not the service's"
grep -qx 'plugins.dir = /usr/share/funeral-registry/plugins' "$config" || fail "plugins.dir is not the package's"
# The bundled plugins loaded from /usr/share/funeral-registry/plugins, in seccomp-filtered sandbox processes,
# under the unit's hardening.
metrics=$(curl -s "$url/metrics")
grep -qE '^registry_plugins\{state="active"\} [1-9]' <<<"$metrics" || fail "no bundled plugin is active: $(grep '^registry_plugins' <<<"$metrics")"
grep -qx 'registry_plugin_sandbox_seccomp 1' <<<"$metrics" || fail "the plugin sandbox runs without its seccomp filter"
[[ $(curl -s -o /dev/null -w '%{http_code}' "$url/public/") == 200 ]] || fail "/public/ is not 200"

# --- 5. a user from the CLI, then stop and start, and a crash --------------------------------------------
password=$(as_service funeral-registry --config "$settings" user add inspector.deb --role admin | sed -n 's/.*password: *//p')
[[ -n $password ]] || fail "user add printed no password"
[[ $(sign_in) == 200 ]] || fail "the new user cannot sign in"

in_system systemctl stop funeral-registry
# systemd sent SIGTERM to the main PID; the server stopped cleanly (exit status 0) on its own.
[[ $(in_system systemctl show -p Result --value funeral-registry) == success ]] ||
    { journal | tail -20 >&2; fail "the service did not stop cleanly on SIGTERM"; }
in_system systemctl start funeral-registry
wait_ready restarted
[[ $(sign_in) == 200 ]] || fail "the user made before the restart cannot sign in after it"
say "survived a restart: the user made before it signs in"

in_system /bin/sh -c "kill -KILL $(main_pid)"
sleep 1
wait_ready "after kill -9"
[[ $(in_system systemctl show -p NRestarts --value funeral-registry) == 1 ]] || fail "systemd did not restart the killed service"
[[ $(sign_in) == 200 ]] || fail "the user cannot sign in after the crash"
say "Restart=on-failure brought it back after kill -9"

# --- 6. upgrade: a newer version over an edited conffile and a database of the release before ---------------
in_system systemctl stop funeral-registry
echo 'public.cache_seconds = 11' >>"$config"
# The database as a release before mail alerts left it: without migration 0009 (and 0010, which changes
# nothing on SQLite). When a migration that reshapes SQLite is added, take it back here too.
db=$root/var/lib/funeral-registry/registry.db
latest=$(sqlite3 "$db" 'SELECT MAX(version) FROM schema_migrations')
((latest >= 9)) || fail "the database is at schema $latest, below 0009: the upgrade step of $0 is out of date"
((latest <= 10)) || fail "migration $latest is new: take it back in the upgrade step of $0 too"
sqlite3 "$db" 'DROP TABLE mail_outbox; ALTER TABLE users DROP COLUMN email; DELETE FROM schema_migrations WHERE version >= 9;'
# sqlite3 ran as this machine's root: the database and whatever companions it left stay the service's.
chown "$(in_system id -u funeral-registry):$(in_system id -g funeral-registry)" "$db"*
# Left stopped: this version would migrate the database back at once (the running case of prerm is
# remove's, below).

say "apt-get install ./$(basename "$deb_next") over it"
apt_install "$deb_next"
# shellcheck disable=SC2016 # dpkg-query's own ${Version}
[[ $(in_system dpkg-query -W -f='${Version}' funeral-registry) == "$next" ]] || fail "the upgrade did not install $next"
wait_ready upgraded
grep -qx 'public.cache_seconds = 11' "$config" || fail "the upgrade lost the operator's edit of registry.properties"
[[ ! -e $config.dpkg-new && ! -e $config.dpkg-dist ]] || fail "the upgrade left a .dpkg-new/.dpkg-dist"
[[ $(in_system stat -c '%U:%G %a' "$settings") == 'root:funeral-registry 640' ]] ||
    fail "the upgrade changed the settings file's owner or mode"
# The server the upgrade started (prerm stopped the old one) applied the missing migration.
invocation=$(in_system systemctl show -p InvocationID --value funeral-registry)
in_system journalctl _SYSTEMD_INVOCATION_ID="$invocation" -o cat --no-pager | grep -q 'applied migration 0009_mail' ||
    { journal | tail -20 >&2; fail "the upgraded service did not apply migration 0009"; }
[[ $(sqlite3 "$db" 'SELECT MAX(version) FROM schema_migrations') == "$latest" ]] ||
    fail "the schema is not at $latest after the upgrade"
[[ $(sign_in) == 200 ]] || fail "the user made before the upgrade cannot sign in after it"
say "upgrade to $next kept the conffile edit and the data, and migrated the schema"

# --- 7. remove keeps the data and the user, purge takes them -------------------------------------------------
in_system apt-get remove -y -q funeral-registry >>"$work/apt.log" 2>&1 || fail "apt-get remove"
[[ $(in_system systemctl is-active funeral-registry || true) != active ]] || fail "apt-get remove left the service running"
[[ -f $db ]] || fail "apt-get remove deleted the database"
in_system getent passwd funeral-registry >/dev/null || fail "apt-get remove deleted the user"
[[ ! -e $root/usr/bin/funeral-registry ]] || fail "apt-get remove left the binary"
in_system apt-get purge -y -q funeral-registry >>"$work/apt.log" 2>&1 || fail "apt-get purge"
[[ ! -e $root/var/lib/funeral-registry && ! -e $root/etc/funeral-registry/registry.properties ]] ||
    fail "purge left the database or the settings"
in_system getent passwd funeral-registry >/dev/null && fail "purge left the user"
say "remove kept the data and the user; purge removed them"

shutdown_container
cleanup
trap - EXIT
[[ -z $(mounts_under_root) ]] || fail "mounts left under $root"
rm -rf --one-file-system "$root"
say "passed in $((SECONDS - started)) s"
