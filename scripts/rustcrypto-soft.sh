#!/usr/bin/env bash
# Runs sealbench with the RustCrypto backend only, its AES and POLYVAL/GHASH forced to the
# portable software backends (fixsliced AES, soft GHASH): the "no AES-NI/CLMUL" baseline.
#
# The cfgs change every crate's fingerprint, so the build goes to its own target dir and
# leaves the main build alone. Arguments are passed to the binary, e.g.
#   scripts/rustcrypto-soft.sh kat --backend rustcrypto
# ref: https://docs.rs/aes/0.9.4/aes/#configuration-flags
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

export RUSTFLAGS="${RUSTFLAGS:+${RUSTFLAGS} }--cfg aes_backend=\"soft\" --cfg polyval_backend=\"soft\""
export CARGO_TARGET_DIR=target/soft

exec cargo run --release --no-default-features --features rustcrypto --bin sealbench -- "$@"
