#!/usr/bin/env python3
"""The paper's LQ-64 pipeline in NumPy, as the benchmark's comparison (not used by the product).

Follows the structure of the paper's public experiment code (arXiv:2512.06791): for every
coupling strength lambda it evaluates the SGN margin, the true margin and beta on a grid of
161 log-spaced weight ratios (dense eigvalsh / norm per point), picks the optimal ratio and
band from the grid, and finds the Euler and RK4 stability thresholds by scanning step-matrix
spectral radii over a grid of step sizes and bisecting.
Usage: paper_lq64.py game.json out_dir
"""
import json, math, os, sys, time
T_START = time.perf_counter()  # for the benchmark's report: numpy import + game read, before the timed phases
import numpy as np

def sym(A): return 0.5 * (A + A.T)

def rho(M): return np.max(np.abs(np.linalg.eigvals(M)))

def threshold(H, step, h_max=4.0, grid=200, bisect=40):
    hs = np.linspace(h_max / grid, h_max, grid)
    lo, hi = 0.0, None
    for h in hs:
        if rho(step(H, h)) < 1: lo = h
        else: hi = h; break
    if hi is None: return lo
    for _ in range(bisect):
        mid = 0.5 * (lo + hi)
        if rho(step(H, mid)) < 1: lo = mid
        else: hi = mid
    return lo

def euler_step(H, h): return np.eye(H.shape[0]) - h * H

def rk4_step(H, h):
    Z = -h * H; I = np.eye(H.shape[0]); Z2 = Z @ Z; Z3 = Z2 @ Z
    return I + Z + Z2 / 2 + Z3 / 6 + Z3 @ Z / 24

def main():
    t_start = time.perf_counter()  # the benchmark's "pipeline" span: game read to CSVs written, as ours
    g = json.load(open(sys.argv[1])); out = sys.argv[2]
    os.makedirs(out, exist_ok=True)
    Q1, Q2, R = (np.array(g[k]) for k in ("Q1", "Q2", "R")); a, b = float(g["a"]), float(g["b"])
    d1 = Q1.shape[0]
    lams = np.linspace(0, 2.5, 61); ratios = np.geomspace(0.1, 1e4, 161)
    t0 = time.perf_counter(); grid_rows = []; per_lam = []
    for lam in lams:
        H = np.block([[Q1, lam * a * R], [lam * b * R.T, Q2]])
        mu1 = np.linalg.eigvalsh(sym(Q1))[0]; mu2 = np.linalg.eigvalsh(sym(Q2))[0]
        L12 = np.linalg.norm(lam * a * R, 2); L21 = np.linalg.norm(lam * b * R.T, 2)
        alphas = []
        for r in ratios:
            w1, w2 = 1.0, r
            off = -0.5 * (L12 * math.sqrt(w1 / w2) + L21 * math.sqrt(w2 / w1))
            alpha = np.linalg.eigvalsh(np.array([[mu1, off], [off, mu2]]))[0]
            s = np.sqrt(np.concatenate([np.full(d1, w1), np.full(H.shape[0] - d1, w2)]))
            C = s[:, None] * H / s[None, :]   # M^1/2 H M^-1/2 by broadcasting (no dense diag products)
            alpha_true = np.linalg.eigvalsh(sym(C))[0]
            beta = np.linalg.norm(C, 2)
            alphas.append(alpha); grid_rows.append((lam, r, alpha, alpha_true, beta))
        alphas = np.array(alphas); k = int(np.argmax(alphas)); ok = ratios[alphas > 0]
        per_lam.append([lam, ratios[k], alphas[k], ok.min() if ok.size else float("nan"), ok.max() if ok.size else float("nan")])
    t_grid = time.perf_counter() - t0
    t1 = time.perf_counter(); thr = []
    for lam in lams:
        H = np.block([[Q1, lam * a * R], [lam * b * R.T, Q2]])
        thr.append((lam, threshold(H, euler_step), threshold(H, rk4_step)))
    t_thr = time.perf_counter() - t1
    np.savetxt(os.path.join(out, "paper_grid.csv"), np.array(grid_rows), delimiter=",", header="lambda,ratio,alpha_sgn,alpha_true,beta", comments="")
    np.savetxt(os.path.join(out, "paper_thresholds.csv"), np.array(thr), delimiter=",", header="lambda,h_euler,h_rk4", comments="")
    np.savetxt(os.path.join(out, "paper_band.csv"), np.array(per_lam), delimiter=",", header="lambda,opt_ratio,alpha_max,r_minus,r_plus", comments="")
    t_end = time.perf_counter()
    print(json.dumps({"grid_s": t_grid, "thresholds_s": t_thr, "total_s": t_grid + t_thr, "pipeline_s": t_end - t_start, "import_s": t_start - T_START}))

if __name__ == "__main__":
    main()
