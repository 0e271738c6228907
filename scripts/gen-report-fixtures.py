#!/usr/bin/env python3
"""Writes the synthetic, deterministic report fixtures in tests/data/.

Not measurements: times follow t(size) = fixed + per_byte * size with a fixed
pseudo-random jitter per scenario id, so the report's tables and plots have realistic
shapes. Regenerate with `python3 scripts/gen-report-fixtures.py` (same output every time).

  results-machine-a.json  Intel-like host: 4 backends + 2 masked (@no-aesni), raw and
                          envelope scenarios, fits.
  results-machine-b.json  AMD-like host: 3 backends, a subset of the same scenario ids.
  results-minimal.json    raw seal on one backend, no fits, sparse environment.
  report-kat.json         `sealbench kat --json` records.
  report-decision.json    `sealbench decide --json` output (fields the report reads).
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

    def row(backend, strategy, meets, cores, p50, p99, bps):
        return {"backend": backend, "strategy": strategy, "meets_requirements": meets,
                "violations": [] if meets else ["class rpc-call (confidential) is not encrypted"],
                "cautions": [], "notes": [], "priced_from": [],
                "costs": {"cores": cores, "cores_per_node": None, "latency_p50_us": p50, "latency_p99_us": p99,
                          "added_bytes_per_s": bps, "fits_cpu": cores <= 2.0, "fits_latency": p99 <= 50.0,
                          "fits_budget": cores <= 2.0 and p99 <= 50.0, "classes": []},
                "unavailable": None}
    rows = []
    for backend, k in [("aws-lc", 1.0), ("rustcrypto", 1.6)]:
        rows += [
            row(backend, "plain", False, 0.2 * k, 0.4 * k, 1.1 * k, 5600),
            row(backend, "mac-all", False, 0.6 * k, 1.5 * k, 6.0 * k, 20800),
            row(backend, "sign-all", False, 9.5 * k, 38 * k, 61 * k, 38400),
            row(backend, "seal-all", True, 1.1 * k, 1.6 * k, 4.0 * k, 18000),
            row(backend, "seal-sensitive+mac-rest", True, 0.9 * k, 1.6 * k, 6.0 * k, 19100),
            row(backend, "seal-sensitive+sign-rest", True, 3.6 * k, 38 * k, 61 * k, 25000),
        ]
        rows.append({"backend": backend, "strategy": "hybrid-all", "meets_requirements": True,
                     "violations": [], "cautions": [], "notes": [], "priced_from": [], "costs": None,
                     "unavailable": "no encrypt scenarios with 100 recipients"})
    write("report-decision.json", {
        "profile": {"name": "openstack-control-plane", "description": "synthetic", "provenance": "synthetic fixture",
                    "budget": {"cores": 2.0, "added_latency_us": 50.0, "nodes": None},
                    "classes": [{"name": "rpc-call", "rate_per_s": 400.0, "sensitivity": "confidential",
                                 "delivery": "unicast", "fanout": 1},
                                {"name": "fanout-cast", "rate_per_s": 600.0, "sensitivity": "integrity",
                                 "delivery": "broadcast", "fanout": 100}]},
        "results": {"run": 0, "runs": 1, "host": "bench-a", "measurement_profile": "default",
                    "backends": ["aws-lc", "rustcrypto"]},
        "algorithms": {"aead": "Aes128Gcm", "sign": "Ed25519"},
        "rows": rows,
        "break_even": [],
        "recommendation": {"strategy": "seal-all", "backend": "aws-lc",
                           "reasons": ["seal-all fits the budget (1.1 of 2 cores), so nothing depends on classification."]},
    })


if __name__ == "__main__":
    main()
