#!/usr/bin/env bash
# RPC over a real RabbitMQ, end to end: installs rabbitmq-server when missing (deps.sh),
# builds sealbench, and runs `sealbench e2e`, which starts its own broker node on free
# loopback ports (plain + mutual-TLS listeners, a CA made for the run), offers the
# oslo.messaging-shaped load at several rates, stops the broker and writes OUTDIR/e2e.json.
#   scripts/e2e.sh [--quick] [OUTDIR]      (default OUTDIR: results/e2e)
# --quick: under 3 minutes on the 2-core machine (build not counted). docs/E2E.md.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=()
out=results/e2e
for a in "$@"; do
  case "$a" in
    --quick|--smoke) mode=("$a") ;;
    -*) echo "e2e.sh: unknown option $a (usage: scripts/e2e.sh [--quick] [OUTDIR])" >&2; exit 2 ;;
    *) out=$a ;;
  esac
done
./scripts/deps.sh
# The measurement build (fat LTO, as scripts/main.sh): RustCrypto's speed depends on it.
cargo build --profile measure --quiet
bin=./target/measure/sealbench
sizes=../shared/data/oslo-messaging-message-lengths.yaml
size_args=(--sizes "$sizes")
if [ ! -f "$sizes" ]; then
  echo "note: $sizes not found; every payload is 2 KiB (the recorded median is about 2.3 kB)" >&2
  size_args=(--fixed-size 2048)
fi
mkdir -p "$out"
$bin e2e "${mode[@]}" "${size_args[@]}" --out "$out" | tee "$out/summary.txt"
echo "e2e: $out/e2e.json (summary: $out/summary.txt)"
