#!/usr/bin/env python3
"""Reference values for the pseudospectrum experiment (sgn/experiments/pseudospectrum.ts) and the
mini-toy (AashVed/SmallGainNash, experiments/quadratic_pseudospectrum.py and quadratic_phase.py),
printed as JSON.

Part `paper` (needs SGN_PAPER_CODE, a checkout of the paper's code): the paper's main() itself, run
with matplotlib stubbed (it only draws) and its printed lines kept, plus its own compute_smin_grid on
the same J, window and 321-point grid to keep exact counts per level (main() prints fractions to
three decimals only) and a sample of log10 resolvent norms (every 40th grid point per axis).

Part `smin` (NumPy only): numpy.linalg.svd's smallest singular value of z I - J for a few small
non-normal J (d = 2, 3, 5) and complex z: the general path of the TypeScript code.

Part `miniToy` (NumPy only): quadratic_phase.py's trajectory, its Euler loop copied (the function
is nested in make_phase_plot): x0 = (0.15, -0.15), h = 0.0005, 3000 steps on x' = -J x with
J = [[1, 10], [0.05, 1]]; the largest Euclidean norm over the start's, and whether the M(w)
energy w1 x1^2 + w2 x2^2 (w = (1, 200)) decreases at every step.

    SGN_PAPER_CODE=/path/to/SmallGainNash \\
      python3 scripts/reference/paper_pseudospectrum.py > sgn/experiments/testdata/paper-pseudospectrum.json
"""
import contextlib
import io
import json
import pathlib
import re
import shutil
import sys
import tempfile

import numpy as np
from paper_code import paper_commit, paper_root, stub_pyplot_if_absent

SMIN_CASES = [
    {"seed": 1, "d": 2, "z": [[0.3, 0.0], [1.0, -0.5], [-2.0, 1.5]]},
    {"seed": 2, "d": 3, "z": [[0.0, 0.0], [0.5, 0.25], [-1.0, 2.0]]},
    {"seed": 3, "d": 5, "z": [[0.1, -0.1], [2.0, 0.0], [-0.5, 3.0]]},
]


def smin_case(c: dict) -> dict:
    rng = np.random.default_rng(c["seed"])
    d = c["d"]
    # Upper-triangular part scaled up: non-normal on purpose.
    J = rng.standard_normal((d, d)) + 4.0 * np.triu(rng.standard_normal((d, d)), 1)
    out = []
    for re_, im_ in c["z"]:
        A = (re_ + 1j * im_) * np.eye(d) - J
        out.append(float(np.linalg.svd(A, compute_uv=False)[-1]))
    return {**c, "J": [[float(x) for x in row] for row in J], "smin": out}


def mini_toy() -> dict:
    mu1, mu2, a, b = 1.0, 1.0, 10.0, 0.05
    w1, w2 = 1.0, 200.0

    def G_standard(x, y):
        return -(mu1 * x + a * y), -(mu2 * y + b * x)

    def simulate(x0, steps=2000, h=0.001):
        traj = np.zeros((steps + 1, 2))
        traj[0] = x0
        for k in range(steps):
            dx, dy = G_standard(traj[k, 0], traj[k, 1])
            traj[k + 1] = traj[k] + h * np.array([dx, dy])
        return traj

    x0 = np.array([0.15, -0.15])
    traj = simulate(x0, steps=3000, h=0.0005)
    norms = np.linalg.norm(traj, axis=1)
    energy = w1 * traj[:, 0] ** 2 + w2 * traj[:, 1] ** 2
    J = np.array([[mu1, a], [b, mu2]])
    return {
        "mu1": mu1,
        "mu2": mu2,
        "a": a,
        "b": b,
        "w": [w1, w2],
        "x0": [float(v) for v in x0],
        "h": 0.0005,
        "steps": 3000,
        "euclideanGrowth": float(norms.max() / norms[0]),
        "energyDecreasing": bool(np.all(np.diff(energy) < 0)),
        "final": [float(v) for v in traj[-1]],
        "symMinEigenvalue": float(np.linalg.eigvalsh((J + J.T) / 2)[0]),
        "eigenvalues": sorted(float(v) for v in np.linalg.eigvals(J).real),
    }


def paper_code():
    root = paper_root("experiments/quadratic_pseudospectrum.py")
    return (None, None) if root is None else (root, paper_commit(root))


def paper(root: str) -> dict:
    stub_pyplot_if_absent()
    # main() saves its figure beside the script (figs/mini-toy): run a copy, not the checkout.
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(pathlib.Path(root) / "experiments", pathlib.Path(tmp) / "experiments")
        sys.path.insert(0, str(pathlib.Path(tmp) / "experiments"))
        import quadratic_pseudospectrum as qp

        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            qp.main()
    lines = [l for l in printed.getvalue().splitlines() if l.startswith("Fraction")]
    printed_fractions = []
    for l in lines:
        m = re.match(r"Fraction of grid with log10\|\|resolvent\|\| >= ([\d.]+): Euclidean=([\d.]+), M\(w\)=([\d.]+)", l)
        printed_fractions.append({"level": float(m[1]), "euclidean": float(m[2]), "metric": float(m[3])})

    # main()'s own set-up, line for line, to keep what it computes but does not print.
    J = np.array([[1.0, 10.0], [0.05, 1.0]])
    eigvals = np.linalg.eigvals(J)
    sqrt_w = np.sqrt(np.array([1.0, 200.0]))
    J_sgn = np.diag(sqrt_w) @ J @ np.diag(1.0 / sqrt_w)
    xlim = (eigvals.real.min() - 1.5, eigvals.real.max() + 1.5)
    ylim = (-1.2, 1.2)
    X, Y, smin_e = qp.compute_smin_grid(J, xlim=xlim, ylim=ylim, resolution=321)
    _, _, smin_s = qp.compute_smin_grid(J_sgn, xlim=xlim, ylim=ylim, resolution=321)
    eps = 1e-6
    log_e = np.log10(1.0 / np.clip(smin_e, eps, None))
    log_s = np.log10(1.0 / np.clip(smin_s, eps, None))
    levels = [0.5, 1.0, 1.5]
    counts = [
        {"level": t, "euclidean": int((log_e >= t).sum()), "metric": int((log_s >= t).sum())} for t in levels
    ]
    for c, p in zip(counts, printed_fractions):
        if f"{c['euclidean'] / log_e.size:.3f}" != f"{p['euclidean']:.3f}" or f"{c['metric'] / log_s.size:.3f}" != f"{p['metric']:.3f}":
            raise SystemExit(f"counts disagree with what main() printed at level {c['level']}")
    step = 40
    idx = list(range(0, 321, step))
    sample = [
        {
            "i": i,
            "j": j,
            "re": float(X[i, j]),
            "im": float(Y[i, j]),
            "log10Euclidean": float(log_e[i, j]),
            "log10Metric": float(log_s[i, j]),
        }
        for i in idx
        for j in idx
    ]
    return {
        "J": J.tolist(),
        "w": [1.0, 200.0],
        "window": {"re": [float(xlim[0]), float(xlim[1])], "im": list(ylim)},
        "resolution": 321,
        "points": int(log_e.size),
        "printed": printed_fractions,
        "counts": counts,
        "vmin": float(min(log_e.min(), log_s.min())),
        "vmax": float(max(log_e.max(), log_s.max())),
        "sample": sample,
    }


def main() -> None:
    root, commit = paper_code()
    out = {
        "numpy": np.__version__,
        "smin": [smin_case(c) for c in SMIN_CASES],
        "miniToy": mini_toy(),
    }
    if root is not None:
        out["paper"] = {"repository": "AashVed/SmallGainNash", "commit": commit}
        out["pseudospectrum"] = paper(root)
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
