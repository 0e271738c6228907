"""Interoperability of sealbench's COSE envelope with COSE libraries written by others.

Run by scripts/interop.sh inside a virtualenv holding tests/interop/requirements.txt
(cwt and pycose from PyPI). Two directions:

1. open: each library opens our golden vectors (vectors/envelope/golden-*.json) of the
   modes it implements (Mac0, Encrypt0, Sign1), with the profile's external_aad, and must
   return exactly the vector's payload; a copy with one tag bit flipped must be refused.
   Vectors are read generically from their JSON fields (docs: vectors/README.md).
2. seal: each library produces Mac0, Encrypt0 (every AEAD it has) and Sign1 (EdDSA)
   messages with our protected header in deterministic order (RFC 8949 §4.2.1, the bytes
   are built here with cbor2 and the library's encoding is checked against them), and
   `sealbench open --trust DIR` must accept each one on every backend, writing the same
   payload; a tampered copy must be refused.

Every check prints one PASS/FAIL/UNSUPPORTED line; the last line is
"N passed, N failed" and the exit status is 1 if anything failed.
"""

import argparse
import glob
import importlib.metadata
import json
import os
import secrets
import struct
import subprocess
import sys
import time
import traceback

import cbor2
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from cwt import COSE, COSEKey

from pycose.messages import CoseMessage, Enc0Message, Mac0Message, Sign1Message
from pycose.keys import CoseKey, SymmetricKey
from pycose.keys.keyparam import KpAlg, KpKid
from pycose.headers import IV

# Profile constants (docs/ENVELOPE.md).
HDR_ALG, HDR_KID, HDR_IV, HDR_CLAIMS, HDR_METHOD = 1, 4, 5, 15, -65537
CWT_ISS, CWT_AUD, CWT_IAT, CWT_CTI = 1, 3, 6, 7
TAG_ENCRYPT0, TAG_MAC0, TAG_SIGN1 = 16, 17, 18
# Our key alg names (trust.toml / vectors) -> COSE alg id and the cwt alg name.
ALGS = {
    "HMAC256": (5, "HS256"),
    "A128GCM": (1, "A128GCM"),
    "A256GCM": (3, "A256GCM"),
    "ChaCha20/Poly1305": (24, "ChaCha20/Poly1305"),
    "EdDSA": (-8, "EdDSA"),
    "ES256": (-7, "ES256"),
    "PS256": (-37, "PS256"),
}
# What pycose 1.1.0 lacks (measured: ../shared/notes/cose-interop.md).
PYCOSE_UNSUPPORTED = {"ChaCha20/Poly1305": "pycose has no ChaCha20/Poly1305 (alg 24)"}


def external_aad(mode):
    """The profile's external_aad for a top-level Mac0 / Sign1 / Encrypt0: empty
    (docs/ENVELOPE.md "Authenticated data"; only a sign-encrypt inner signature binds
    its recipients' kids)."""
    del mode
    return b""


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.unsupported = 0

    def check(self, name, fn):
        try:
            detail = fn()
        except Exception as e:  # any exception is a failed check, with its reason
            self.failed += 1
            print(f"FAIL {name}: {type(e).__name__}: {e}")
            if os.environ.get("INTEROP_TRACE"):
                traceback.print_exc()
            return
        self.passed += 1
        print(f"PASS {name}" + (f" ({detail})" if detail else ""))

    def unsupported_(self, name, why):
        self.unsupported += 1
        print(f"UNSUPPORTED {name}: {why}")


# ---------------------------------------------------------------- deterministic CBOR


def det(obj):
    """Deterministic CBOR (RFC 8949 §4.2.1): maps sorted bytewise by encoded key."""
    if isinstance(obj, dict):
        items = sorted((det(k), det(v)) for k, v in obj.items())
        return _head(5, len(items)) + b"".join(k + v for k, v in items)
    return cbor2.dumps(obj)


def _head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    if n < 256:
        return bytes([major << 5 | 24, n])
    if n < 65536:
        return bytes([major << 5 | 25]) + struct.pack(">H", n)
    return bytes([major << 5 | 26]) + struct.pack(">I", n)


def sorted_dict(d):
    """The same map as a dict whose insertion order is the deterministic order, so a
    library that encodes dicts in insertion order writes the deterministic bytes."""
    out = {}
    for _, k in sorted((cbor2.dumps(k), k) for k in d):
        v = d[k]
        out[k] = sorted_dict(v) if isinstance(v, dict) else v
    return out


# ---------------------------------------------------------------- 1. opening our vectors


def load_vectors(vdir):
    out = []
    for path in sorted(glob.glob(os.path.join(vdir, "golden-*.json"))):
        with open(path, encoding="utf-8") as f:
            v = json.load(f)
        mode = v["expect"]["mode"]
        if mode not in ("mac0", "encrypt0", "sign1"):
            continue  # plain is not COSE; hybrid modes use our own recipient profile
        keys = [k for k in v["receiver"]["keys"] if k["kid"] == v["expect"].get("sender_kid")]
        if len(keys) != 1:
            raise ValueError(f"{path}: no single receiver key for expect.sender_kid")
        out.append((v["name"], mode, keys[0], v))
    return out


def spki_pem(spki_hex):
    pub = serialization.load_der_public_key(bytes.fromhex(spki_hex))
    return pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def protected_of(message):
    tagged = cbor2.loads(message)
    return cbor2.loads(tagged.value[0])


def flip_last_bit(message):
    """The message with the last bit of its tag / signature / ciphertext flipped (all
    three are the last bytes of a Mac0, Sign1 or Encrypt0)."""
    return message[:-1] + bytes([message[-1] ^ 1])


def cwt_key(k, mode):
    alg = ALGS[k["alg"]][1]
    kid = k["kid"].encode()
    if "symmetric_hex" in k:
        return COSEKey.from_symmetric_key(bytes.fromhex(k["symmetric_hex"]), alg=alg, kid=kid)
    return COSEKey.from_pem(spki_pem(k["spki_hex"]), alg=alg, kid=kid)


def cwt_open(message, k, mode):
    # The sender may be named by kid, x5t, x5chain or SPKI: give the key without a kid
    # when the message carries none, so cwt tries it.
    key = cwt_key(k, mode)
    if HDR_KID not in protected_of(message):
        key = COSEKey.from_pem(spki_pem(k["spki_hex"]), alg=ALGS[k["alg"]][1])
    return COSE.new().decode(message, key, external_aad=external_aad(mode))


def pycose_key(k):
    alg = ALGS[k["alg"]][0]
    if "symmetric_hex" in k:
        return SymmetricKey(k=bytes.fromhex(k["symmetric_hex"]), optional_params={KpAlg: alg, KpKid: k["kid"].encode()})
    key = CoseKey.from_pem_public_key(spki_pem(k["spki_hex"]).decode())
    key.alg = alg
    return key


def pycose_open(message, k, mode):
    msg = CoseMessage.decode(message)
    msg.key = pycose_key(k)
    msg.external_aad = external_aad(mode)
    if mode == "encrypt0":
        return msg.decrypt()
    if mode == "mac0":
        if not msg.verify_tag():
            raise ValueError("MAC tag does not verify")
        return msg.payload
    if not msg.verify_signature():
        raise ValueError("signature does not verify")
    return msg.payload


def open_vectors(t, vdir):
    vectors = load_vectors(vdir)
    if not vectors:
        raise SystemExit(f"no golden Mac0/Encrypt0/Sign1 vectors in {vdir}")
    for lib, opener in (("cwt", cwt_open), ("pycose", pycose_open)):
        for name, mode, k, v in vectors:
            label = f"{lib} opens {name}"
            if lib == "pycose" and k["alg"] in PYCOSE_UNSUPPORTED:
                t.unsupported_(label, PYCOSE_UNSUPPORTED[k["alg"]])
                continue
            message = bytes.fromhex(v["message_hex"])
            payload = bytes.fromhex(v["payload_hex"])

            def check(message=message, payload=payload, k=k, mode=mode, v=v):
                got = opener(message, k, mode)
                if got != payload:
                    raise ValueError(f"payload differs: {got[:32].hex()}... != {payload[:32].hex()}...")
                method = protected_of(message).get(HDR_METHOD)
                if method != v["method"]:
                    raise ValueError(f"method {method!r} != {v['method']!r}")
                return f"{len(payload)}-byte payload, method {method}"

            t.check(label, check)

            def tampered(message=message, k=k, mode=mode):
                try:
                    opener(flip_last_bit(message), k, mode)
                except Exception as e:
                    return f"refused: {type(e).__name__}"
                raise ValueError("a message with a flipped tag bit was accepted")

            t.check(f"{lib} refuses {name} with one tag bit flipped", tampered)


# ---------------------------------------------------------------- 2. messages they produce

RECEIVER_KID = "interop-receiver"
RECEIVER_ROLE = "compute"
SENDER_ROLE = "scheduler"
METHOD = "boot_vm"


def audience():
    """The CWT aud claim naming the receiver node ("kid:" + its [node] kid)."""
    return "kid:" + RECEIVER_KID


class Keys:
    def __init__(self, tdir):
        self.dir = tdir
        self.sym = {
            "HMAC256": ("interop-mac", secrets.token_bytes(32)),
            "A128GCM": ("interop-a128", secrets.token_bytes(16)),
            "A256GCM": ("interop-a256", secrets.token_bytes(32)),
            "ChaCha20/Poly1305": ("interop-c20p", secrets.token_bytes(32)),
        }
        self.ed = ed25519.Ed25519PrivateKey.generate()
        self.ed_kid = "interop-ed25519"

    def ed_private_pem(self):
        return self.ed.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())

    def write_trust_dir(self, with_node):
        os.makedirs(self.dir, exist_ok=True)
        lines = []
        if with_node:
            lines += ["[node]", f'kid = "{RECEIVER_KID}"', f'role = "{RECEIVER_ROLE}"', ""]
        for alg, (kid, key) in self.sym.items():
            fname = kid + ".key"
            path = os.path.join(self.dir, fname)
            with open(path, "w", encoding="ascii") as f:
                f.write(key.hex() + "\n")
            os.chmod(path, 0o600)
            lines += ["[[key]]", f'file = "{fname}"', f'alg = "{alg}"', f'role = "{SENDER_ROLE}"', f'kid = "{kid}"', ""]
        pub = self.ed.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        with open(os.path.join(self.dir, "ed25519.pub.pem"), "wb") as f:
            f.write(pub)
        lines += ["[[key]]", 'file = "ed25519.pub.pem"', 'alg = "EdDSA"', f'role = "{SENDER_ROLE}"', f'kid = "{self.ed_kid}"', ""]
        lines += ["[policy]", f'{SENDER_ROLE} = ["{METHOD}"]', ""]
        with open(os.path.join(self.dir, "trust.toml"), "w", encoding="utf-8") as f:
            f.write("\n".join(lines))


def header(alg_name, kid, counter, with_aud):
    claims = {CWT_IAT: int(time.time()), CWT_CTI: STREAM + struct.pack(">Q", counter)}
    if with_aud:
        claims[CWT_AUD] = audience()
    return {HDR_ALG: ALGS[alg_name][0], HDR_KID: kid.encode(), HDR_CLAIMS: claims, HDR_METHOD: METHOD}


STREAM = secrets.token_bytes(4)


def cwt_seal(mode, alg_name, key_bytes, kid, hdr, payload):
    ctx = COSE.new(deterministic_header=True)
    p = sorted_dict(hdr)
    if mode == "sign1":
        key = COSEKey.from_pem(key_bytes, alg="EdDSA", kid=kid.encode())
        return ctx.encode_and_sign(payload, key, protected=p, unprotected={})
    key = COSEKey.from_symmetric_key(key_bytes, alg=ALGS[alg_name][1], kid=kid.encode())
    if mode == "mac0":
        return ctx.encode_and_mac(payload, key, protected=p, unprotected={}, external_aad=external_aad(mode))
    return ctx.encode_and_encrypt(
        payload, key, protected=p, unprotected={HDR_IV: secrets.token_bytes(12)}, external_aad=external_aad(mode)
    )


def pycose_seal(mode, alg_name, key_bytes, kid, hdr, payload):
    p = sorted_dict(hdr)
    if mode == "sign1":
        key = CoseKey.from_pem_private_key(key_bytes.decode())
        msg = Sign1Message(phdr=p, uhdr={}, payload=payload, key=key)
    elif mode == "mac0":
        key = SymmetricKey(k=key_bytes, optional_params={KpAlg: ALGS[alg_name][0]})
        msg = Mac0Message(phdr=p, uhdr={}, payload=payload, key=key)
    else:
        key = SymmetricKey(k=key_bytes, optional_params={KpAlg: ALGS[alg_name][0]})
        msg = Enc0Message(phdr=p, uhdr={IV: secrets.token_bytes(12)}, payload=payload, key=key)
    msg.external_aad = external_aad(mode)
    return msg.encode(tag=True)


def sealbench_open(sealbench, tdir, backend, message, workdir, extra=()):
    src = os.path.join(workdir, "msg.cbor")
    out = os.path.join(workdir, "payload.out")
    with open(src, "wb") as f:
        f.write(message)
    if os.path.exists(out):
        os.remove(out)
    r = subprocess.run(
        [sealbench, "open", "--trust", tdir, "--backend", backend, "--in", src, "--out", out, *extra],
        capture_output=True,
        text=True,
        check=False,
    )
    payload = None
    if r.returncode == 0 and os.path.exists(out):
        with open(out, "rb") as f:
            payload = f.read()
    return r.returncode, r.stderr.strip(), payload


def produced_messages(t, keys, with_aud):
    """Every (label, mode, message, payload) the libraries produce; checks the protected
    header bytes are our deterministic encoding on the way."""
    cases = []
    counter = 0
    for lib, seal in (("cwt", cwt_seal), ("pycose", pycose_seal)):
        plan = [("mac0", "HMAC256")] + [("encrypt0", a) for a in ("A128GCM", "A256GCM", "ChaCha20/Poly1305")]
        plan.append(("sign1", "EdDSA"))
        for mode, alg in plan:
            label = f"{lib} seals {mode} {alg}"
            if lib == "pycose" and alg in PYCOSE_UNSUPPORTED:
                t.unsupported_(label, PYCOSE_UNSUPPORTED[alg])
                continue
            if mode == "sign1":
                kid, key_bytes = keys.ed_kid, keys.ed_private_pem()
            else:
                kid, key_bytes = keys.sym[alg]
            counter += 1
            hdr = header(alg, kid, counter, with_aud)
            payload = json.dumps({"vm": counter, "lib": lib, "alg": alg}).encode()
            made = {}

            def make(lib=lib, seal=seal, mode=mode, alg=alg, key_bytes=key_bytes, kid=kid, hdr=hdr, payload=payload, made=made):
                m = seal(mode, alg, key_bytes, kid, hdr, payload)
                tagged = cbor2.loads(m)
                want_tag = {"mac0": TAG_MAC0, "encrypt0": TAG_ENCRYPT0, "sign1": TAG_SIGN1}[mode]
                if tagged.tag != want_tag:
                    raise ValueError(f"CBOR tag {tagged.tag}, expected {want_tag}")
                if tagged.value[0] != det(hdr):
                    raise ValueError(f"protected header {tagged.value[0].hex()} is not the deterministic {det(hdr).hex()}")
                made["m"] = m
                return f"{len(m)} bytes, deterministic protected header"

            t.check(label, make)
            if "m" in made:
                cases.append((f"{lib} {mode} {alg}", mode, made["m"], payload))
    return cases


def backends(sealbench):
    """Every backend compiled into the binary (from `sealbench backends --json`)."""
    r = subprocess.run([sealbench, "backends", "--json"], capture_output=True, text=True, check=True)
    rows = json.loads(r.stdout)["capabilities"]
    names = list(dict.fromkeys(row["backend"] for row in rows))
    if not names:
        raise SystemExit("sealbench backends --json lists no backend")
    return names


def open_produced(t, sealbench, workdir):
    tdir = os.path.join(workdir, "trust")
    keys = Keys(tdir)
    # The audience claim: `open` refuses a message without one (wrong-audience) unless
    # --accept-no-audience, so the messages name the receiver node of trust.toml's [node].
    keys.write_trust_dir(with_node=True)
    cases = produced_messages(t, keys, with_aud=True)
    names = backends(sealbench)
    for label, mode, message, payload in cases:
        for backend in names:

            def accept(message=message, payload=payload, backend=backend):
                rc, err, got = sealbench_open(sealbench, tdir, backend, message, workdir)
                if rc != 0:
                    raise ValueError(f"exit {rc}: {err}")
                if got != payload:
                    raise ValueError("payload differs")
                return err

            t.check(f"sealbench open --backend {backend} accepts {label}", accept)

        def refuse(message=message):
            rc, err, _ = sealbench_open(sealbench, tdir, names[0], flip_last_bit(message), workdir)
            if rc != 1 or "authentication" not in err:
                raise ValueError(f"tampered message: exit {rc}, {err!r} (expected exit 1, authentication)")
            return err

        t.check(f"sealbench open refuses {label} with one tag bit flipped", refuse)

    # The audience is enforced on these library-made messages too: without `aud` the
    # same message shape is refused, and accepted only with --accept-no-audience.
    kid, key_bytes = keys.sym["HMAC256"]
    payload = b'{"vm": 0}'
    message = cwt_seal("mac0", "HMAC256", key_bytes, kid, header("HMAC256", kid, 1000, False), payload)
    label = "cwt mac0 HMAC256"


    def no_aud(message=message, payload=payload):
        rc, err, _ = sealbench_open(sealbench, tdir, names[0], message, workdir)
        if rc != 1 or "wrong-audience" not in err:
            raise ValueError(f"exit {rc}, {err!r} (expected exit 1, wrong-audience)")
        rc, err, got = sealbench_open(sealbench, tdir, names[0], message, workdir, ["--accept-no-audience"])
        if rc != 0 or got != payload:
            raise ValueError(f"with --accept-no-audience: exit {rc}, {err!r}")
        return "wrong-audience; accepted with --accept-no-audience"

    t.check(f"sealbench open refuses {label} without aud", no_aud)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vectors", required=True)
    ap.add_argument("--sealbench", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    ver = importlib.metadata.version
    print(f"libraries: cwt {ver('cwt')}, pycose {ver('pycose')}, cbor2 {ver('cbor2')}, cryptography {ver('cryptography')}")
    t = Tally()
    open_vectors(t, args.vectors)
    open_produced(t, args.sealbench, args.work)
    print(f"interop: {t.unsupported} unsupported (each with its reason above)")
    print(f"{t.passed} passed, {t.failed} failed")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
