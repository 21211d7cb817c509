"""The sampled-Jacobians fixture: examples/games/sampled-2p.npz, and NumPy's bounds over it.

The game is examples/games/tanh-2p.json (F_i = Q_i x_i + sum_j A_ij tanh(x_j) + kappa x_i^3 + c_i),
sampled at the 81 points of grid:3 on the box of radius 0.5 around its equilibrium (Newton in
NumPy), exactly where `sgn certify examples/games/tanh-2p.json --sampler grid:3` samples it. The
file holds what a user's framework would write: dims, jacobians (S x d x d), points and
gradients (S x d); np.savez_compressed, so the reader's deflate path is the committed one.

Prints on stdout (stored as sgn/games/testdata/sampled-2p.json) the bounds NumPy computes over
the samples: mu_i = min_s lambda_min(sym(J_ii)), L_ij = max_s ||J_ij||_2, gamma_euc.

With a second argument, also writes the checkpoints of examples/checkpoints-sweep.yaml into that
folder: step-0100/0200/0300.npz, the same game sampled on grid:3 boxes of radius 1.5, 1.0 and 0.5
around the equilibrium (as if training closed in on it), plain np.savez.

Usage: python3 scripts/reference/sampled_jacobians.py [out.npz [checkpoints-dir]] > sgn/games/testdata/sampled-2p.json
"""
import itertools
import json
import sys

import numpy as np

Q1 = np.array([[1.0, 0.2], [0.2, 1.0]])
Q2 = np.eye(2)
A12 = np.array([[3.0, 0.0], [0.5, 2.0]])
A21 = np.array([[2.0, -0.5], [0.0, 3.0]])
KAPPA = 0.1
C = np.array([-6.0, -6.0, -6.0, -6.0])
DIMS = [2, 2]


def F(x):
    x1, x2 = x[:2], x[2:]
    f1 = Q1 @ x1 + A12 @ np.tanh(x2) + KAPPA * x1**3
    f2 = Q2 @ x2 + A21 @ np.tanh(x1) + KAPPA * x2**3
    return np.concatenate([f1, f2]) + C


def J(x):
    x1, x2 = x[:2], x[2:]
    out = np.zeros((4, 4))
    out[:2, :2] = Q1 + np.diag(3 * KAPPA * x1**2)
    out[:2, 2:] = A12 * (1 - np.tanh(x2) ** 2)  # A_12 diag(sech^2 x2): scales the columns
    out[2:, :2] = A21 * (1 - np.tanh(x1) ** 2)
    out[2:, 2:] = Q2 + np.diag(3 * KAPPA * x2**2)
    return out


def equilibrium():
    x = np.zeros(4)
    for _ in range(100):
        step = np.linalg.solve(J(x), F(x))
        x = x - step
        if np.linalg.norm(step) < 1e-15 * max(1.0, np.linalg.norm(x)):
            break
    return x


def grid(xs, r):
    return np.array([xs + r * np.array(t) for t in itertools.product([-1.0, 0.0, 1.0], repeat=4)])


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "examples/games/sampled-2p.npz"
    xs = equilibrium()
    if len(sys.argv) > 2:
        for step, r in [(100, 1.5), (200, 1.0), (300, 0.5)]:
            p = grid(xs, r)
            np.savez(f"{sys.argv[2]}/step-{step:04d}.npz", dims=np.array(DIMS), jacobians=np.stack([J(x) for x in p]), points=p)
    points = grid(xs, 0.5)
    jacobians = np.stack([J(p) for p in points])
    gradients = np.stack([F(p) for p in points])
    np.savez_compressed(out, dims=np.array(DIMS), jacobians=jacobians, points=points, gradients=gradients)
    off = [0, 2, 4]
    mu = [
        float(min(np.linalg.eigvalsh((Jm[off[i]:off[i + 1], off[i]:off[i + 1]] + Jm[off[i]:off[i + 1], off[i]:off[i + 1]].T) / 2)[0] for Jm in jacobians))
        for i in range(2)
    ]
    L = [
        [0.0 if i == j else float(max(np.linalg.norm(Jm[off[i]:off[i + 1], off[j]:off[j + 1]], 2) for Jm in jacobians)) for j in range(2)]
        for i in range(2)
    ]
    gamma = float(min(np.linalg.eigvalsh((Jm + Jm.T) / 2)[0] for Jm in jacobians))
    json.dump(
        {"equilibrium": xs.tolist(), "samples": len(points), "mu": mu, "L": L, "gammaEuclidean": gamma},
        sys.stdout,
        indent=1,
    )
    print()


if __name__ == "__main__":
    main()
