#!/bin/sh
# Generates a trust-store directory with one key of every KeyAlg, using the openssl CLI:
#   private keys (PKCS#8 PEM), their public keys (SPKI PEM), self-signed certificates for
#   the PS256 and EdDSA keys, symmetric keys (raw and hex), a trust.toml, and, under
#   wrong/, keys of algorithms the loader must reject (P-384, RSA-1024).
# Usage: scripts/make-test-keys.sh OUTDIR
# The keys are for tests only: never use them for anything else.
set -eu

if [ $# -ne 1 ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
out=$1
mkdir -p "$out/wrong"
umask 077

pair() { # NAME GENPKEY-ARGS...: NAME.pem (private) and NAME.pub.pem (public)
    name=$1
    shift
    openssl genpkey -quiet "$@" -out "$out/$name.pem"
    openssl pkey -in "$out/$name.pem" -pubout -out "$out/$name.pub.pem"
}

pair eddsa -algorithm ed25519
pair es256 -algorithm EC -pkeyopt ec_paramgen_curve:P-256
pair ps256 -algorithm RSA -pkeyopt rsa_keygen_bits:2048
pair rsa-oaep-256 -algorithm RSA -pkeyopt rsa_keygen_bits:2048
pair ecdh-es-p256 -algorithm EC -pkeyopt ec_paramgen_curve:P-256
pair ecdh-es-x25519 -algorithm X25519
openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$out/wrong/p384.pem"
openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$out/wrong/rsa1024.pem"

openssl req -x509 -new -key "$out/ps256.pem" -subj /CN=scheduler -days 3650 -out "$out/ps256.crt"
openssl req -x509 -new -key "$out/eddsa.pem" -subj /CN=scheduler -days 3650 -out "$out/eddsa.crt"

# Symmetric keys: raw binary and hex text (both accepted).
openssl rand -out "$out/hmac256.key" 32
openssl rand -hex 16 >"$out/a128gcm.key"
openssl rand -out "$out/a256gcm.key" 32
openssl rand -hex 32 >"$out/chacha20.key"

cat >"$out/trust.toml" <<'TOML'
# A scheduler node's trust store: its own key pairs, the compute role's public keys and
# the symmetric keys both share. Test keys only.

[[key]]
file = "eddsa.pem"
alg = "EdDSA"
role = "scheduler"
cert = "eddsa.crt"

[[key]]
file = "es256.pub.pem"
alg = "ES256"
role = "compute"

[[key]]
file = "ps256.pem"
alg = "PS256"
role = "scheduler"
kid = "scheduler-ps256"
cert = "ps256.crt"

[[key]]
file = "rsa-oaep-256.pub.pem"
alg = "RSA-OAEP-256"
role = "compute"

[[key]]
file = "ecdh-es-p256.pem"
alg = "ECDH-ES-P256"
role = "scheduler"

[[key]]
file = "ecdh-es-x25519.pub.pem"
alg = "ECDH-ES-X25519"
role = "compute"
legacy = true

[[key]]
file = "hmac256.key"
alg = "HMAC256"
role = "compute"
kid = "hmac-1"

[[key]]
file = "a128gcm.key"
alg = "A128GCM"
role = "compute"
kid_hex = "a128"

[[key]]
file = "a256gcm.key"
alg = "A256GCM"
role = "scheduler"
kid = "a256-1"

[[key]]
file = "chacha20.key"
alg = "ChaCha20/Poly1305"
role = "scheduler"
kid = "chacha-1"

[policy]
scheduler = ["*"]
compute = ["report_state", "heartbeat"]
TOML
chmod 644 "$out/trust.toml" "$out"/*.pub.pem "$out"/*.crt
