#!/usr/bin/env bash
# Installs the system packages sealbench needs to build on a fresh Debian machine, and only
# those that are missing (cheap when everything is present).
#   libssl-dev, pkg-config: the openssl backend links the system libssl.
#   openssl: the CLI, for `scripts/openssl-speed-check.sh` and making key files (and the CA
#            of `sealbench e2e`).
#   rabbitmq-server: the broker `sealbench e2e` starts as its own node (scripts/e2e.sh). The
#            package's own service may start on 5672; e2e lives beside it (own node name,
#            ports and epmd), so it is left as the system has it.
set -euo pipefail
need=()
for pkg in libssl-dev pkg-config openssl rabbitmq-server; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ "${#need[@]}" -gt 0 ]; then
  echo "deps.sh: installing ${need[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v cargo >/dev/null || { echo "deps.sh: cargo not found; install Rust 1.95 with rustup" >&2; exit 1; }
