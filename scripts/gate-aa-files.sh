#!/usr/bin/env bash
# The file-vs-file gate under the conditions a CI user meets (issue 13):
#  (a) A/A: PAIRS pairs of back-to-back `sealbench run --quick` files, a CPU hog (one
#      busy-looping process) running through the even-numbered pairs; each pair compared
#      with `sealbench gate --baseline a --candidate b` (and with --strict, to show what
#      the single-run rule holds back); then all A files against all B files pooled
#      (several runs per side);
#  (b) injection: two more quick runs with OPENSSL_ia32cap masking AES-NI+PCLMULQDQ
#      (src/cpu.rs IA32CAP_MASK_AESNI_PCLMUL), compared single-run and pooled against the
#      first two A files: which scenarios are flagged, and whether any lies outside the
#      openssl and aws-lc AES-GCM scenarios.
# Usage: scripts/gate-aa-files.sh [SEALBENCH]   (default target/measure/sealbench)
# Env: PAIRS (default 10), OUT (default target/gate-aa-files), FILTER (a --filter for the
# runs; default: the whole quick matrix), GATE_ONLY=1 (compare the files already in OUT
# again, e.g. with a newer gate; skips (c)), BIN_RUNS (default 6). Needs jq.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/measure/sealbench}
pairs=${PAIRS:-10}
out=${OUT:-target/gate-aa-files}
filter=()
[ -z "${FILTER:-}" ] || filter=(--filter "$FILTER")
mkdir -p "$out"
command -v jq >/dev/null || { echo "gate-aa-files: needs jq" >&2; exit 2; }
mask=$(grep -o 'pub const IA32CAP_MASK_AESNI_PCLMUL: &str = "[^"]*"' src/cpu.rs | cut -d'"' -f2)
affected='_(openssl|aws-lc)_([a-z0-9]+[+])*aes(128|256)gcm_'  # every AES-GCM use of the two
hog=""
stop_hog() { if [ -n "$hog" ]; then kill "$hog" 2>/dev/null || true; wait "$hog" 2>/dev/null || true; hog=""; fi; }
trap stop_hog EXIT

verdicts() { # FILE: counts of each verdict, and the flagged ids
  jq -r '[.comparison.rows[] | .verdict] | group_by(.) | map("\(.[0])=\(length)") | join(" ")' "$1"
}
run_pair_gate() { # NAME ARGS...: gate JSON to $out/NAME.json, prints exit status and verdicts
  local name=$1 rc=0; shift
  "$bin" gate --json "$@" >"$out/$name.json" 2>"$out/$name.err" || rc=$?
  if [ "$rc" -eq 2 ]; then echo "$name: exit 2 ($(tail -1 "$out/$name.err"))"; return; fi
  printf '%-14s exit %d  controls %-8s shift %+.1f%%  %s\n' "$name" "$rc" \
    "$(jq -r .controls.state "$out/$name.json")" \
    "$(jq '.controls.shift * 100' "$out/$name.json")" "$(verdicts "$out/$name.json")"
}

echo "== (a) A/A, $pairs pairs, hog during even pairs; load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 "$pairs"); do
  if [ -z "${GATE_ONLY:-}" ]; then
    if [ $((i % 2)) -eq 0 ]; then sh -c 'while :; do :; done' & hog=$!; fi
    t0=$(date +%s)
    env -u OPENSSL_ia32cap "$bin" run --quick --quiet "${filter[@]}" --out "$out/a$i.json" >/dev/null
    env -u OPENSSL_ia32cap "$bin" run --quick --quiet "${filter[@]}" --out "$out/b$i.json" >/dev/null
    echo "pair $i: $(( $(date +%s) - t0 )) s, hog ${hog:+on}${hog:-off}, load $(cut -d' ' -f1 /proc/loadavg)"
    stop_hog
  fi
  run_pair_gate "aa-$i" --baseline "$out/a$i.json" --candidate "$out/b$i.json"
  run_pair_gate "aa-$i-strict" --strict --baseline "$out/a$i.json" --candidate "$out/b$i.json"
done
as=(); bs=(); for i in $(seq 1 "$pairs"); do as+=("$out/a$i.json"); bs+=("$out/b$i.json"); done
run_pair_gate "aa-pooled" --baseline "${as[@]}" --candidate "${bs[@]}"

echo "== (b) OPENSSL_ia32cap=$mask on the candidate"
for k in 1 2; do
  [ -n "${GATE_ONLY:-}" ] || OPENSSL_ia32cap="$mask" "$bin" run --quick --quiet "${filter[@]}" --out "$out/m$k.json" >/dev/null
done
run_pair_gate "mask-single" --baseline "$out/a1.json" --candidate "$out/m1.json"
run_pair_gate "mask-strict" --strict --baseline "$out/a1.json" --candidate "$out/m1.json"
run_pair_gate "mask-pooled" --baseline "$out/a1.json" "$out/a2.json" --candidate "$out/m1.json" "$out/m2.json"
for name in mask-single mask-strict mask-pooled; do
  [ -f "$out/$name.json" ] || continue
  ids=$(jq -r '.comparison.rows[] | select(.verdict == "regression" or .verdict == "suspected") | .id' "$out/$name.json")
  echo "$name: $(grep -Ec "$affected" <<<"$ids" || true) flagged openssl/aws-lc AES-GCM; outside them: $(grep -Ev "$affected" <<<"$ids" | sed '/^$/d' | tr '\n' ' ')"
done

[ -n "${GATE_ONLY:-}" ] && exit 0
echo "== (c) two binaries: $bin against itself, BIN_RUNS times (hog during even runs), then the mask on the candidate only"
for i in $(seq 1 "${BIN_RUNS:-6}"); do
  if [ $((i % 2)) -eq 0 ]; then sh -c 'while :; do :; done' & hog=$!; fi
  run_pair_gate "bin-aa-$i" --baseline-bin "$bin" --candidate-bin "$bin"
  stop_hog
done
for i in 1 2; do
  run_pair_gate "bin-mask-$i" --baseline-bin "$bin" --candidate-bin "$bin" --candidate-env "OPENSSL_ia32cap=$mask"
  ids=$(jq -r '.comparison.rows[] | select(.verdict == "regression") | .id' "$out/bin-mask-$i.json")
  echo "bin-mask-$i: $(grep -Ec "$affected" <<<"$ids" || true) failing openssl/aws-lc AES-GCM; outside them: $(grep -Ev "$affected" <<<"$ids" | sed '/^$/d' | tr '\n' ' ')"
done
