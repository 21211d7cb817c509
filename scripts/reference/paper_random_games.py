#!/usr/bin/env python3
"""Reference values for the `paper-random` generator, computed by the paper's own code
(AashVed/SmallGainNash, LQ_GAMES/), printed as JSON on stdout. Nothing is reimplemented: the
games come from random_suite.generate_random_game and the certificate numbers from
random_suite.run_random_suite (with its own build_H, sgn_margin, true_monotonicity_margin,
lipschitz_constant and approximate_rk4_stability_threshold), read back from the .npz it writes.

Needs NumPy and SGN_PAPER_CODE, the path of a checkout of the paper's repository (the folder
holding LQ_GAMES/; SGN_PAPER_COMMIT names its commit when the copy is not a git checkout). sgn/games/paper-random.test.ts runs this script when both are there and
compares with its stored copy (sgn/games/testdata/paper-random.json) always; to rewrite that:

    SGN_PAPER_CODE=/path/to/SmallGainNash \
      python3 scripts/reference/paper_random_games.py > sgn/games/testdata/paper-random.json

Per game: the block sizes, mu0, the seed, and a summary of Q1, Q2 and R (rows, diagonals, norms,
lambda_min(Q_i) as the suite takes them, ||R||_2); for the paper's seed 12345 the full matrices.
Certificates: run_random_suite(num_seeds=NUM_SEEDS) at its seven coupling strengths, balanced
weights w = (b/a, 1).
"""
import json
import pathlib
import sys
import tempfile

import numpy as np
from paper_code import floats, paper_commit, require_paper_root

NUM_SEEDS = 4  # run_random_suite's seeds 12345 + 1000 s, s < NUM_SEEDS
SUITE_GAMES = 30  # the paper's suite: num_seeds = 30
# Other shapes and mu0 (GameConfig's d_total splits as d1 = d_total // 2, d2 = d_total - d1).
VARIANTS = [
    {"d_total": 2, "mu0": 1.0, "seed": 0},
    {"d_total": 7, "mu0": 0.5, "seed": 3},
    {"d_total": 11, "mu0": 2.0, "seed": 2**32 + 5},
    {"d_total": 40, "mu0": 0.1, "seed": 999},
    {"d_total": 300, "mu0": 1.0, "seed": 77},
]


def paper_modules():
    root = require_paper_root("LQ_GAMES/random_suite.py")
    from LQ_GAMES import config, random_suite  # noqa: E402

    return config, random_suite, paper_commit(root)


def summary(Q1, Q2, R) -> dict:
    return {
        "Q1row0": floats(Q1[0]),
        "Q1diag": floats(np.diag(Q1)),
        "Q2rowLast": floats(Q2[-1]),
        "Q2diag": floats(np.diag(Q2)),
        "Rrow0": floats(R[0]),
        "RcolLast": floats(R[:, -1]),
        "Q1frob": float(np.linalg.norm(Q1)),
        "Q2frob": float(np.linalg.norm(Q2)),
        "Rfrob": float(np.linalg.norm(R)),
        "mu1": float(np.linalg.eigvalsh(Q1)[0]),
        "mu2": float(np.linalg.eigvalsh(Q2)[0]),
        "Rnorm": float(np.linalg.norm(R, 2)),
    }


def main() -> None:
    config, random_suite, commit = paper_modules()
    default = config.GAME_CONFIG
    out: dict = {
        "numpy": np.__version__,
        "paperCommit": commit,
        "defaults": {"d1": default.d1, "d2": default.d2, "mu0": default.mu0, "a": default.a, "b": default.b, "seed": default.seed},
        "games": [],
    }

    def game(cfg, seed: int):
        random_suite.GAME_CONFIG = cfg  # generate_random_game reads the module's GAME_CONFIG
        try:
            return random_suite.generate_random_game(seed)
        finally:
            random_suite.GAME_CONFIG = default

    for s in range(SUITE_GAMES):
        seed = default.seed + 1000 * s
        Q1, Q2, R = game(default, seed)
        out["games"].append({"d1": default.d1, "d2": default.d2, "mu0": default.mu0, "seed": seed, **summary(Q1, Q2, R)})
    for v in VARIANTS:
        cfg = config.GameConfig(d_total=v["d_total"], mu0=v["mu0"])
        Q1, Q2, R = game(cfg, v["seed"])
        out["games"].append({"d1": cfg.d1, "d2": cfg.d2, "mu0": cfg.mu0, "seed": v["seed"], **summary(Q1, Q2, R)})

    Q1, Q2, R = game(default, default.seed)
    out["full"] = {"seed": default.seed, "Q1": Q1.tolist(), "Q2": Q2.tolist(), "R": R.tolist()}

    with tempfile.TemporaryDirectory() as tmp:
        path = random_suite.run_random_suite(num_seeds=NUM_SEEDS, out_path=pathlib.Path(tmp) / "suite.npz")
        z = np.load(path)
        lambdas = floats(z["lambdas"])
        rows = []
        for s in range(NUM_SEEDS):
            seed = default.seed + 1000 * s
            Q1, Q2, _ = game(default, seed)
            for j, lam in enumerate(lambdas):
                beta = float(z["beta"][s, j])
                alpha = float(z["alpha_sgn"][s, j])
                rows.append(
                    {
                        "seed": seed,
                        "lam": lam,
                        # As run_random_suite takes them: lambda_min(Q_i), L12 = lam a, L21 = lam b.
                        "mu1": float(np.linalg.eigvalsh(Q1)[0]),
                        "mu2": float(np.linalg.eigvalsh(Q2)[0]),
                        "L12": lam * default.a,
                        "L21": lam * default.b,
                        "gamma_euc": float(z["gamma_euc"][s, j]),
                        "alpha_sgn": alpha,
                        "alpha_true": float(z["alpha_true"][s, j]),
                        "beta": beta,
                        "rk4_step": float(z["h_sgn_rk4"][s, j]),
                        # compute_sgn_metrics._metrics_for_weight's Euler bound at the same weights.
                        "euler_step": 2.0 * alpha / beta**2 if alpha > 0 and beta > 0 else 0.0,
                        # Largest stable point of the suite's 80-point grid on [0, 4 / beta].
                        "h_stab_rk4_grid": float(z["h_stab_rk4"][s, j]),
                        "h_grid_step": 4.0 / beta / 79,
                    }
                )
        out["certificates"] = {"weights": [default.b / default.a, 1.0], "rows": rows}
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
