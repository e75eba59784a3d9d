#!/usr/bin/env bash
# Installs the Debian packages funeral-registry needs to build, test and run.
# Idempotent: does nothing (not even `apt-get update`) when everything is present,
# so build.sh/run.sh/test.sh can call it on every run at no cost.

# The one list of system packages. Add new dependencies here.
REGISTRY_APT_PACKAGES=(
  # toolchain
  cmake g++ make pkg-config ccache
  # libFuzzer and its sanitizer runtimes for the fuzz targets (scripts/fuzz.sh, test/fuzz)
  clang libclang-rt-14-dev
  # libraries linked by the service and its tests
  libpoco-dev libsoci-dev libmysqlcppconn-dev liblua5.4-dev lua5.4
  libboost-test-dev libmariadb-dev libsqlite3-dev libmstch-dev
  # XLSX exports (core/codec/Xlsx.cpp)
  libxlsxwriter-dev
  # the seccomp filter of the plugin sandbox processes (core/plugins/Worker.cpp)
  libseccomp-dev
  # time zones of the audit schedule: date/tz.h and the IANA database it reads
  libhowardhinnant-date-dev tzdata
  # databases: SQLite for the default setup, MariaDB for the MySQL tests
  sqlite3 mariadb-server mariadb-client
  # physical backups of a MariaDB registry (scripts/mariadb-backup.sh and its test), also the cluster test's
  # state transfers
  mariadb-backup
  # the cluster test (test/cluster): Galera for three MariaDB nodes, socat for their state transfers,
  # haproxy in front of the instances
  galera-4 socat haproxy
  # a real SMTP server on loopback for the mail alerts' test (test/fault/MailTest.cpp, Debian's python3)
  python3-aiosmtpd
  # the web UI's browser test (test/web): Debian's chromium, a Chinese font for its screenshots, and Java
  # for the Nu Html Checker (vnu.jar)
  chromium fonts-noto-cjk default-jre-headless
  # Leaflet for the public facility map (served by the registry itself, never from a CDN)
  libjs-leaflet
  ca-certificates
  # the Debian package (cmake/Packaging.cmake: dpkg-shlibdeps) and its install test on a clean Debian 12
  # booted in a container (test/package/install-test.sh)
  dpkg-dev debootstrap systemd-container curl
)

registry_missing_packages() {
  local pkg status
  for pkg in "${REGISTRY_APT_PACKAGES[@]}"; do
    # `dpkg-query` fails for never-seen packages; "deinstall ok config-files" is missing too.
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ $status == "install ok installed" ]] || printf '%s\n' "$pkg"
  done
  # Node and npm run the OpenAPI validator of the tests (test/openapi). Debian's are installed only when
  # there is no node at all: a Node that came another way (with its own npm) is kept.
  if ! command -v node >/dev/null 2>&1; then
    printf '%s\n' nodejs npm
  elif ! command -v npm >/dev/null 2>&1; then
    printf '%s\n' npm
  fi
}

registry_install_deps() {
  local -a missing sudo=()
  mapfile -t missing < <(registry_missing_packages)
  ((${#missing[@]} == 0)) && return 0

  if ((EUID != 0)); then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "install-deps: missing packages (${missing[*]}) and not root; no sudo to install them" >&2
      return 1
    fi
    # `env` passes DEBIAN_FRONTEND through sudo regardless of its env_keep policy.
    sudo=(sudo)
  fi

  echo "install-deps: installing ${missing[*]}" >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq || return 1
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" || return 1
}

# Executed directly: install. Sourced: only define the list and the functions.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  registry_install_deps
fi
