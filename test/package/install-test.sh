#!/usr/bin/env bash
# The Debian package on a clean Debian 12 (ctest -L package; docs/TESTING.md, "Package"): builds the .deb
# with cpack, checks its contents, installs it with apt into a fresh `debootstrap --variant=minbase bookworm`
# root (dependencies come from the mirror, so a missing one fails), starts the service as its unit does
# (the unit's own ExecStart, User= and WorkingDirectory=, under chroot: this machine has no systemd to boot),
# and checks /readyz, a user made with the CLI, a restart, an upgrade to a newer version (the operator's
# edit of the conffile kept, the data kept, the schema migrated), remove and purge.
#
# Usage: install-test.sh BUILD_DIR SOURCE_DIR. Needs root. The debootstrap result is cached in
# BUILD_DIR/package-test/ (and the downloaded .debs), so a second run takes a fraction of the first.
# REGISTRY_DEBIAN_MIRROR overrides the mirror read from /etc/apt/sources.list(.d).
set -euo pipefail

build=$(cd "$1" && pwd)
source_dir=$(cd "$2" && pwd)
work=$build/package-test
root=$work/root
started=$SECONDS

say() { echo "package-test [$((SECONDS - started))s]: $*" >&2; }
fail() {
    echo "package-test: FAILED: $*" >&2
    exit 1
}

if ((EUID != 0)); then
    fail "needs root (debootstrap, chroot, mount); run ctest -L package as root, or leave it out with -LE package"
fi
for tool in cpack dpkg-deb debootstrap chroot curl sqlite3 python3; do
    command -v "$tool" >/dev/null || fail "$tool is missing (scripts/install-deps.sh installs it)"
done

# --- cleanup: every process in the root killed by PID, every mount under it unmounted --------------------
server_pid=
mounts_under_root() { awk -v r="$root" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/self/mounts | sort -r; }
processes_in_root() {
    local dir pid
    for dir in /proc/[0-9]*; do
        pid=${dir#/proc/}
        [[ $(readlink "$dir/root" 2>/dev/null) == "$root" ]] && echo "$pid"
    done
    return 0
}
cleanup() {
    local pid mount
    if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then kill -TERM "$server_pid" 2>/dev/null || true; fi
    for pid in $(processes_in_root); do kill -TERM "$pid" 2>/dev/null || true; done
    sleep 0.5
    for pid in $(processes_in_root); do kill -KILL "$pid" 2>/dev/null || true; done
    for mount in $(mounts_under_root); do umount "$mount" || umount -l "$mount" || true; done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A fresh root from the cached debootstrap result; never removed while anything is mounted inside it.
fresh_root() {
    [[ -z $(mounts_under_root) ]] || fail "something is still mounted under $root"
    rm -rf --one-file-system "$root"
    mkdir -p "$root"
    tar -C "$root" -xf "$1"
}

in_root() { timeout 300 chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive "$@" </dev/null; }

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
cache=$work/bookworm-minbase-$(echo "$mirror" | md5sum | cut -c1-8).tar
if [[ ! -f $cache ]]; then
    say "debootstrap --variant=minbase bookworm from $mirror (cached in $cache afterwards)"
    [[ -z $(mounts_under_root) ]] || fail "something is still mounted under $root"
    rm -rf --one-file-system "$root"
    timeout 600 debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
        tail -30 "$work/debootstrap.log" >&2
        fail "debootstrap"
    }
    for pid in $(processes_in_root); do kill -TERM "$pid" 2>/dev/null || true; done
    tar -C "$root" -cf "$cache.part" . && mv "$cache.part" "$cache"
fi
fresh_root "$cache"
# The host's Debian sources (updates and security too, as a real Debian 12 has them), and its resolver.
if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/"
    rm -f "$root/etc/apt/sources.list"
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts"
# Dependencies downloaded by an earlier run are reused; apt checks them against the index anyway.
mkdir -p "$work/apt-archives"
cp -n "$work"/apt-archives/*.deb "$root/var/cache/apt/archives/" 2>/dev/null || true
cp "$deb" "$deb_next" "$root/tmp/"

say "apt-get install ./$(basename "$deb") in the clean root"
in_root apt-get update -qq >"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; fail "apt-get update"; }
in_root apt-get install -y -q --no-install-recommends "/tmp/$(basename "$deb")" >>"$work/apt.log" 2>&1 || {
    tail -40 "$work/apt.log" >&2
    fail "apt-get install of the package"
}
cp -n "$root"/var/cache/apt/archives/*.deb "$work/apt-archives/" 2>/dev/null || true

# --- 4. what the installation made ------------------------------------------------------------------------
in_root getent passwd funeral-registry | grep -q ':/var/lib/funeral-registry:' ||
    fail "no system user funeral-registry with home /var/lib/funeral-registry"
[[ $(in_root stat -c '%U:%G %a' /var/lib/funeral-registry) == 'funeral-registry:funeral-registry 750' ]] ||
    fail "/var/lib/funeral-registry is not funeral-registry's, mode 750"
[[ $(in_root stat -c '%U:%G %a' /etc/funeral-registry/registry.properties) == 'root:funeral-registry 640' ]] ||
    fail "the settings file is not root:funeral-registry 640"
config=$root/etc/funeral-registry/registry.properties
grep -qx 'db.url = sqlite3:/var/lib/funeral-registry/registry.db' "$config" || fail "db.url is not the service's"
grep -qx 'plugins.dir = /usr/share/funeral-registry/plugins' "$config" || fail "plugins.dir is not the package's"
in_root systemctl --version >/dev/null 2>&1 && fail "systemd in the minbase root: this test means to run the unit by hand"

# --- 5. the service as its unit starts it -----------------------------------------------------------------
unit=$root/lib/systemd/system/funeral-registry.service
unit_value() { sed -n "s/^$1=//p" "$unit" | tail -1; }
exec_start=$(unit_value ExecStart)
service_user=$(unit_value User)
service_group=$(unit_value Group)
working_dir=$(unit_value WorkingDirectory)
[[ -n $exec_start && -n $service_user && -n $working_dir ]] || fail "the unit lacks ExecStart, User or WorkingDirectory"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port

start_service() {
    local log=$work/server-$1.log
    # The unit's command line, as its user in its working directory; only the port is this test's.
    setsid chroot --userspec="$service_user:$service_group" "$root" env -i PATH=/usr/bin:/bin LANG=C.UTF-8 \
        REGISTRY_HTTP_PORT="$port" /bin/sh -c "cd '$working_dir' && exec $exec_start" </dev/null >"$log" 2>&1 &
    server_pid=$!
    local deadline=$((SECONDS + 60))
    until [[ $(curl -s -o /dev/null -w '%{http_code}' "$url/readyz") == 200 ]]; do
        kill -0 "$server_pid" 2>/dev/null || { cat "$log" >&2; fail "the server exited before /readyz ($1)"; }
        ((SECONDS < deadline)) || { cat "$log" >&2; fail "/readyz not 200 within 60 s ($1)"; }
        sleep 0.3
    done
    say "server ($1) answers /readyz 200 on port $port, PID $server_pid"
}
stop_service() {
    kill -TERM "$server_pid"
    local status=0
    timeout 40 tail --pid="$server_pid" -f /dev/null || fail "the server did not stop within 40 s of SIGTERM"
    wait "$server_pid" || status=$?
    ((status == 0)) || { cat "$work/server-$1.log" >&2; fail "the server exited with status $status on SIGTERM ($1)"; }
    server_pid=
}
as_service() { in_root setpriv --reuid="$service_user" --regid="$service_group" --init-groups "$@"; }
sign_in() {
    curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
        -d "{\"username\":\"inspector.deb\",\"password\":\"$password\"}" "$url/api/v1/auth/token"
}

start_service first
# The bundled plugins loaded from /usr/share/funeral-registry/plugins, in seccomp-filtered sandbox processes.
metrics=$(curl -s "$url/metrics")
grep -qE '^registry_plugins\{state="active"\} [1-9]' <<<"$metrics" || fail "no bundled plugin is active: $(grep '^registry_plugins' <<<"$metrics")"
grep -qx 'registry_plugin_sandbox_seccomp 1' <<<"$metrics" || fail "the plugin sandbox runs without its seccomp filter"
password=$(as_service funeral-registry --config /etc/funeral-registry/registry.properties user add inspector.deb \
    --role admin | sed -n 's/.*password: *//p')
[[ -n $password ]] || fail "user add printed no password"
[[ $(sign_in) == 200 ]] || fail "the new user cannot sign in"
[[ $(curl -s -o /dev/null -w '%{http_code}' "$url/public/") == 200 ]] || fail "/public/ is not 200"
stop_service first

start_service restarted
[[ $(sign_in) == 200 ]] || fail "the user made before the restart cannot sign in after it"
say "survived a restart: the user made before it signs in"
stop_service restarted

# --- 6. upgrade: a newer version over an edited conffile and a database of the release before ---------------
echo 'public.cache_seconds = 11' >>"$config"
# The database as the previous release left it: without migration 0009 (mail alerts). Update this step
# when a migration is added, so that it takes the newest one back.
db=$root/var/lib/funeral-registry/registry.db
[[ $(sqlite3 "$db" 'SELECT MAX(version) FROM schema_migrations') == 9 ]] ||
    fail "the newest migration is not 0009: update the upgrade step of $0"
sqlite3 "$db" 'DROP TABLE mail_outbox; ALTER TABLE users DROP COLUMN email; DELETE FROM schema_migrations WHERE version = 9;'
# sqlite3 ran as root: the database and whatever companions it left stay the service's.
chown "$(in_root id -u "$service_user"):$(in_root id -g "$service_user")" "$db"*
say "apt-get install ./$(basename "$deb_next") over it"
in_root apt-get install -y -q --no-install-recommends "/tmp/$(basename "$deb_next")" >>"$work/apt.log" 2>&1 || {
    tail -40 "$work/apt.log" >&2
    fail "apt-get install of the newer package (a conffile question would fail here too)"
}
[[ $(in_root dpkg-query -W -f='${Version}' funeral-registry) == "$next" ]] || fail "the upgrade did not install $next"
grep -qx 'public.cache_seconds = 11' "$config" || fail "the upgrade lost the operator's edit of registry.properties"
[[ ! -e $config.dpkg-new && ! -e $config.dpkg-dist ]] || fail "the upgrade left a .dpkg-new/.dpkg-dist"
[[ $(in_root stat -c '%U:%G %a' /etc/funeral-registry/registry.properties) == 'root:funeral-registry 640' ]] ||
    fail "the upgrade changed the settings file's owner or mode"
start_service upgraded
grep -q 'applied migration 0009_mail' "$work/server-upgraded.log" ||
    fail "the upgraded server did not apply migration 0009 (log: $work/server-upgraded.log)"
[[ $(sqlite3 "$db" 'SELECT MAX(version) FROM schema_migrations') == 9 ]] || fail "the schema is not at 0009 after the upgrade"
[[ $(sign_in) == 200 ]] || fail "the user made before the upgrade cannot sign in after it"
stop_service upgraded
say "upgrade to $next kept the conffile edit and the data, and migrated the schema"

# --- 7. remove keeps the data and the user, purge takes them -------------------------------------------------
in_root apt-get remove -y -q funeral-registry >>"$work/apt.log" 2>&1 || fail "apt-get remove"
[[ -f $db ]] || fail "apt-get remove deleted the database"
in_root getent passwd funeral-registry >/dev/null || fail "apt-get remove deleted the user"
[[ ! -e $root/usr/bin/funeral-registry ]] || fail "apt-get remove left the binary"
in_root apt-get purge -y -q funeral-registry >>"$work/apt.log" 2>&1 || fail "apt-get purge"
[[ ! -e $root/var/lib/funeral-registry && ! -e $root/etc/funeral-registry ]] || fail "purge left /var/lib or /etc data"
in_root getent passwd funeral-registry >/dev/null && fail "purge left the user"
say "remove kept the data and the user; purge removed them"

cleanup
trap - EXIT
[[ -z $(mounts_under_root) ]] || fail "mounts left under $root"
rm -rf --one-file-system "$root"
say "passed in $((SECONDS - started)) s"
