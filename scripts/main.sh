#!/usr/bin/env bash
# The main job: CPU report, backend capabilities, and the full conformance matrix
# (Wycheproof, the NIST CAVP and COSE WG files beside the repository, hardware and
# AES-NI-masked software paths).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
cargo build --release --quiet
bin=./target/release/sealbench
$bin cpu
$bin backends
args=()
shared=../shared/vectors
if [ -d "$shared/nist-gcm-sample" ]; then args+=(--nist "$shared"/nist-gcm-sample/*.rsp); else echo "note: $shared/nist-gcm-sample not found; NIST files skipped"; fi
if [ -d "$shared/cose-wg" ]; then args+=(--cose "$shared/cose-wg"); else echo "note: $shared/cose-wg not found; COSE WG examples skipped"; fi
mkdir -p results
$bin kat "${args[@]}" --software --json results/kat.json
echo "conformance records written to results/kat.json"
