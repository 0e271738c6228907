#!/usr/bin/env bash
# Reproduces the figures in docs/GATE.md on this machine, for each metric (icount, wall):
#  (a) A/A: a fresh baseline, then the same build against it RUNS times: false alarms;
#  (b) injected regressions: the same build with OPENSSL_ia32cap masking AES-NI+PCLMULQDQ,
#      then masking only the AVX-512/VAES word (the masks of src/cpu.rs); which scenarios
#      are flagged, and whether any is outside the openssl/aws-lc AES-GCM scenarios;
#  (c) how long each gate invocation takes.
# Usage: scripts/gate-experiments.sh [SEALBENCH]   (default ./target/release/sealbench)
# Env: RUNS (default 10), OUT (default target/gate-experiments), METRICS (default
# "icount wall"). Needs jq; icount needs valgrind. Every gate output is kept in $OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-./target/release/sealbench}
runs=${RUNS:-10}
out=${OUT:-target/gate-experiments}
metrics=${METRICS:-icount wall}
mkdir -p "$out"
command -v jq >/dev/null || { echo "gate-experiments: needs jq" >&2; exit 2; }

mask() { grep -o "pub const $1: &str = \"[^\"]*\"" src/cpu.rs | cut -d'"' -f2; }
aesni=$(mask IA32CAP_MASK_AESNI_PCLMUL)
vaes=$(mask IA32CAP_MASK_VAES_AVX512)
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
# Scenarios an injected mask may legitimately slow down.
affected='_(openssl|aws-lc)_aes128gcm_'

# gate NAME METRIC MASK: one gate run against $out/METRIC-base.json, JSON kept in
# $out/NAME.json; prints exit status, seconds and the regressions found.
gate() {
  local name=$1 metric=$2 m=$3 t0 rc
  t0=$(now)
  # An empty OPENSSL_ia32cap is not the same as none: unset it for unmasked runs.
  local envs=(-u OPENSSL_ia32cap)
  [ -z "$m" ] || envs=("OPENSSL_ia32cap=$m")
  set +e
  env "${envs[@]}" "$bin" gate --metric "$metric" --baseline "$out/$metric-base.json" \
    --json >"$out/$name.json" 2>"$out/$name.err"
  rc=$?
  set -e
  local s; s=$(since "$t0")
  echo "$rc $s" >"$out/$name.rc"
  if [ "$rc" -eq 2 ]; then
    printf '%-16s exit 2 (%s)\n' "$name" "$(tail -1 "$out/$name.err")"
    return
  fi
  local flagged unconfirmed
  flagged=$(jq -r '[.comparison.rows[] | select(.verdict == "regression") | .id] | join(" ")' "$out/$name.json")
  unconfirmed=$(jq '[.comparison.rows[] | select(.verdict == "unconfirmed")] | length' "$out/$name.json")
  printf '%-16s exit %d  %6s s  %3d flagged, %d suspects not confirmed\n' "$name" "$rc" "$s" \
    "$(wc -w <<<"$flagged")" "$unconfirmed"
  echo "$flagged" | tr ' ' '\n' | sed '/^$/d' >"$out/$name.flagged"
}

for metric in $metrics; do
  echo "== $metric"
  t0=$(now)
  env -u OPENSSL_ia32cap "$bin" gate --metric "$metric" --baseline "$out/$metric-base.json" \
    --update-baseline >"$out/$metric-base.log" 2>&1
  echo "baseline         $(since "$t0") s"
  alarms=0
  for i in $(seq 1 "$runs"); do
    gate "$metric-aa-$i" "$metric" ""
    read -r rc _ <"$out/$metric-aa-$i.rc"
    [ "$rc" -eq 0 ] || alarms=$((alarms + 1))
  done
  times=$(for i in $(seq 1 "$runs"); do cut -d' ' -f2 "$out/$metric-aa-$i.rc"; done | sort -n | tr '\n' ' ')
  echo "(a) A/A $metric: $alarms false alarm(s) in $runs runs; seconds per run (sorted): $times"
  for inj in aesni vaes; do
    name="$metric-$inj"
    gate "$name" "$metric" "${!inj}"
    if [ -f "$out/$name.flagged" ]; then
      wrong=$(grep -Ev "$affected" "$out/$name.flagged" || true)
      echo "(b) $name: $(grep -Ec "$affected" "$out/$name.flagged" || true) flagged openssl/aws-lc AES-GCM scenarios; outside them: ${wrong:-none}" | tr '\n' ' '
      echo
    fi
  done
done
