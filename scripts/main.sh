#!/usr/bin/env bash
# The main job: on this machine, report the CPU and backends, run the full conformance
# matrix (Wycheproof, the NIST CAVP and COSE WG files beside the repository, hardware and
# AES-NI-masked software paths), measure the scenario matrix (hardware vs software), decide
# encrypt-all vs encrypt-some for the example traffic profiles, and write the design-review
# report.
#   scripts/main.sh [OUTDIR] [--quick]      (default OUTDIR: results/)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-results}
profile=()
[ "${2:-}" = "--quick" ] && profile=(--quick)
./scripts/deps.sh
# The measurement build: codegen-units = 1 and fat LTO ([profile.measure] in Cargo.toml),
# every library at its best; recorded in each results file's environment.build_profile.
cargo build --profile measure --quiet
bin=./target/measure/sealbench
mkdir -p "$out"

$bin cpu | tee "$out/cpu.txt"
$bin backends | tee "$out/backends.txt"

kat=()
shared=../shared/vectors
if [ -d "$shared/nist-gcm-sample" ]; then kat+=(--nist "$shared"/nist-gcm-sample/*.rsp); else echo "note: $shared/nist-gcm-sample not found; NIST files skipped"; fi
if [ -d "$shared/cose-wg" ]; then kat+=(--cose "$shared/cose-wg"); else echo "note: $shared/cose-wg not found; COSE WG examples skipped"; fi
$bin kat "${kat[@]}" --software --json "$out/kat.json" | tee "$out/kat.txt"

$bin run "${profile[@]}" --software --out "$out/results.json" | tee "$out/run.txt"

for p in examples/*.toml; do
  name=$(basename "$p" .toml)
  $bin decide --profile "$p" --results "$out/results.json" | tee "$out/decide-$name.txt"
  $bin decide --profile "$p" --results "$out/results.json" --json > "$out/decide-$name.json"
done

decisions=()
for d in "$out"/decide-*.json; do decisions+=(--decision "$d"); done
$bin report "$out/results.json" --kat "$out/kat.json" "${decisions[@]}" --out "$out/report"
echo "report: $out/report/index.html (markdown: $out/report/report.md)"
# Screenshots of the summary page (installs Debian's chromium when missing).
./scripts/render-report.sh "$out/report" || echo "note: report screenshots not rendered (scripts/render-report.sh failed)"
