"""np.percentile (default method 'linear'), np.median and np.mean of fixed sample sets, as JSON.

Stored output: report/testdata/percentiles.json (read by report/stats.test.ts).
"""
import json

import numpy as np

rng = np.random.default_rng(20261207)
samples = [
    [1.0],
    [3.0, 1.0],
    [1.0, 2.0, 3.0, 4.0],
    [0.1, 0.2, 0.30000000000000004, 0.7, 1e-9],
    [-2.5, 7.25, 0.0, 0.0, 3.0, -1.0, 11.0],
]
for n in (5, 6, 7, 8, 29, 30, 31, 100):
    samples.append((rng.standard_normal(n) * 10 ** rng.uniform(-3, 3)).tolist())
# Margin ratios of a 30-game ensemble: values in (0, 1], some equal.
samples.append(np.round(rng.uniform(0, 1, 30), 2).tolist())

out = []
for x in samples:
    a = np.asarray(x, dtype=float)
    out.append(
        {
            "x": x,
            "q1": float(np.percentile(a, 25)),
            "median": float(np.median(a)),
            "q3": float(np.percentile(a, 75)),
            "p10": float(np.percentile(a, 10)),
            "p90": float(np.percentile(a, 90)),
            "mean": float(np.mean(a)),
        }
    )
print(json.dumps({"numpy": np.__version__, "samples": out}))
