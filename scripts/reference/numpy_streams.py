#!/usr/bin/env python3
"""Reference values of NumPy's random streams for sgn/random (PCG64, SeedSequence, the ziggurat
standard normal of numpy.random.Generator), printed as JSON on stdout.

sgn/random/numpy-streams.test.ts runs this script when python3 with NumPy is on the machine and
compares sgn/random with its output; otherwise (and always, besides) with the stored copy
sgn/random/testdata/numpy-streams.json, written by:

    python3 scripts/reference/numpy_streams.py > sgn/random/testdata/numpy-streams.json

Everything here is compared bit for bit: floats go through JSON as Python's repr (round trip
exact), 64-bit words as hex strings, and each long stream as the SHA-256 of its little-endian
float64 bytes.
"""
import hashlib
import json
import sys

import numpy as np

ZIGGURAT_R = 3.6541528853610088
# The paper's random suite uses seeds 12345 + 1000 s; the rest probe the SeedSequence word split.
SEEDS = [0, 1, 2, 3, 42, 999, 2**31 - 1, 2**32 - 1, 2**32, 2**32 + 5, 2**53 - 1] + [
    12345 + 1000 * s for s in range(30)
]
# (seed, shapes drawn one after the other from one generator)
SHAPES = [
    (12345, [(32, 32), (32, 32), (32, 32)]),
    (7, [(3, 5), (5, 5), (1, 1), (2, 7)]),
    (2024, [(1,), (4, 3), (6, 2)]),
]
LONG = [(12345, 1_000_000), (0, 1_000_000), (123456789, 300_000)]


def main() -> None:
    out: dict = {"numpy": np.__version__, "seeds": []}
    for seed in SEEDS:
        ss = np.random.SeedSequence(seed)
        bits = np.random.PCG64(seed)
        st = bits.state["state"]
        raw = bits.random_raw(8)
        rng = np.random.default_rng(seed)
        out["seeds"].append(
            {
                "seed": seed,
                "pool": [int(w) for w in ss.pool],
                "generateState8": [int(w) for w in ss.generate_state(8)],
                "state": f"{st['state']:032x}",
                "inc": f"{st['inc']:032x}",
                "raw": [f"{int(r):016x}" for r in raw],
                "normals": [float(x) for x in rng.standard_normal(64)],
                "uniforms": [float(x) for x in rng.random(8)],
            }
        )
    out["shapes"] = []
    for seed, shapes in SHAPES:
        rng = np.random.default_rng(seed)
        out["shapes"].append(
            {
                "seed": seed,
                "draws": [
                    {"shape": list(s), "values": [float(x) for x in rng.standard_normal(s).ravel()]}
                    for s in shapes
                ],
            }
        )
    out["long"] = []
    for seed, n in LONG:
        x = np.random.default_rng(seed).standard_normal(n)
        out["long"].append(
            {
                "seed": seed,
                "n": n,
                "sha256": hashlib.sha256(x.astype("<f8").tobytes()).hexdigest(),
                # Draws beyond r can only come from the ziggurat's tail branch.
                "tail": int(np.sum(np.abs(x) > ZIGGURAT_R)),
                "last": float(x[-1]),
            }
        )
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
