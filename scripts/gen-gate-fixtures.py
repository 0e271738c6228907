#!/usr/bin/env python3
"""Writes the `sealbench run`-style gate fixtures (tests/data/gate/run-*.json): one process
per file (profile `quick`), with the control scenarios, on baseline.json's machine.

  base-{1,2}       memcpy_64 20, memcpy_16384 400, arith_1024 1000, ring seal 100, openssl seal 180
  slow-{1,2}       openssl seal 360 (+100%, an AES-NI mask), the rest as the baseline
  shift-{1,2}      every scenario, controls included, 30% slower (a busier machine)
  differs-{1,2}    memcpy +40%, arith unchanged, openssl +100%: no single factor explains it
Usage: scripts/gen-gate-fixtures.py   (from the repository root)
"""
import copy
import json

base = json.load(open("tests/data/gate/baseline.json"))
env = base["runs"][0]["environment"]
template = base["runs"][0]["scenarios"][0]


def scenario(sid, layer, op, algorithm, backend, size, median, spread=0.01):
    s = copy.deepcopy(template)
    s.update(id=sid, family=sid.rsplit("_", 1)[0], layer=layer, op=op, algorithm=algorithm,
             backend=backend, size=size, impl_path=None if backend == "none" else "aesni-clmul-avx")
    st = s["stats"]
    st.update(samples=11, iters_per_sample=1000, median_ns=median, min_ns=median * (1 - 2 * spread),
              max_ns=median * (1 + 2 * spread), ci95_low_ns=median * (1 - spread),
              ci95_high_ns=median * (1 + spread), cv=spread, cpu_median_ns=median, noisy=False)
    return s


def run(memcpy=1.0, arith=1.0, ring=1.0, openssl=1.0):
    scenarios = [
        scenario("memcpy_64", "raw", "memcpy", "memcpy", "none", 64, 20 * memcpy),
        scenario("memcpy_16384", "raw", "memcpy", "memcpy", "none", 16384, 400 * memcpy),
        scenario("arith_1024", "control", "arith", "arith", "none", 1024, 1000 * arith),
        scenario("seal_ring_aes128gcm_64", "raw", "seal", "aes128gcm", "ring", 64, 100 * ring),
        scenario("seal_openssl_aes128gcm_64", "raw", "seal", "aes128gcm", "openssl", 64, 180 * openssl),
    ]
    return {"kind": "sealbench-results", "schema_version": 1,
            "runs": [{"environment": env, "profile": "quick", "clock": "wall",
                      "scenarios": scenarios, "fits": []}]}


variants = {
    "base": [run(), run(ring=1.01, openssl=0.99)],
    "slow": [run(openssl=2.0), run(ring=0.99, openssl=2.02)],
    "shift": [run(1.3, 1.3, 1.3, 1.3), run(1.31, 1.29, 1.3, 1.31)],
    "differs": [run(memcpy=1.4, openssl=2.0), run(memcpy=1.41, openssl=2.0)],
}
for name, runs in variants.items():
    for i, r in enumerate(runs, 1):
        with open(f"tests/data/gate/run-{name}-{i}.json", "w") as f:
            json.dump(r, f, indent=1)
            f.write("\n")
