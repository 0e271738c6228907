#!/usr/bin/env bash
# Runs every cargo-fuzz target for SECONDS each (default 600), two at a time, seeded from
# the committed vectors and test keys and the shared NIST / COSE WG files, and prints the
# executions, coverage and corpus size libFuzzer reports at the end of each run.
#   scripts/fuzz.sh [SECONDS] [TARGET...]
# Needs the nightly toolchain and `cargo install cargo-fuzz`.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(envelope_decode envelope_open nist_rsp cose_example key_file traffic_profile)
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

# Seed corpora (regenerated each run; libFuzzer adds what it finds).
mkdir -p fuzz/corpus/{envelope_decode,envelope_open,nist_rsp,cose_example,key_file,traffic_profile}
python3 - <<'PY'
import json, glob, os
for f in glob.glob('vectors/envelope/*.json'):
    b = bytes.fromhex(json.load(open(f))['message_hex'])
    for t in ('envelope_open', 'envelope_decode'):
        open(f'fuzz/corpus/{t}/{os.path.basename(f)[:-5]}', 'wb').write(b)
PY
cp tests/data/keys/*.pem tests/data/keys/*.key fuzz/corpus/key_file/ 2>/dev/null || true
cp examples/*.toml fuzz/corpus/traffic_profile/ 2>/dev/null || true
[ -d ../shared/vectors/nist-gcm-sample ] && cp ../shared/vectors/nist-gcm-sample/*.rsp fuzz/corpus/nist_rsp/
[ -d ../shared/vectors/cose-wg ] && find ../shared/vectors/cose-wg -name '*.json' -exec cp {} fuzz/corpus/cose_example/ \;

(cd fuzz && cargo +nightly fuzz build -O)
mkdir -p fuzz/logs
run() {
  local t=$1
  (cd fuzz && cargo +nightly fuzz run -O "$t" "corpus/$t" -- -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
     >"logs/$t.log" 2>&1) && echo "$t: ok" || echo "$t: FAILED (see fuzz/logs/$t.log and fuzz/artifacts/$t)"
  grep -E "^#[0-9]+.*DONE|Done [0-9]+ runs" "fuzz/logs/$t.log" | tail -2 | sed "s/^/  $t: /"
}
i=0
for t in "${targets[@]}"; do
  run "$t" &
  i=$((i + 1))
  if [ $((i % 2)) -eq 0 ]; then wait; fi
done
wait
