#!/usr/bin/env bash
# Build profile as a measured dimension (issue 13). Builds sealbench and the standalone
# aes-gcm benchmark (examples/aes_gcm_standalone.rs) in two cargo profiles:
#   release  codegen-units = 16, no LTO (what `cargo build --release` gives)
#   measure  codegen-units = 1, fat LTO (Cargo.toml [profile.measure]; scripts/main.sh)
# then
#  1. times the raw AEADs (AES-128-GCM, ChaCha20-Poly1305; seal and open; 64 B and 16 KiB)
#     of both binaries, interleaved process by process (`sealbench gate --baseline-bin
#     --candidate-bin`), and prints the speed-up of the tuned build per backend;
#  2. cross-checks `sealbench run`'s seal_rustcrypto_aes128gcm_{64,16384} against the
#     standalone benchmark of the same build, in the same minute.
# Usage: scripts/build-sensitivity.sh   (outputs in $OUT, default target/build-sensitivity)
# Needs jq.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-target/build-sensitivity}
mkdir -p "$out"
command -v jq >/dev/null || { echo "build-sensitivity: needs jq" >&2; exit 2; }
for p in release measure; do
  cargo build --profile "$p" --quiet --bin sealbench --example aes_gcm_standalone
done
rel=target/release/sealbench
mea=target/measure/sealbench

echo "== 1. raw AEADs, release (baseline) vs measure (candidate), interleaved"
# A 1000% threshold: nothing is a suspect to re-measure; only the ratios are wanted.
$mea gate --baseline-bin "$rel" --candidate-bin "$mea" \
  --filter '^(seal|open)_[a-z-]+_(aes128gcm|chacha20poly1305)_(64|16384)$' \
  --threshold all=1000 --json >"$out/gate.json" 2>"$out/gate.err" || true
jq -r '
  [.comparison.rows[] | {b: (.id | split("_")[1]), id, base: .baseline.median, cand: .candidate.median}]
  | (.[] | "\(.id)\t\(.base | floor) ns\t\(.cand | floor) ns\t×\(.base / .cand | . * 100 | round / 100)"),
    "",
    "per backend: geometric mean of release time / measure time (above 1: LTO + 1 codegen unit is faster)",
    (group_by(.b)[] | "\(.[0].b)\t×\((map(.base / .cand | log) | add / length | exp) * 100 | round / 100)")
' "$out/gate.json" | column -t -s $'\t'

echo
echo "== 2. seal_rustcrypto_aes128gcm: sealbench run vs the standalone aes-gcm benchmark"
for p in release measure; do
  target/$p/examples/aes_gcm_standalone | tee "$out/standalone-$p.txt"
  target/$p/sealbench run --quiet --sizes 64,16384 --backend rustcrypto \
    --filter '^seal_rustcrypto_aes128gcm_' --out "$out/run-$p.json" >/dev/null
  jq -r --arg p "$p" '.runs[0].scenarios[] | select(.id | startswith("seal_rustcrypto")) |
    "sealbench run \(.id): \(.stats.median_ns * 10 | round / 10) ns wall, \(.stats.cpu_median_ns * 10 | round / 10) ns CPU (\($p))"' "$out/run-$p.json"
done
