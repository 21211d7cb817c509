#!/usr/bin/env python3
"""Reference spectral radii for the LQ phase diagrams, computed by the paper's own code
(AashVed/SmallGainNash, LQ_GAMES/), printed as JSON on stdout. Nothing is reimplemented: the
metrics come from compute_sgn_metrics.compute_metrics (its balanced weights, its 61-value lambda
grid), the step grids, spectral radii and thresholds from compute_stability.compute_stability_grid
(rho(T) by numpy.linalg.eigvals of the step matrices I - hH and P4(-hH)), both on the LQ-64 game of
examples/games/lq64.json written as the game.npz they read.

compute_stability_grid runs its (400 h) x (Euler, RK4) loop over the lambdas of the metrics file;
to keep this to seconds it is handed a copy of that file whose `lambdas` are a few of the grid's
(LAMBDAS), while the step bounds it takes its h range from (4 x the largest SGN step over the whole
grid) stay those of all 61: the grids are exactly the paper's.

Needs NumPy and SGN_PAPER_CODE (a copy of the paper's repository, the folder holding LQ_GAMES/;
SGN_PAPER_COMMIT names its commit when the copy is not a git checkout). sgn/step-radius.paper.test.ts
runs this when both are there and compares with the stored copy always; to rewrite that:

    SGN_PAPER_CODE=/path/to/SmallGainNash \
      python3 scripts/reference/paper_phase.py > sgn/testdata/paper-phase.json && npx prettier --write sgn/testdata/paper-phase.json
"""
import json
import pathlib
import sys
import tempfile

import numpy as np
from paper_code import floats, paper_commit, require_paper_root

ROOT = pathlib.Path(__file__).resolve().parents[2]
LAMBDAS = [0.0, 0.5, 1.0, 1.5, 2.5]  # points of the paper's linspace(0, 2.5, 61)
H_INDICES = [0, 1, 10, 57, 100, 150, 200, 250, 300, 399]  # of the 400-value h grids


def paper_modules():
    root = require_paper_root("LQ_GAMES/compute_stability.py")
    from LQ_GAMES import compute_sgn_metrics, compute_stability  # noqa: E402

    return compute_sgn_metrics, compute_stability, paper_commit(root)


def main() -> None:
    metrics_mod, stability_mod, commit = paper_modules()
    game = json.loads((ROOT / "examples" / "games" / "lq64.json").read_text())
    Q1, Q2, R = (np.array(game[k], dtype=float) for k in ("Q1", "Q2", "R"))
    a, b = float(game["a"]), float(game["b"])
    with tempfile.TemporaryDirectory() as tmp:
        t = pathlib.Path(tmp)
        np.savez_compressed(t / "game.npz", Q1=Q1, Q2=Q2, R=R, a=a, b=b)
        metrics_path = metrics_mod.compute_metrics(game_path=t / "game.npz", out_dir=t)
        full = dict(np.load(metrics_path))
        lambdas_all = full["lambdas"]
        idx = [int(np.argmin(np.abs(lambdas_all - lam))) for lam in LAMBDAS]
        few = dict(full)
        few["lambdas"] = lambdas_all[idx]
        np.savez_compressed(t / "metrics_few.npz", **few)
        stab_path = stability_mod.compute_stability_grid(
            metrics_path=t / "metrics_few.npz", game_path=t / "game.npz", out_dir=t
        )
        stab = dict(np.load(stab_path))

    rows = []
    for i, lam in enumerate(few["lambdas"]):
        for j in H_INDICES:
            rows.append(
                {
                    "lambda": float(lam),
                    "index": j,
                    "h_euler": float(stab["euler_h_grid"][j]),
                    "rho_euler": float(stab["rho_euler"][i, j]),
                    "h_rk4": float(stab["rk4_h_grid"][j]),
                    "rho_rk4": float(stab["rho_rk4"][i, j]),
                }
            )
    mono = full["gamma_euc"] >= 0.0
    out = {
        "numpy": np.__version__,
        "paperCommit": commit,
        "game": "examples/games/lq64.json",
        "lambdaGrid": floats(lambdas_all),
        "gammaEuclidean": floats(full["gamma_euc"]),
        # The shaded region of the paper's figure: [min, max] of the grid lambdas with gamma_euc >= 0.
        "monotoneRange": [float(lambdas_all[mono].min()), float(lambdas_all[mono].max())],
        "eulerStepSgn": floats(full["euler_step_sgn"]),
        "rk4StepSgn": floats(full["rk4_step_sgn"]),
        "hGrid": {
            "points": int(stab["euler_h_grid"].size),
            "eulerMax": float(stab["euler_h_grid"][-1]),
            "rk4Max": float(stab["rk4_h_grid"][-1]),
        },
        "thresholds": [
            {
                "lambda": float(lam),
                "h_stab_euler": float(stab["h_stab_euler"][i]),
                "h_stab_rk4": float(stab["h_stab_rk4"][i]),
            }
            for i, lam in enumerate(few["lambdas"])
        ],
        "rho": rows,
    }
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
