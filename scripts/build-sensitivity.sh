#!/usr/bin/env bash
# Build profile as a measured dimension (issue 13): builds sealbench and the standalone
# aes-gcm benchmark (examples/aes_gcm_standalone.rs) in two cargo profiles,
#   release  codegen-units = 16, no LTO (what `cargo build --release` gives)
#   measure  codegen-units = 1, fat LTO (Cargo.toml [profile.measure]; scripts/main.sh)
# then
#  1. `sealbench run --build-sensitivity`: the raw AEADs timed by both binaries, their
#     processes interleaved, speed-up of the tuned build per backend (also relative to an
#     assembly backend measured in the same processes);
#  2. cross-checks `sealbench run`'s seal_rustcrypto_aes128gcm_{64,16384} against the
#     standalone benchmark of the same build, in the same minute.
# Usage: scripts/build-sensitivity.sh [run options, e.g. --precise]
#        (outputs in $OUT, default target/build-sensitivity). Part 2 needs jq.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-target/build-sensitivity}
mkdir -p "$out"
for p in release measure; do
  cargo build --profile "$p" --quiet --bin sealbench --example aes_gcm_standalone
done

echo "== 1. raw AEADs, release vs measure, interleaved"
target/measure/sealbench run --build-sensitivity \
  --release-bin target/release/sealbench --measure-bin target/measure/sealbench \
  --out "$out/sensitivity.json" "$@"

command -v jq >/dev/null || { echo "build-sensitivity: part 2 needs jq" >&2; exit 2; }
echo
echo "== 2. seal_rustcrypto_aes128gcm: sealbench run vs the standalone aes-gcm benchmark"
for p in release measure; do
  target/$p/examples/aes_gcm_standalone | tee "$out/standalone-$p.txt"
  target/$p/sealbench run --quiet --sizes 64,16384 --backend rustcrypto \
    --filter '^seal_rustcrypto_aes128gcm_' --out "$out/run-$p.json" >/dev/null
  jq -r --arg p "$p" '.runs[0].scenarios[] | select(.id | startswith("seal_rustcrypto")) |
    "sealbench run \(.id): \(.stats.median_ns * 10 | round / 10) ns wall, \(.stats.cpu_median_ns * 10 | round / 10) ns CPU (\($p))"' "$out/run-$p.json"
done
