#!/usr/bin/env python3
"""Reference certificate of the markov family's paper game (examples/games/markov-coordination.json)
computed by the paper's own code (AashVed/SmallGainNash, markov/: env.TabularMarkovGame,
sgn_theory.SGNCertifier.compute_local_sgn), printed as JSON on stdout.

Needs PyTorch, NumPy and SGN_PAPER_CODE, the path of a checkout of the paper's repository (the
folder holding markov/; SGN_PAPER_COMMIT names its commit when the copy is not a git checkout).
sgn/games/markov/paper-parity.test.ts runs this script when they are there and compares with its
stored copy (sgn/games/markov/testdata/paper-markov.json) always; to rewrite that:

    SGN_PAPER_CODE=/path/to/SmallGainNash \
      python3 scripts/reference/paper_markov.py > sgn/games/markov/testdata/paper-markov.json

The equilibrium: the paper's find_equilibrium (Adam on ||F||^2, stopped at ||F||^2 < 1e-10)
leaves ||F|| ~ 1e-5, which would move the certificate at that level; so its result is polished by
Newton's method on the paper's own pseudo-gradient (torch autograd through env.get_loss) to
||F|| ~ 1e-16 -- the regularised equilibrium that `sgn certify` centres its region on. Then
compute_local_sgn runs unchanged: the 2^8 vertices of the logit cube of radius 0.1, mu_i and L_ij in
the Fisher geometry of env.get_fisher's unregularised blocks, the ratio grid logspace(-2, 2, 200)
for alpha, and beta at the chosen ratio; eta_max = 2 alpha / beta^2 as markov/experiment.py forms it.
Also recorded: the same at other entropy weights tau and reward scales (MarkovConfig), and on a
cube around a point away from the equilibrium (CASES).
"""
import contextlib
import io
import json
import sys

from paper_code import paper_commit, require_paper_root

# (tau, reward_scale, centre): centre None is the equilibrium; a given centre is a logit cube away
# from it, where the policies are far from uniform (the certificate's geometry does not need x*).
CASES = [
    (1.0, 1.0, None),
    (0.5, 1.0, None),
    (2.0, 1.0, None),
    (1.0, 1.5, None),
    (1.0, 1.0, [0.9, -0.4, 0.3, 1.2, -0.8, 0.5, 0.1, -1.1]),
]


def paper_modules():
    root = require_paper_root("markov/sgn_theory.py")
    import torch  # noqa: E402
    from markov.config import MarkovConfig  # noqa: E402
    from markov.env import TabularMarkovGame  # noqa: E402
    from markov.sgn_theory import SGNCertifier  # noqa: E402

    return torch, MarkovConfig, TabularMarkovGame, SGNCertifier, paper_commit(root)


def main() -> None:
    torch, MarkovConfig, TabularMarkovGame, SGNCertifier, commit = paper_modules()
    torch.manual_seed(0)
    out = {"torch": torch.__version__, "paperCommit": commit, "cases": []}
    for tau, reward_scale, centre in CASES:
        cfg = MarkovConfig(tau=tau, reward_scale=reward_scale)
        game = TabularMarkovGame(cfg)
        cert = SGNCertifier(game)
        n_p = cfg.n_states * cfg.n_actions

        def F(theta):
            l1, l2 = game.get_loss(theta)
            g1 = torch.autograd.grad(l1, theta, create_graph=True)[0][:n_p]
            g2 = torch.autograd.grad(l2, theta, create_graph=True)[0][n_p:]
            return torch.cat([g1, g2])

        with contextlib.redirect_stdout(io.StringIO()):
            adam = cert.find_equilibrium()
        theta = adam.clone()
        for _ in range(50 if centre is None else 0):
            J = torch.autograd.functional.jacobian(lambda t: F(t), theta)
            f = F(theta.clone().requires_grad_(True)).detach()
            # J is singular along the per-state constant shifts: the minimum-norm Newton step.
            step = torch.linalg.lstsq(J, f.unsqueeze(1), rcond=1e-12).solution.squeeze(1)
            theta = (theta - step).detach()
            if float(torch.linalg.norm(step)) < 1e-15:
                break
        if centre is not None:
            theta = torch.tensor(centre, dtype=game.dtype)
        residual = float(torch.linalg.norm(F(theta.clone().requires_grad_(True))).detach())
        adam_residual = float(torch.linalg.norm(F(adam.clone().requires_grad_(True))).detach())
        with contextlib.redirect_stdout(io.StringIO()):
            sgn = cert.compute_local_sgn(theta)
        alpha, beta = float(sgn["alpha"]), float(sgn["beta"])
        out["cases"].append(
            {
                "tau": tau,
                "rewardScale": reward_scale,
                "atEquilibrium": centre is None,
                "gamma": cfg.gamma,
                "theta": [float(x) for x in theta],
                "residual": residual,
                "adamResidual": adam_residual,
                "gridRadius": cfg.grid_radius,
                "mu": [float(m) for m in sgn["mu"]],
                "L": [float(x) for x in sgn["L"]],
                "alpha": alpha,
                "ratio": float(sgn["best_r"]),
                "beta": beta,
                "etaMax": 2 * alpha / beta**2 if alpha > 0 else 0.0,
            }
        )
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
