#!/usr/bin/env python3
"""Writes the small COSE WG-schema example files in this folder (see README.md).

Each file follows the public schema of github.com/cose-wg/Examples (input / intermediates /
output, `failures` mutations, `countersign`, `epk`, `external`, ...) but is made here, from
fixed keys, with Python's `cryptography` package and a tiny CBOR encoder. Ed25519 and HMAC
are deterministic and ECDH uses fixed scalars, so re-running reproduces every file byte for
byte. Run: python3 tests/data/cose-wg-schema/gen.py
"""
import hashlib
import hmac
import json
import os
import struct

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

HERE = os.path.dirname(os.path.abspath(__file__))
CONTENT = b"This is the content."


class Tag:
    def __init__(self, n, v):
        self.n, self.v = n, v


def head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    for ai, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if n < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | ai]) + struct.pack(fmt, n)
    raise ValueError(n)


def enc(v):
    if v is None:
        return b"\xf6"
    if v is True:
        return b"\xf5"
    if isinstance(v, int):
        return head(0, v) if v >= 0 else head(1, -1 - v)
    if isinstance(v, bytes):
        return head(2, len(v)) + v
    if isinstance(v, str):
        b = v.encode()
        return head(3, len(b)) + b
    if isinstance(v, list):
        return head(4, len(v)) + b"".join(enc(x) for x in v)
    if isinstance(v, dict):  # written in the given order (the examples' generator order)
        return head(5, len(v)) + b"".join(enc(k) + enc(x) for k, x in v.items())
    if isinstance(v, Tag):
        return head(6, v.n) + enc(v.v)
    raise TypeError(v)


def H(b):
    return b.hex().upper()


ED_D = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
ED = ed25519.Ed25519PrivateKey.from_private_bytes(ED_D)
ED_X = ED.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
ED_JWK = {"kty": "OKP", "kid": "11", "crv": "Ed25519", "x_hex": ED_X.hex(), "d_hex": ED_D.hex()}
MAC_K = bytes.fromhex("849b57219dae48de646d07dbb533566e976686457c1491be3a76dcea6c427188")
MAC_JWK = {"kty": "oct", "kid": "our-secret", "use": "enc", "k_hex": MAC_K.hex()}
MAC_RECIPIENTS = [{"key": MAC_JWK, "unprotected": {"alg": "direct", "kid": "our-secret"}}]


def write(name, doc):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


def sign1(name, title, protected, failures=None, fail=False, external=b"", extra=None,
          intermediates_extra=None):
    prot = enc(protected)
    tbs = enc(["Signature1", prot, external, CONTENT])
    sig = ED.sign(tbs)
    msg = [prot, {4: b"11"}, CONTENT, sig]
    out = Tag(18, msg)
    s0 = {"key": ED_JWK, "unprotected": {"kid": "11"}, "protected": {"alg": "EdDSA"},
          "alg": "EdDSA"}
    if external:
        s0["external"] = external.hex()
    if extra:
        s0.update(extra)
    inp = {"plaintext": CONTENT.decode(), "sign0": s0}
    if failures:
        inp["failures"] = failures
        if "ChangeCBORTag" in failures:
            out = Tag(failures["ChangeCBORTag"], msg)
        if "RemoveCBORTag" in failures:
            out = msg
        if "ChangeAttr" in failures:
            msg[0] = enc({1: -999})
    inter = {"ToBeSign_hex": H(tbs)}
    if intermediates_extra:
        inter.update(intermediates_extra)
    doc = {"title": title}
    if fail:
        doc["fail"] = True
    doc.update({"input": inp, "intermediates": inter,
                "output": {"cbor_diag": "see cbor", "cbor": H(enc(out))}})
    write(name, doc)


def mac0(name, title, failures=None, external=b"", protected=None, input_protected=None):
    protected = protected if protected is not None else {1: 5}
    prot = enc(protected)
    to_mac = enc(["MAC0", prot, external, CONTENT])
    tag = hmac.new(MAC_K, to_mac, hashlib.sha256).digest()
    msg = [prot, {}, CONTENT, tag]
    fail = False
    if failures:
        fail = True
        if "ChangeTag" in failures:
            msg[3] = tag[:-1] + bytes([(tag[-1] + 1) % 256])
        if "AddProtected" in failures:
            msg[0] = enc({1: 5, 3: 0})
        if "RemoveProtected" in failures:
            msg[0] = enc({1: 5})
        if "ChangeProtected" in failures:
            msg[0] = bytes.fromhex(failures["ChangeProtected"])
    m = {"alg": "HS256", "protected": input_protected or {"alg": "HS256"},
         "recipients": MAC_RECIPIENTS}
    if external:
        m["external"] = external.hex()
    inp = {"plaintext": CONTENT.decode(), "mac0": m}
    if failures:
        inp["failures"] = failures
    doc = {"title": title}
    if fail:
        doc["fail"] = True
    doc.update({"input": inp,
                "intermediates": {"ToMac_hex": H(to_mac), "CEK_hex": H(MAC_K),
                                  "recipients": [{}]},
                "output": {"cbor_diag": "see cbor", "cbor": H(enc(Tag(17, msg)))}})
    write(name, doc)


def p256(d_hex):
    d = ec.derive_private_key(int(d_hex, 16), ec.SECP256R1())
    n = d.public_key().public_numbers()
    return d, n.x.to_bytes(32, "big"), n.y.to_bytes(32, "big")


def ecdh_es(name, title, unprotected_extra, input_unprotected_extra, apu=None, apv=None):
    """COSE_Encrypt, A128GCM, one ECDH-ES + HKDF-256 recipient (the RFC 8152 appendix C.3
    layout: epk and kid in the recipient's unprotected header)."""
    rd, rx, ry = p256("57c92077664146e876760c9520d054aa93c3afb04e306705db6090308507b4d3")
    ed, ex_, ey = p256("02d1f7e6f26c43d4868d87ceb2353161740aacf1f7163647984b522a848df1c3")
    secret = ed.exchange(ec.ECDH(), rd.public_key())
    rprot = enc({1: -25})
    context = enc([1, [apu, None, None], [apv, None, None], [128, rprot]])
    cek = HKDF(hashes.SHA256(), 16, None, context).derive(secret)
    prot = enc({1: 1})
    iv = bytes.fromhex("c9cf4df2fe6c632bf7886413")
    aad = enc(["Encrypt", prot, b""])
    ct = AESGCM(cek).encrypt(iv, CONTENT, aad)
    runprot = {-1: {1: 2, -1: 1, -2: ex_, -3: ey}, 4: b"meriadoc"}
    runprot.update(unprotected_extra)
    msg = Tag(96, [prot, {5: iv}, ct, [[rprot, runprot, b""]]])
    from base64 import urlsafe_b64encode as b64

    def u(b):
        return b64(b).rstrip(b"=").decode()

    rin = {"key": {"kty": "EC", "kid": "meriadoc", "crv": "P-256", "x": u(rx), "y": u(ry),
                   "d": u(bytes.fromhex(
                       "57c92077664146e876760c9520d054aa93c3afb04e306705db6090308507b4d3"))},
           "protected": {"alg": "ECDH-ES"},
           "unprotected": dict({"kid": "meriadoc",
                                "epk": {"kty": "EC", "crv": "P-256", "x": u(ex_), "y": u(ey)}},
                               **input_unprotected_extra)}
    doc = {"title": title,
           "input": {"plaintext": CONTENT.decode(),
                     "enveloped": {"protected": {"alg": "A128GCM"}, "recipients": [rin]},
                     "rng_stream": [H(iv)]},
           "intermediates": {"AAD_hex": H(aad), "CEK_hex": H(cek),
                             "recipients": [{"Context_hex": H(context), "Secret_hex": H(secret)}]},
           "output": {"cbor_diag": "see cbor", "cbor": H(enc(msg))}}
    write(name, doc)


def main():
    sign1("sign1-fail-cbor-tag.json", "Sign1 re-tagged 998 (ChangeCBORTag)", {1: -8},
          failures={"ChangeCBORTag": 998}, fail=True)
    sign1("sign1-pass-untagged.json", "Sign1 without its tag (RemoveCBORTag, still valid)",
          {1: -8}, failures={"RemoveCBORTag": 1})
    sign1("sign1-fail-change-attr.json", "Sign1 alg changed to -999 (ChangeAttr)", {1: -8},
          failures={"ChangeAttr": {"alg": -999}}, fail=True)
    sign1("sign1-pass-external.json", "Sign1 with external AAD", {1: -8},
          external=bytes.fromhex("11aa22bb33cc44dd55006699"))
    sign1("sign1-countersign0.json", "Sign1 with an abbreviated countersignature", {1: -8},
          extra={"countersign0": {"signers": [{"key": ED_JWK, "unsent": {"alg": "EdDSA"}}]}},
          intermediates_extra={"countersign0": [{"ToBeSign_hex": "00"}]})
    mac0("mac0-fail-change-tag.json", "Mac0 tag changed (ChangeTag)", failures={"ChangeTag": 1})
    mac0("mac0-fail-add-protected.json", "Mac0 ctyp added to the protected header",
         failures={"AddProtected": {"ctyp": 0}})
    mac0("mac0-fail-remove-protected.json", "Mac0 ctyp removed from the protected header",
         protected={1: 5, 3: 0}, input_protected={"alg": "HS256", "ctyp": 0},
         failures={"RemoveProtected": {"ctyp": 0}})
    mac0("mac0-fail-change-protected.json", "Mac0 protected header replaced",
         failures={"ChangeProtected": "A2010503182A"})
    mac0("mac0-pass-external.json", "Mac0 with external AAD",
         external=bytes.fromhex("ff00ee11dd22cc33"))
    ecdh_es("rfc8152-c31-layout.json",
            "Encrypt, ECDH-ES + HKDF-256 direct, epk and kid in the recipient (RFC 8152 C.3.1 layout)",
            {}, {})
    ecdh_es("ecdh-es-party-identities.json",
            "Encrypt, ECDH-ES + HKDF-256 with PartyU / PartyV identities in the KDF context",
            {-21: b"lighting-client", -24: b"lighting-server"},
            {"apu_id": "lighting-client", "apv_id": "lighting-server"},
            apu=b"lighting-client", apv=b"lighting-server")
    # A countersignature on a COSE_Sign signer (RFC 8152 §4.5 layout), not checked by the runner.
    write("sign-countersign.json", {
        "title": "Sign with a countersignature on its signer",
        "input": {"plaintext": CONTENT.decode(), "sign": {
            "protected": {"ctyp": 0},
            "signers": [{"key": ED_JWK, "unprotected": {"kid": "11"}, "protected": {"alg": "EdDSA"},
                         "countersign": {"signers": [{"key": ED_JWK, "unprotected": {"kid": "11"},
                                                      "protected": {"alg": "EdDSA"}}]}}]}},
        "intermediates": {"signers": [{"ToBeSign_hex": "00", "countersigners": [{"ToBeSign_hex": "00"}]}]},
        "output": {"cbor_diag": "not produced", "cbor": "D862"}})
    # A field outside the schema the runner knows.
    write("unknown-field.json", {
        "title": "Mac0 with a header field the runner does not know",
        "input": {"plaintext": CONTENT.decode(), "mac0": {
            "protected": {"alg": "HS256", "op time": "2020-01-01"}, "recipients": MAC_RECIPIENTS}},
        "intermediates": {},
        "output": {"cbor_diag": "not produced", "cbor": "D1"}})
    # CWT (RFC 8392): a claims set MACed, wrapped in the CWT tag 61.
    claims = enc({1: "coap://as.example.com", 2: "erikw", 4: 1444064944})
    prot = enc({1: 5})
    to_mac = enc(["MAC0", prot, b"", claims])
    tag = hmac.new(MAC_K, to_mac, hashlib.sha256).digest()
    write("cwt-tagged-mac0.json", {
        "title": "CWT: MACed claims set inside CWT tag 61",
        "input": {"plaintext_hex": H(claims), "mac0": {
            "protected": {"alg": "HS256"}, "recipients": MAC_RECIPIENTS}},
        "intermediates": {"ToMac_hex": H(to_mac), "CEK_hex": H(MAC_K)},
        "output": {"cbor_diag": "61(17(...))", "cbor": H(enc(Tag(61, Tag(17, [prot, {}, claims, tag]))))}})


if __name__ == "__main__":
    main()
