#!/usr/bin/env python3
"""Reference values for perturbations (sgn/games/perturbation.ts) and the paper's noise-robustness
study (AashVed/SmallGainNash, LQ_GAMES/figures.py compute_noise_robustness), printed as JSON.

Part `study` (needs SGN_PAPER_CODE, a checkout of the paper's code): the paper's own functions,
nothing reimplemented but the loop that keeps each trial. The flagship game from
generate_game.generate_game_matrices (seed 12345, Q_i = I, R orthonormal), the metrics from
compute_sgn_metrics.compute_metrics (balanced weights w = (b/a, 1)), then
compute_noise_robustness itself (the mean margins per eps it saves) and, to keep every trial, its
loop again with the same stream (default_rng(12345 + 777), eps-major, 12 trials, noise12 then
noise21 per trial) and its own sgn_margin and true_monotonicity_margin; the script checks that
the means of those trials are what compute_noise_robustness saved. matplotlib, which figures.py
imports for its plots only, is stubbed when it is absent.

Part `noise` (NumPy only): E of the `add` perturbation for a few seeds, draws, block sizes and
structures, drawn as perturbation.ts defines it (draw k of default_rng(seed), earlier draws
discarded; full: standard_normal((d, d)); coupling: standard_normal((d_i, d_j)) for i != j,
i-major; E scaled to spectral norm 1 by numpy.linalg.norm(E, 2)).

    SGN_PAPER_CODE=/path/to/SmallGainNash \\
      python3 scripts/reference/paper_noise.py > sgn/games/testdata/paper-noise.json
"""
import json
import pathlib
import sys
import tempfile

import numpy as np
from paper_code import floats, paper_commit, paper_root, stub_pyplot_if_absent

NOISE_CASES = [
    {"seed": 0, "draw": 0, "dims": [2, 3], "structure": "full"},
    {"seed": 13122, "draw": 0, "dims": [32, 32], "structure": "full"},
    {"seed": 7, "draw": 3, "dims": [4, 5], "structure": "full"},
    {"seed": 1, "draw": 0, "dims": [3, 4], "structure": "coupling"},
    {"seed": 42, "draw": 2, "dims": [2, 3, 4], "structure": "coupling"},
    {"seed": 2**33 + 1, "draw": 1, "dims": [6, 6], "structure": "coupling"},
]



def noise_case(c: dict) -> dict:
    dims = c["dims"]
    d = sum(dims)
    offs = np.cumsum([0] + dims)
    rng = np.random.default_rng(c["seed"])
    if c["structure"] == "full":
        size = d * d
    else:
        size = d * d - sum(k * k for k in dims)
    rng.standard_normal(c["draw"] * size)  # the earlier draws, discarded
    if c["structure"] == "full":
        E = rng.standard_normal((d, d))
    else:
        E = np.zeros((d, d))
        for i, di in enumerate(dims):
            for j, dj in enumerate(dims):
                if i != j:
                    E[offs[i] : offs[i + 1], offs[j] : offs[j + 1]] = rng.standard_normal((di, dj))
    E = E / np.linalg.norm(E, 2)
    return {**c, "E": [floats(row) for row in E]}


def paper_code():
    root = paper_root("LQ_GAMES/figures.py")
    if root is None:
        return None, None
    sys.path.insert(0, root)
    # figures.py imports pyplot at the top for its plots; the computation does not use it.
    stub_pyplot_if_absent()
    return root, paper_commit(root)


def study() -> dict:
    from LQ_GAMES import compute_sgn_metrics as csm
    from LQ_GAMES import figures, generate_game
    from LQ_GAMES.config import GAME_CONFIG, NOISE_CONFIG

    with tempfile.TemporaryDirectory() as tmp:
        Q1, Q2, R = generate_game.generate_game_matrices()
        game_path = generate_game.save_game(Q1, Q2, R, out_dir=tmp)
        metrics_path = csm.compute_metrics(game_path=game_path, out_dir=tmp)
        out = figures.compute_noise_robustness(
            metrics_path=metrics_path, game_path=game_path, out_path=pathlib.Path(tmp) / "noise.npz"
        )
        saved = np.load(out)
        metrics = np.load(metrics_path)
        w = metrics["w"]
        mu1, mu2 = float(metrics["mu1"]), float(metrics["mu2"])
        a, b = float(metrics["a"]), float(metrics["b"])
        means = {k: floats(saved[k]) for k in ("eps_grid", "alpha_true", "alpha_sgn", "ratio")}

    # compute_noise_robustness's loop, every trial kept.
    d1, d2 = Q1.shape[0], Q2.shape[0]
    M = csm.build_metric_matrix(w, d1=d1, d2=d2)
    eps_grid = np.array(NOISE_CONFIG.eps_grid, dtype=float)
    lam = float(NOISE_CONFIG.lambda_value)
    seed = GAME_CONFIG.seed + NOISE_CONFIG.seed_offset
    rng = np.random.default_rng(seed)
    trials = []
    for i, eps in enumerate(eps_grid):
        for t in range(NOISE_CONFIG.num_trials):
            n12 = rng.standard_normal((d1, d2))
            n21 = rng.standard_normal((d2, d1))
            n12 = n12 / max(np.linalg.svd(n12, full_matrices=False)[1][0], 1e-8)
            n21 = n21 / max(np.linalg.svd(n21, full_matrices=False)[1][0], 1e-8)
            A12 = (1.0 - eps) * (lam * a * R) + eps * (lam * a * n12)
            A21 = (1.0 - eps) * (lam * b * R.T) + eps * (lam * b * n21)
            H = np.block([[Q1, A12], [A21, Q2]])
            L12 = float(np.linalg.svd(A12, compute_uv=False)[0])
            L21 = float(np.linalg.svd(A21, compute_uv=False)[0])
            trials.append(
                {
                    "epsIndex": i,
                    "eps": float(eps),
                    "trial": t,
                    "draw": i * NOISE_CONFIG.num_trials + t,
                    "L12": L12,
                    "L21": L21,
                    "alpha_true": float(csm.true_monotonicity_margin(H, M)),
                    "alpha_sgn": float(csm.sgn_margin(mu1, mu2, L12, L21, w=w)),
                }
            )
    n = NOISE_CONFIG.num_trials
    for i in range(len(eps_grid)):
        rows = trials[i * n : (i + 1) * n]
        for key in ("alpha_true", "alpha_sgn"):
            mean = float(np.mean([r[key] for r in rows]))
            if abs(mean - means[key][i]) > 1e-12 * max(1.0, abs(mean)):
                raise SystemExit(f"kept trials disagree with compute_noise_robustness at eps index {i}: {key}")
    return {
        "config": {
            "lambda": lam,
            "a": a,
            "b": b,
            "mu1": mu1,
            "mu2": mu2,
            "w": floats(w),
            "seed": seed,
            "trials": n,
            "epsGrid": floats(eps_grid),
        },
        "means": means,
        "trials": trials,
    }


def main() -> None:
    root, commit = paper_code()
    out = {
        "numpy": np.__version__,
        "noise": [noise_case(c) for c in NOISE_CASES],
    }
    if root is not None:
        out["paper"] = {"repository": "AashVed/SmallGainNash", "commit": commit}
        out["study"] = study()
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
