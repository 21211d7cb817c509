"""The PyTorch snippet of docs/games-and-regions.md ("Games you bring"), run on a tiny GAN.

G: z (2) -> x (2), one linear layer; D: x (2) -> 1, a 2-4-1 tanh MLP; the non-saturating losses
on one fixed batch. Writes the sampled-Jacobians file (the checkpoint and 7 points around it) and
prints, as JSON, NumPy's bounds over the file it wrote (np.load), for the test to compare with
`sgn certify` on the same file. Needs PyTorch (CPU build: pip install torch).

Usage: python3 scripts/reference/gan_jacobians.py out.npz
"""
import json
import sys

import numpy as np
import torch

torch.manual_seed(0)
G = torch.nn.Linear(2, 2)
D = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
z, real = torch.randn(64, 2), torch.randn(64, 2) + 1.0
out = sys.argv[1]

# ---- the snippet (docs/games-and-regions.md) ------------------------------------------------
from torch.func import functional_call, grad, jacrev
from torch.nn.functional import softplus

G, D, z, real = G.double(), D.double(), z.double(), real.double()          # the certificate computes in float64
pG, pD = dict(G.named_parameters()), dict(D.named_parameters())
def unflat(x, like): return {k: t.view_as(p) for (k, p), t in zip(like.items(), x.split([p.numel() for p in like.values()]))}
def losses(th, ph):                                                         # f_G (non-saturating), f_D
    fake = functional_call(G, unflat(th, pG), (z,))
    d_fake, d_real = functional_call(D, unflat(ph, pD), (fake,)), functional_call(D, unflat(ph, pD), (real,))
    return softplus(-d_fake).mean(), softplus(-d_real).mean() + softplus(d_fake).mean()
def F(x):                                                                   # the pseudo-gradient (grad_theta f_G, grad_phi f_D)
    th, ph = x[:n1], x[n1:]
    return torch.cat([grad(lambda t: losses(t, ph)[0])(th), grad(lambda p: losses(th, p)[1])(ph)])
x0 = torch.cat([p.detach().reshape(-1) for p in [*pG.values(), *pD.values()]]); n1 = sum(p.numel() for p in pG.values())
pts = torch.stack([x0] + [x0 + 0.05 * torch.randn_like(x0) for _ in range(7)])    # the checkpoint and 7 points around it
np.savez(out, dims=[n1, len(x0) - n1], jacobians=torch.stack([jacrev(F)(p) for p in pts]).numpy(),
         points=pts.numpy(), gradients=torch.stack([F(p) for p in pts]).detach().numpy())
# ---------------------------------------------------------------------------------------------

f = np.load(out)
dims, Js = [int(k) for k in f["dims"]], f["jacobians"]
off = np.concatenate([[0], np.cumsum(dims)])
blk = lambda Jm, i, j: Jm[off[i]:off[i + 1], off[j]:off[j + 1]]
mu = [float(min(np.linalg.eigvalsh((blk(Jm, i, i) + blk(Jm, i, i).T) / 2)[0] for Jm in Js)) for i in range(2)]
L = [[0.0 if i == j else float(max(np.linalg.norm(blk(Jm, i, j), 2) for Jm in Js)) for j in range(2)] for i in range(2)]
gamma = float(min(np.linalg.eigvalsh((Jm + Jm.T) / 2)[0] for Jm in Js))
# A check of jacrev itself: central differences of F at the checkpoint.
h = 1e-6
fd = torch.stack([(F(x0 + h * e) - F(x0 - h * e)) / (2 * h) for e in torch.eye(len(x0), dtype=torch.float64)], dim=1)
json.dump({"torch": torch.__version__, "dims": dims, "samples": len(Js), "mu": mu, "L": L, "gammaEuclidean": gamma,
           "finiteDifferenceError": float((fd - torch.from_numpy(Js[0])).abs().max())}, sys.stdout)
print()
