#!/usr/bin/env python3
"""Writes the synthetic, deterministic report fixtures in tests/data/.

Not measurements: times follow t(size) = fixed + per_byte * size with a fixed
pseudo-random jitter per scenario id, so the report's tables and plots have realistic
shapes. Regenerate with `python3 scripts/gen-report-fixtures.py` (same output every time).

  results-machine-a.json  Intel-like host: 4 backends + 2 masked (@no-aesni), raw and
                          envelope scenarios, fits.
  results-machine-b.json  AMD-like host: 3 backends, a subset of the same scenario ids.
  results-minimal.json    raw seal on one backend, no fits, sparse environment.
  results-channel.json    TLS channel scenarios (`layer = "channel"`, ids as `sealbench run`
                          writes them) on rustls-aws-lc (loopback and in memory, with
                          connections of n messages) and openssl (loopback, no resumption,
                          no connection scenarios), beside Encrypt0 and Sign1 seal + open
                          on aws-lc and openssl.
  report-kat.json         `sealbench kat --json` records.
  report-decision.json    `sealbench decide --json` output (fields the report reads) for
                          a unicast-RPC profile where no strategy fits the budget.
  report-decision-fleet.json  the same for a broadcast-fleet profile whose recommendation
                          signs the broadcast (sign1/per-sender) and seals the rest pairwise.
  report-decision-tls.json  the unicast-RPC decision with the channel strategies: tls-only
                          rejected by the attacks executed on its TLS sessions,
                          tls+seal-all/pairwise meeting the requirements.
"""

import hashlib
import json
import os

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "data")
SIZES = [16, 256, 1350, 16384]


def jitter(key, spread):
    h = int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big")
    return 1.0 + spread * ((h / 2**32) * 2.0 - 1.0)


def stats(sid, ns):
    ns = round(ns * jitter(sid, 0.03), 1)
    wide = jitter(sid + "ci", 1.0) > 1.85  # a few scenarios get a wide interval
    half = 0.12 if wide else 0.015
    return {
        "samples": 30,
        "iters_per_sample": max(1, int(2_000_000 / ns)),
        "median_ns": ns,
        "min_ns": round(ns * 0.97, 1),
        "max_ns": round(ns * (1.4 if wide else 1.06), 1),
        "ci95_low_ns": round(ns * (1 - half), 1),
        "ci95_high_ns": round(ns * (1 + half), 1),
        "cv": 0.14 if wide else 0.02,
        "cpu_median_ns": round(ns * 0.99, 1),
        "noisy": wide,
    }


def cbor_extra(size):
    return 0 if size < 24 else 1 if size < 256 else 2


def scenario(layer, op, backend, alg, size, ns, *, mode=None, identity=None,
             recipients=None, cek_reuse=None, overhead=None, path=None, inside=None):
    parts = [op if layer == "raw" else f"{layer}-{op}", backend]
    parts.append(alg if mode is None else f"{mode}-{alg}")
    if identity:
        parts.append(identity)
    if recipients:
        parts.append(f"r{recipients}")
    if cek_reuse:
        parts.append(f"c{cek_reuse}")
    family = "_".join(parts)
    sid = f"{family}_{size}"
    return {
        "id": sid,
        "family": family,
        "layer": layer,
        "op": op,
        "mode": mode,
        "algorithm": alg,
        "backend": backend,
        "impl_path": path,
        "size": size,
        "identity": identity,
        "recipients": recipients,
        "cek_reuse": cek_reuse,
        "inside_loop": inside or (["nonce generation", "aad"] if layer == "raw" and op == "seal" else []),
        "overhead_bytes": None if overhead is None else overhead + cbor_extra(size),
        "stats": stats(sid, ns),
    }


def fit(family, scenarios):
    pts = sorted((s["size"], s["stats"]["median_ns"]) for s in scenarios if s["family"] == family)
    if len(pts) < 2:
        return None
    n = len(pts)
    mx = sum(x for x, _ in pts) / n
    my = sum(y for _, y in pts) / n
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    slope = sum((x - mx) * (y - my) for x, y in pts) / sxx
    icpt = my - slope * mx
    return {
        "family": family,
        "fixed_ns": round(icpt, 2),
        "per_byte_ns": round(slope, 5),
        "gb_per_s": round(1.0 / slope, 3) if slope > 0 else 0.0,
        "residuals": [[x, round((y - (icpt + slope * x)) / y, 5)] for x, y in pts],
    }


def environment(host, model, vendor, present, absent, backends):
    return {
        "schema_version": 1,
        "sealbench_version": "0.1.0",
        "git_revision": "c5f8288",
        "build": "release opt-level=3 x86_64-unknown-linux-gnu RUSTFLAGS=",
        "timestamp": "2025-11-20T10:00:00Z",
        "host": host,
        "cpu": {
            "arch": "x86_64",
            "vendor": vendor,
            "model": model,
            "logical_cpus": 16,
            "os": "linux",
            "features": [{"name": n, "present": True} for n in present]
            + [{"name": n, "present": False} for n in absent],
        },
        "masks": {"rustcrypto_aes_soft": False, "rustcrypto_polyval_soft": False},
        "backends": backends,
    }


def backend_env(name, versions, paths, ia32cap):
    return {
        "name": name,
        "versions": [{"name": n, "version": v} for n, v in versions],
        "aead_paths": [
            {"aead": a, "path": p, "evidence": e, "basis": "synthetic fixture"} for a, p, e in paths
        ],
        "honours_ia32cap": ia32cap,
    }


# (fixed ns, ns per byte, impl path) per backend and AEAD, machine A.
AEAD_A = {
    "aws-lc": {"aes128gcm": (40, 0.08, "vaes-avx2"), "chacha20poly1305": (60, 0.25, "avx2")},
    "openssl": {"aes128gcm": (45, 0.09, "vaes-avx2"), "chacha20poly1305": (60, 0.27, "avx2")},
    "ring": {"aes128gcm": (50, 0.10, "aesni-clmul-avx"), "chacha20poly1305": (70, 0.30, "avx2")},
    "rustcrypto": {"aes128gcm": (80, 0.35, "aesni-clmul"), "chacha20poly1305": (100, 0.80, "avx2")},
    "aws-lc@no-aesni": {"aes128gcm": (200, 2.5, "soft")},
    "openssl@no-aesni": {"aes128gcm": (220, 3.0, "soft")},
}

# Envelope modes: (mode, algorithm, fixed ns over primitives, overhead bytes, variants).
MODES = [
    ("mac0", "hmacsha256", 700, 52, [dict()]),
    ("sign1", "ed25519", 900, 96, [dict(identity="kid"), dict(identity="x5chain")]),
    ("encrypt0", "aes128gcm", 650, 45, [dict()]),
    ("encrypt", "rsaoaep2048+aes128gcm", 1500, 310,
     [dict(recipients=1, cek_reuse=1), dict(recipients=3, cek_reuse=1)]),
    ("sign-encrypt", "ed25519+rsaoaep2048+aes128gcm", 2200, 420,
     [dict(identity="kid", recipients=1, cek_reuse=1)]),
]

PRIM = {  # fixed ns, ns per byte (size-dependent raw primitives besides AEADs)
    ("sign", "ed25519"): (18000, 4.0),
    ("mac", "hmacsha256"): (420, 2.3),
}
OPEN_EXTRA = {"encrypt": 190000, "sign-encrypt": 190000}
FIXED_SIZE = {("agree", "x25519"): (32, 35000), ("encrypt-key", "rsaoaep2048"): (16, 26000)}
ID_BYTES = {"kid": 0, "x5chain": 520}


def machine(host, model, vendor, present, absent, aeads, backends_env, envelope_backends, speed):
    sc = []
    for backend, algs in aeads.items():
        for alg, (fixed, per_byte, path) in algs.items():
            for size in SIZES:
                ns = (fixed + per_byte * size) * speed
                sc.append(scenario("raw", "seal", backend, alg, size, ns, path=path))
                if alg == "aes128gcm" and backend in ("aws-lc", "ring"):
                    sc.append(scenario("raw", "open", backend, alg, size, ns * 1.05, path=path))
    for backend in envelope_backends:
        for (op, alg), (fixed, per_byte) in PRIM.items():
            for size in SIZES:
                sc.append(scenario("raw", op, backend, alg, size, (fixed + per_byte * size) * speed))
        for (op, alg), (size, ns) in FIXED_SIZE.items():
            sc.append(scenario("raw", op, backend, alg, size, ns * speed))
        for size in SIZES:
            sc.append(scenario("plain", "seal", backend, "none", size, (350 + 0.05 * size) * speed,
                               mode="plain", overhead=14, inside=["serialization", "allocation"]))
        aead = AEAD_A[backend]["aes128gcm"]
        for mode, alg, extra, wire, variants in MODES:
            for v in variants:
                for size in SIZES:
                    prim = 0.0
                    for comp in alg.split("+"):
                        if comp == "aes128gcm":
                            prim += aead[0] + aead[1] * size
                        elif comp == "rsaoaep2048":
                            prim += FIXED_SIZE[("encrypt-key", comp)][1] * v.get("recipients", 1)
                        else:
                            op = "sign" if comp == "ed25519" else "mac"
                            f, p = PRIM[(op, comp)]
                            prim += f + p * size
                    over = wire + ID_BYTES.get(v.get("identity"), 0) + 270 * (v.get("recipients", 1) - 1)
                    ns = (prim + extra + 0.06 * size) * speed
                    sc.append(scenario("envelope", "seal", backend, alg, size, ns, mode=mode,
                                       overhead=over, path=aead[2] if "aes" in alg else None,
                                       inside=["serialization", "allocation", "nonce generation"], **v))
                    # Opening: hybrid modes unwrap the content key with the private key,
                    # far dearer than the seal's public-key wrap.
                    unwrap = OPEN_EXTRA.get(mode, 0)
                    sc.append(scenario("envelope", "open", backend, alg, size, (ns + unwrap) * 1.02,
                                       mode=mode, overhead=over,
                                       path=aead[2] if "aes" in alg else None,
                                       inside=["parsing", "allocation"], **v))
        # Measured at two small sizes only (quick public-key families): a two-point fit
        # extrapolated to 1 KiB is far off; the comparison must use the measured points.
        for size, ns in ((16, 12100.0), (32, 12150.0 + 800.0 * (speed - 1.0))):
            sc.append(scenario("raw", "decrypt-key", backend, "rsaoaep2048", size, ns * speed))
    fits = [f for f in (fit(fam, sc) for fam in sorted({s["family"] for s in sc})) if f]
    return {
        "environment": environment(host, model, vendor, present, absent, backends_env),
        "profile": "default",
        "clock": "wall",
        "scenarios": sc,
        "fits": fits,
    }


def compact(value, depth=0):
    """JSON with one scenario, fit or record per line: small files, readable diffs."""
    if isinstance(value, dict) and depth < 3:
        inner = ",\n".join(f"{json.dumps(k)}: {compact(v, depth + 1)}" for k, v in value.items())
        return "{\n" + inner + "\n}"
    if isinstance(value, list) and depth < 4 and any(isinstance(v, (dict, list)) for v in value):
        return "[\n" + ",\n".join(compact(v, depth + 1) for v in value) + "\n]"
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def write(name, doc):
    with open(os.path.join(OUT, name), "w") as f:
        f.write(compact(doc))
        f.write("\n")


def main():
    feats = ["aes", "pclmulqdq", "avx", "avx2", "vaes", "vpclmulqdq", "sha"]
    env_a = [
        backend_env("rustcrypto", [("aes-gcm", "0.11.0"), ("chacha20poly1305", "0.11.0")],
                    [("Aes128Gcm", "aesni-clmul", "inferred"), ("ChaCha20Poly1305", "avx2", "inferred")], False),
        backend_env("ring", [("ring", "0.17.14")],
                    [("Aes128Gcm", "aesni-clmul-avx", "inferred"), ("ChaCha20Poly1305", "avx2", "inferred")], False),
        backend_env("openssl", [("OpenSSL", "3.5.1")],
                    [("Aes128Gcm", "vaes-avx2", "inferred"), ("ChaCha20Poly1305", "avx2", "inferred")], True),
        backend_env("aws-lc", [("aws-lc-rs", "1.14.0"), ("AWS-LC", "1.60.0")],
                    [("Aes128Gcm", "vaes-avx2", "inferred"), ("ChaCha20Poly1305", "avx2", "inferred")], True),
    ]
    a = machine("bench-a", "Intel(R) Xeon(R) Gold 6430", "GenuineIntel", feats, ["avx512f"],
                AEAD_A, env_a, ["aws-lc", "rustcrypto"], 1.0)
    write("results-machine-a.json", {"kind": "sealbench-results", "schema_version": 1, "runs": [a]})

    aeads_b = {k: v for k, v in AEAD_A.items() if k in ("aws-lc", "ring", "rustcrypto")}
    env_b = [e for e in env_a if e["name"] in aeads_b]
    b = machine("bench-b", "AMD EPYC 7R13", "AuthenticAMD", ["aes", "pclmulqdq", "avx", "avx2", "sha"],
                ["vaes", "vpclmulqdq", "avx512f"], aeads_b, env_b, ["aws-lc"], 1.25)
    write("results-machine-b.json", {"kind": "sealbench-results", "schema_version": 1, "runs": [b]})

    minimal_sc = [scenario("raw", "seal", "ring", "aes128gcm", s, 50 + 0.1 * s, path="aesni-clmul-avx")
                  for s in (64, 1024)]
    write("results-minimal.json", {
        "kind": "sealbench-results", "schema_version": 1,
        "runs": [{"environment": {"host": "tiny"}, "profile": "quick", "clock": "wall",
                  "scenarios": minimal_sc, "fits": []}],
    })

    write("results-channel.json", {
        "kind": "sealbench-results", "schema_version": 1,
        "runs": [{"environment": environment("bench-tls", "Intel(R) Xeon(R) Gold 6430", "GenuineIntel",
                                             feats, ["avx512f"], [e for e in env_a if e["name"] in ("aws-lc", "openssl")]),
                  "profile": "default", "clock": "wall", "scenarios": channel_scenarios(), "fits": []}],
    })

    records = []
    for backend in ["rustcrypto", "ring", "openssl", "aws-lc"]:
        for suite, alg, n in [("wycheproof/aes_gcm", "aes128gcm", 256), ("wycheproof/chacha20_poly1305", "chacha20poly1305", 300),
                              ("wycheproof/ed25519", "ed25519", 150), ("nist-cavp/gcmDecrypt128", "aes128gcm", 105)]:
            unsup = 12 if (suite == "wycheproof/aes_gcm" and backend == "ring") else 0
            records.append({
                "backend": backend, "suite": suite, "algorithm": alg,
                "passed": n - unsup, "failed": 0, "unsupported": unsup,
                "unsupported_reasons": {"nonce size other than 96 bits": unsup} if unsup else {},
                "failed_flags": {}, "failures": [], "acceptable_accepted": 0, "acceptable_rejected": 0,
            })
    records.append({
        "backend": "openssl@no-aesni", "suite": "nist-cavp/gcmDecrypt128", "algorithm": "aes128gcm",
        "passed": 105, "failed": 0, "unsupported": 0, "unsupported_reasons": {}, "failed_flags": {},
        "failures": [], "acceptable_accepted": 0, "acceptable_rejected": 0,
    })
    write("report-kat.json", {"environment": None, "records": records})

    write("report-decision.json", decision_rpc())
    write("report-decision-fleet.json", decision_fleet())
    write("report-decision-tls.json", decision_tls())


CHANNEL_SIZES = [64, 1350, 16384]
# Per stack: (full handshake µs by certificate, resumed µs or None, message fixed ns and ns
# per byte on loopback, the same in memory or None, connection scenarios measured).
STACKS = {
    "rustls-aws-lc": ("aws-lc", {"ed25519": 420.0, "ecdsap256": 510.0}, 95.0, (9000.0, 0.9),
                      (700.0, 0.35), True),
    "openssl": ("openssl", {"ed25519": 610.0, "ecdsap256": 690.0}, None, (11000.0, 1.1),
                None, False),
}
HANDSHAKE_BYTES = {"ed25519": 3380, "ecdsap256": 3620}
RESUME_BYTES = 1210
RECORD_BYTES = 22  # 5-byte header, content type, 16-byte tag: one record up to 16 KiB
# Envelope seal + open on each library: (mode, algorithm, identity, fixed ns, ns per byte,
# overhead bytes).
CHANNEL_ENVELOPES = [
    ("encrypt0", "aes128gcm", "kid", 650.0, 0.09, 45),
    ("sign1", "ed25519", "kid", 19000.0, 4.1, 96),
    ("sign1", "ed25519", "x5chain", 19400.0, 4.1, 616),
]


def real(layer, op, backend, alg, size, ns, family, overhead, mode=None, identity=None):
    """A scenario with the id and family `sealbench run` writes."""
    sid = f"{family}_{size}"
    return {
        "id": sid, "family": family, "layer": layer, "op": op, "mode": mode, "algorithm": alg,
        "backend": backend, "impl_path": "vaes-avx2" if "aes" in alg else None, "size": size,
        "identity": identity, "recipients": None, "cek_reuse": None, "inside_loop": [],
        "overhead_bytes": overhead, "stats": stats(sid, ns),
    }


def channel_scenarios():
    sc = []
    for stack, (library, full, resume, loop_cost, mem_cost, conns) in STACKS.items():
        transports = [(stack, loop_cost)] + ([(f"{stack}@memory", mem_cost)] if mem_cost else [])
        for label, (fixed, per_byte) in transports:
            scale = 1.0 if label == stack else 0.8  # no kernel in memory
            for cert, us in full.items():
                alg = f"x25519+{cert}+aes128gcm"
                sc.append(real("channel", "handshake", label, alg, 0, us * 1000.0 * scale,
                               f"channel-handshake_{label}_{alg}", HANDSHAKE_BYTES[cert]))
            alg = "x25519+ed25519+aes128gcm"
            if resume:
                sc.append(real("channel", "resume", label, alg, 0, resume * 1000.0 * scale,
                               f"channel-resume_{label}_{alg}", RESUME_BYTES))
            for size in CHANNEL_SIZES:
                sc.append(real("channel", "message", label, alg, size, fixed + per_byte * size,
                               f"channel-message_{label}_{alg}", RECORD_BYTES))
            if conns and label == stack:
                for n in (1, 10, 100, 10000):
                    for size in (64, 1350):
                        msg = fixed + per_byte * size
                        per_msg = (full["ed25519"] * 1000.0 + n * msg) / n
                        bytes_per_msg = -(-(HANDSHAKE_BYTES["ed25519"] + n * (size + RECORD_BYTES)) // n) - size
                        sc.append(real("channel", "message", label, alg, size, per_msg,
                                       f"channel-message_{label}_{alg}_conn{n}", bytes_per_msg))
        for mode, alg, identity, fixed, per_byte, over in CHANNEL_ENVELOPES:
            for op, factor in (("seal", 1.0), ("open", 1.1)):
                for size in CHANNEL_SIZES:
                    sc.append(real("envelope", op, library, alg, size, (fixed + per_byte * size) * factor,
                                   f"env-{op}_{mode}_{library}_{alg}_{identity}",
                                   over + cbor_extra(size), mode=mode, identity=identity))
    return sc


TLS_ONLY_ATTACKS = [
    ("outsider-forges", "on the wire: injected, tampered, foreign-CA client; and the untrusted broker "
                        "writing the method to r1 claiming s1 (inside TLS: the envelope outsider's forgeries)"),
    ("outsider-reads", "an eavesdropper captures both TLS hops; and the untrusted broker reads what it "
                       "relays (inside TLS: the envelope outsider's read)"),
    ("other-role-forges", "compromised o1 (valid certificate, another role) publishes the method to r1 "
                          "claiming s1; r1's only TLS peer is the broker (with an envelope: the envelope's "
                          "other-role-forges)"),
]


def decision_tls():
    d = decision_rpc()
    tls_rows = []
    for row in d["rows"]:
        if row["strategy"] in ("plain", "seal-all/pairwise"):
            tls = json.loads(json.dumps(row))
            tls["strategy"] = "tls-only" if row["strategy"] == "plain" else "tls+seal-all/pairwise"
            tls["costs"]["cores"] += 0.004
            tls_rows.append(tls)
    d["rows"] += tls_rows
    sender = "s1 (claimed in the frame; TLS peer: broker)"
    attacks = []
    for attack, executed in TLS_ONLY_ATTACKS:
        b = {"attack": attack, "executed": executed}
        if attack == "outsider-reads":
            b.update(outcome="exposed", kind="tls-ends-at-broker")
        else:
            b.update(outcome="accepted", sender=sender, role="sender")
        attacks.append(b)
    d["recommendation"]["rejected"].append({"strategy": "tls-only", "broken": [
        {"class": "rpc", "mode": "plain", "key_scope": "none", "attacks": attacks}]})
    return d


ATTACK_TEXT = {
    "outsider-forges": "mallory seals the method with her own key, under her kid and under s1's, to r1",
    "outsider-reads": "an eavesdropper with no keys reads s1's captured message",
    "receiver-forges": "compromised r1 seals the method to r2 with every key it holds, as itself and as s1",
    "other-role-forges": "compromised o1 (another role) seals the method to r1 with every key it holds",
    "peer-reads": "compromised r2 reads s1's message to r1 with its own keys, posing as r1",
    "other-role-reads": "compromised o1 (another role) reads s1's message with its own keys, posing as r1",
    "cross-node-replay": "s1's captured unicast to r1 is delivered to r2",
    "reflection": "s1's captured message is delivered back to s1",
}


def broken(attack, outcome="accepted", sender="group", role="sender", kind=None):
    b = {"attack": attack, "executed": ATTACK_TEXT[attack], "outcome": outcome}
    if outcome == "accepted":
        b.update(sender=sender, role=role)
    else:
        b["kind"] = kind
    return b


def decision(profile, backends, strategies, rec, rejected, warnings):
    """A `decide --json` document: `strategies` maps name -> (meets, cores per backend
    factor 1, p50 µs, p99 µs, added B/s, fits); the recommendation names one of them."""
    rows, break_even = [], []
    for backend, k in backends:
        for name, (meets, cores, p50, p99, bps, fits) in strategies.items():
            c = cores * k
            rows.append({
                "backend": backend, "strategy": name, "searched": name.startswith("cheapest"),
                "meets_requirements": meets, "verdicts": [], "notes": [], "priced_from": [],
                "noisy": False,
                "costs": {"cores": c, "cores_low": c * 0.97, "cores_high": c * 1.03,
                          "cores_per_node": None, "roles": [],
                          "busiest": {"role": "controller", "nodes": 3, "cores_per_node": c / 3,
                                      "secrets_per_node": 200},
                          "latency_p50_us": p50 * k, "latency_p99_us": p99 * k,
                          "added_bytes_per_s": bps, "keys": 600, "max_secrets_per_node": 200,
                          "fits_cpu": fits, "fits_node_cpu": True, "fits_latency": fits,
                          "fits_secrets": True, "fits_budget": fits and k == 1.0, "classes": []},
                "unavailable": None,
            })
            if rec is not None and name == rec["strategy"]:
                break_even.append({"backend": backend, "strategy": name, "cores": c,
                                   "rate_multiplier": profile["budget"]["cores"] / c,
                                   "msgs_per_s": profile["budget"]["cores"] / c
                                   * sum(cl["rate_per_s"] for cl in profile["classes"])})
    return {
        "profile": profile,
        "results": {"run": 0, "runs": 1, "host": "bench-a", "measurement_profile": "default",
                    "backends": [b for b, _ in backends]},
        "algorithms": {"aead": "aes128gcm", "sign": "ed25519", "mac": "hmacsha256",
                       "key_transport": "rsaoaep2048"},
        "verdicts": [],
        "rows": rows,
        "break_even": break_even,
        "warnings": warnings,
        "recommendation": rec if rec is not None else {
            "strategy": None, "backend": None, "classes": [], "ties": [],
            "reasons": ["No strategy withstands the required attacks within the budget.",
                        "The cheapest that withstands them is seal-all/pairwise on aws-lc, which "
                        "adds 121 µs at the p99 size (budget 50.0 µs)."],
            "rejected": rejected},
    }


def sized(points):
    pts = sorted(points)
    total = sum(w for _, w in pts)
    acc, p50, p99 = 0.0, None, None
    for b, w in pts:
        acc += w
        if p50 is None and acc >= 0.5 * total:
            p50 = b
        if p99 is None and acc >= 0.99 * total - 1e-9:
            p99 = b
    return {"points": [[b, w] for b, w in pts], "p50": p50, "p99": p99}


def decision_rpc():
    profile = {
        "name": "openstack-control-plane", "description": "synthetic", "provenance": "synthetic fixture",
        "threat": "compromised-peer", "roles": {"controller": 3, "compute": 200},
        "budget": {"cores": 2.0, "added_latency_us": 50.0, "nodes": None, "cores_per_node": None,
                   "max_secrets_per_node": None},
        "classes": [
            {"name": "rpc", "rate_per_s": 400.0, "sender_role": "controller", "receiver_role": "compute",
             "sensitivity": "confidential", "delivery": "unicast", "fanout": 1,
             "sizes": sized([(1024, 56), (2048, 1006), (4096, 1932), (12288, 60)])},
            {"name": "fanout-cast", "rate_per_s": 6.0, "sender_role": "controller", "receiver_role": "compute",
             "sensitivity": "integrity", "delivery": "broadcast", "fanout": 100,
             "sizes": sized([(2450, 0.5), (6480, 0.4), (11292, 0.1)])},
        ],
    }
    strategies = {
        "plain": (False, 0.002, 0.4, 1.1, 5600, True),
        "mac-all/group": (False, 0.006, 1.5, 6.0, 20800, True),
        "seal-all/group": (False, 0.011, 1.6, 4.0, 18000, True),
        "seal-all/pairwise": (True, 0.094, 14.0, 121.0, 18000, False),
        "sign-all": (False, 0.095, 38.0, 61.0, 38400, False),
        "sign-encrypt-all": (True, 1.6, 230.0, 260.0, 52000, False),
    }
    rejected = [
        {"strategy": "plain", "broken": [{"class": "rpc", "mode": "plain", "key_scope": "none",
                                          "attacks": [broken("outsider-forges", sender="s1")]}]},
        {"strategy": "mac-all/group", "broken": [{"class": "rpc", "mode": "mac0", "key_scope": "group",
                                                  "attacks": [broken("outsider-reads", "exposed", kind="unknown-key")]}]},
        {"strategy": "seal-all/group", "broken": [
            {"class": "rpc", "mode": "encrypt0", "key_scope": "group", "attacks": [broken("peer-reads")]},
            {"class": "fanout-cast", "mode": "encrypt0", "key_scope": "group",
             "attacks": [broken("receiver-forges")]}]},
        {"strategy": "sign-all", "broken": [{"class": "rpc", "mode": "sign1", "key_scope": "per-sender",
                                             "attacks": [broken("outsider-reads", "exposed", kind="unknown-key")]}]},
    ]
    return decision(profile, [("aws-lc", 1.0), ("rustcrypto", 1.6)], strategies, None, rejected,
                    ["some scenarios priced for seal-all/pairwise on rustcrypto were marked noisy"])


def decision_fleet():
    profile = {
        "name": "config-management-fleet", "description": "synthetic", "provenance": "synthetic fixture",
        "threat": "compromised-peer", "roles": {"master": 3, "minion": 10000},
        "budget": {"cores": 1.0, "added_latency_us": 5000.0, "nodes": 10003, "cores_per_node": 0.5,
                   "max_secrets_per_node": None},
        "classes": [
            {"name": "command", "rate_per_s": 0.1, "sender_role": "master", "receiver_role": "minion",
             "sensitivity": "integrity", "delivery": "broadcast", "fanout": 10000,
             "sizes": sized([(600, 0.5), (4000, 0.5)])},
            {"name": "reply", "rate_per_s": 1000.0, "sender_role": "minion", "receiver_role": "master",
             "sensitivity": "confidential", "delivery": "unicast", "fanout": 1,
             "sizes": sized([(1000, 0.5), (4000, 0.4), (16000, 0.1)])},
        ],
    }
    strategies = {
        "seal-all/group": (False, 0.0011, 2.0, 9.0, 90000, True),
        "sign-all": (False, 0.021, 40.0, 61.0, 96000, True),
        "seal-all/pairwise": (True, 0.0044, 2.0, 6100.0, 90000, False),
        "pairwise-unicast+sign-broadcast": (True, 0.00151, 40.0, 61.0, 91000, True),
        "cheapest-mix": (True, 0.00149, 40.0, 61.0, 91000, True),
    }
    rec = {
        "strategy": "pairwise-unicast+sign-broadcast", "backend": "aws-lc",
        "classes": [
            {"class": "command", "mode": "sign1", "key_scope": "per-sender", "cores": 0.000312,
             "cores_low": 0.000301, "cores_high": 0.000322,
             "withstands": ["outsider-forges", "receiver-forges", "other-role-forges", "reflection"]},
            {"class": "reply", "mode": "encrypt0", "key_scope": "pairwise", "cores": 0.001198,
             "cores_low": 0.00116, "cores_high": 0.00124,
             "withstands": ["outsider-forges", "outsider-reads", "receiver-forges", "other-role-forges",
                            "peer-reads", "other-role-reads", "cross-node-replay", "reflection"]},
        ],
        "reasons": ["No strategy that encrypts every class both withstands the required attacks and fits the budget.",
                    "pairwise-unicast+sign-broadcast on aws-lc is the cheapest strategy that withstands every required attack and fits the budget."],
        "ties": ["cheapest-mix on aws-lc (0.00149 cores [0.00145–0.00153])"],
        "rejected": [
            {"strategy": "seal-all/group", "broken": [
                {"class": "command", "mode": "encrypt0", "key_scope": "group",
                 "attacks": [broken("receiver-forges")]},
                {"class": "reply", "mode": "encrypt0", "key_scope": "group",
                 "attacks": [broken("peer-reads")]}]},
            {"strategy": "sign-all", "broken": [
                {"class": "reply", "mode": "sign1", "key_scope": "per-sender",
                 "attacks": [broken("outsider-reads", "exposed", kind="unknown-key")]}]},
        ],
    }
    return decision(profile, [("aws-lc", 1.0), ("rustcrypto", 1.6)], strategies, rec, rec["rejected"], [])


if __name__ == "__main__":
    main()
