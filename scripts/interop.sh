#!/usr/bin/env bash
# Interoperability with COSE libraries written by others (cwt and pycose, from PyPI):
# they open our golden vectors, and `sealbench open` accepts the messages they produce.
# The Python side is tests/interop/cose_interop.py; exact pins in tests/interop/requirements.txt.
#
#   scripts/interop.sh [SEALBENCH_BIN]     (default: target/release/sealbench; build it first)
#
# The libraries go into a virtualenv under target/interop-venv, made once and reused while
# the requirements file is unchanged. If PyPI cannot be reached the script prints SKIPPED
# and exits 3, or 0 when SEALBENCH_INTEROP_ALLOW_SKIP=1 (never set in CI).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/sealbench}
req=tests/interop/requirements.txt
venv=target/interop-venv
[ -x "$bin" ] || { echo "interop: $bin not found; run cargo build --release first" >&2; exit 2; }

# python3 -m venv needs the python3-venv package on Debian (ensurepip).
if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
  echo "interop.sh: installing python3-venv" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
fi

stamp="$venv/.requirements.sha256"
want=$(sha256sum "$req" | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  log=$(mktemp)
  if ! "$venv/bin/pip" install --quiet --disable-pip-version-check --no-input \
        --timeout 30 --retries 2 -r "$req" >"$log" 2>&1; then
    if grep -qiE "connection|resolve|network|timed out|No matching distribution|Could not fetch" "$log"; then
      cat "$log" >&2
      rm -rf "$venv" "$log"
      echo "SKIPPED: interop test: PyPI unreachable, cwt/pycose not installed"
      [ "${SEALBENCH_INTEROP_ALLOW_SKIP:-0}" = 1 ] && exit 0
      exit 3
    fi
    cat "$log" >&2
    rm -rf "$venv" "$log"
    echo "interop: pip install -r $req failed" >&2
    exit 1
  fi
  rm -f "$log"
  echo "$want" >"$stamp"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$venv/bin/python" tests/interop/cose_interop.py \
  --vectors vectors/envelope --sealbench "$bin" --work "$work"
