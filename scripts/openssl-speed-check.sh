#!/usr/bin/env bash
# Cross-checks sealbench's raw AES-128-GCM seal on the openssl backend against `openssl speed`
# on the same machine, side by side, and fails (exit 1) if they disagree by more than 15% at
# 16 KiB, where per-message overheads no longer matter.
#
#   scripts/openssl-speed-check.sh [path/to/sealbench]   (default: target/release/sealbench)
#
# `openssl speed -bytes` takes one size per run, so it runs once per size (1 s each) in two
# modes, both timed in wall-clock seconds (-elapsed) like sealbench:
#   stream : `-evp aes-128-gcm` — EVP_EncryptUpdate on the buffer in a loop;
#   aead   : `-aead -evp aes-128-gcm` — per message EVP_EncryptInit_ex with the IV, 13 bytes
#            of AAD, update, final: a TLS-like record.
# sealbench's `seal_openssl_aes128gcm_<size>` sets the key once (key schedule and GHASH table
# at key set-up) and per message sets the IV, updates in place and finalises, with an empty
# AAD (src/backend/openssl/aead.rs).
# ref: https://docs.openssl.org/3.0/man1/openssl-speed/
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BIN=${1:-target/release/sealbench}
SIZES=(16 64 256 1024 8192 16384)
TOLERANCE=0.15

if [[ ! -x "$BIN" ]]; then
    cargo build --release --bin sealbench
fi
command -v openssl >/dev/null || { echo "openssl CLI not found" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ns per message from `openssl speed -mr` (+F:<n>:<alg>:<bytes per second>).
speed_ns() { # size, extra flags...
    local size=$1; shift
    openssl speed -elapsed -mr -seconds 1 -bytes "$size" "$@" -evp aes-128-gcm 2>/dev/null |
        awk -F: -v s="$size" '/^\+F:/ { printf "%.1f", s / $4 * 1e9 }'
}

list=$(IFS=,; echo "${SIZES[*]}")
"$BIN" run --quiet --backend openssl --filter seal_openssl_aes128gcm_ --sizes "$list" \
    --csv "$tmp/r.csv" >/dev/null
# CSV columns: 1 id, 16 median_ns (the quoted inside_loop column comes last).
declare -A ours
while IFS=, read -r id _ _ _ _ _ _ _ size _ _ _ _ _ _ median _; do
    [[ $id == seal_openssl_aes128gcm_* ]] && ours[$size]=$median
done <"$tmp/r.csv"

version=$(openssl version)
echo "AES-128-GCM seal, ns per message ($version, $(nproc) CPUs)"
printf '%8s %16s %16s %16s %14s\n' size "speed (stream)" "speed (-aead)" sealbench "sealbench/aead"
status=0
for s in "${SIZES[@]}"; do
    stream=$(speed_ns "$s")
    aead=$(speed_ns "$s" -aead)
    mine=${ours[$s]:-}
    if [[ -z $stream || -z $aead || -z $mine ]]; then
        echo "missing measurement at $s bytes (stream='$stream' aead='$aead' sealbench='$mine')" >&2
        exit 2
    fi
    ratio=$(awk -v a="$mine" -v b="$aead" 'BEGIN { printf "%.2f", a / b }')
    printf '%8s %16s %16s %16s %14s\n' "$s" "$stream" "$aead" "$mine" "$ratio"
    if [[ $s == 16384 ]]; then
        if ! awk -v r="$ratio" -v t="$TOLERANCE" 'BEGIN { exit !(r >= 1 - t && r <= 1 + t) }'; then
            echo "FAIL: at 16 KiB sealbench and openssl speed -aead differ by more than 15% (ratio $ratio)"
            status=1
        else
            echo "ok: at 16 KiB sealbench agrees with openssl speed -aead within 15% (ratio $ratio)"
        fi
    fi
done

cat <<'TXT'

Why small sizes differ: `openssl speed` (3.0) re-initialises the cipher for every message.
A profile of `openssl speed -evp aes-128-gcm -bytes 16` is dominated by per-call set-up:
OSSL_PARAM_locate and strcmp (parameter lookups, ~20%), EVP_CIPHER_CTX_ctrl,
CRYPTO_gcm128_init (the GHASH key set-up), CRYPTO_gcm128_finish/tag; the AES-GCM work itself
(CRYPTO_gcm128_encrypt_ctr32) is ~1%. That fixed cost is ~300 ns per message in both modes
(AES-128-CTR, which needs no such set-up, runs at ~15 ns per 16 bytes in the same tool).
sealbench sets the key once and per message only sets the IV, updates and finalises, so
below ~1 KiB it is up to 2x faster than the CLI. At 16 KiB the fixed costs are a few percent
of the total, so both must agree.
TXT
exit $status
