#!/usr/bin/env python3
"""The paper's LQ-64 pipeline in NumPy, as the benchmark's comparison (not used by the product).

Default: the operations of the paper's public experiment code (arXiv:2512.06791, repository
AashVed/SmallGainNash, LQ_GAMES/compute_sgn_metrics.py and compute_stability.py), re-expressed
here: for every weight ratio r (161, log-spaced) and coupling strength lambda (61) the SGN margin
from its 2 x 2 matrix, the true margin as eigvalsh(M^-1/2 (M H + H^T M)/2 M^-1/2) and beta as the
top singular value of M^1/2 H M^-1/2, with M(w) a dense diagonal matrix; the same at the nominal
(balanced) weights, which set the step-size grids; then, per lambda and method, the spectral
radius of the one-step matrix on 400 step sizes in [0, 4 x the largest SGN step] and 20 bisection
steps at the last stable one. The optimal ratio and band per lambda are read off the grid.

--lean: the same quantities computed with less work (metric scaling by broadcasting, one
eigvalsh and one 2-norm per point; thresholds from a 200-point scan that stops at the first
unstable step, then 40 bisection steps): a stricter comparison than the paper's own code.
Usage: paper_lq64.py game.json out_dir [--lean]
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

def published(Q1, Q2, R, a, b, lams, ratios):
    """The paper's published operations (see the module docstring); returns grid rows (lambda-major),
    per-lambda threshold rows and the grid and threshold times."""
    d1, d2 = Q1.shape[0], Q2.shape[0]; n = d1 + d2

    def H_of(lam):
        H = np.zeros((n, n)); H[:d1, :d1] = Q1; H[d1:, d1:] = Q2
        H[:d1, d1:] = lam * a * R; H[d1:, :d1] = lam * b * R.T
        return H

    def metric(w): return np.diag(np.concatenate([w[0] * np.ones(d1), w[1] * np.ones(d2)]))

    def margin_sgn(mu1, mu2, L12, L21, w):
        c = -(w[0] * L12 + w[1] * L21)
        C = np.array([[2.0 * w[0] * mu1, c], [c, 2.0 * w[1] * mu2]])
        Dis = np.diag(1.0 / np.sqrt(w))
        return 0.5 * float(np.linalg.eigvalsh(Dis @ C @ Dis)[0])

    def margin_true(H, M):
        dm = np.sqrt(np.diag(M)); Mis = np.diag(1.0 / dm)
        return float(np.linalg.eigvalsh(Mis @ (0.5 * (M @ H + H.T @ M)) @ Mis)[0])

    def lipschitz(H, M):
        dm = np.sqrt(np.diag(M))
        return float(np.linalg.svd(np.diag(dm) @ H @ np.diag(1.0 / dm), compute_uv=False)[0])

    def radius(T): return float(np.max(np.abs(np.linalg.eigvals(T))))

    t0 = time.perf_counter()
    mu1 = float(np.linalg.eigvalsh(Q1)[0]); mu2 = float(np.linalg.eigvalsh(Q2)[0])
    gamma = [float(np.linalg.eigvalsh(0.5 * (H_of(l) + H_of(l).T))[0]) for l in lams]
    grid = np.zeros((lams.size, ratios.size, 3))
    for j, r in enumerate(ratios):
        w = np.array([1.0, r]); M = metric(w)
        for i, lam in enumerate(lams):
            H = H_of(lam)
            grid[i, j] = (margin_sgn(mu1, mu2, lam * a, lam * b, w), margin_true(H, M), lipschitz(H, M))
    # The nominal (balanced) weights: their SGN steps bound the step-size grids.
    w = np.array([b / a, 1.0]); M = metric(w); euler_sgn = []; rk4_sgn = []
    for lam in lams:
        H = H_of(lam); al = margin_sgn(mu1, mu2, lam * a, lam * b, w); margin_true(H, M); be = lipschitz(H, M)
        euler_sgn.append(2.0 * al / be ** 2 if al > 0 and be > 0 else 0.0)
        rk4_sgn.append(2.5 / be if al > 0 and be > 0 else 0.0)
    t_grid = time.perf_counter() - t0

    t1 = time.perf_counter()
    hs = {}
    for name, sgn in (("euler", euler_sgn), ("rk4", rk4_sgn)):
        top = max(sgn) if any(x > 0 for x in sgn) else 1.0
        hs[name] = np.linspace(0.0, 4.0 * top, 400)
    thr = []
    for lam in lams:
        H = H_of(lam); row = [lam]
        for name, step in (("euler", euler_step), ("rk4", rk4_step)):
            grid_h = hs[name]
            rho = np.array([radius(step(H, h)) for h in grid_h])
            stable = rho < 1.0
            if not stable.any():
                row.append(0.0); continue
            lo = grid_h[stable].max(); above = grid_h[(~stable) & (grid_h > lo)]
            hi = above.min() if above.size else grid_h[-1]
            for _ in range(20):
                mid = 0.5 * (lo + hi)
                if radius(step(H, mid)) < 1.0: lo = mid
                else: hi = mid
            row.append(lo)
        thr.append(tuple(row))
    t_thr = time.perf_counter() - t1
    rows = [(lam, r, *grid[i, j]) for i, lam in enumerate(lams) for j, r in enumerate(ratios)]
    return rows, thr, t_grid, t_thr, gamma

def main():
    t_start = time.perf_counter()  # the benchmark's "pipeline" span: game read to CSVs written, as ours
    g = json.load(open(sys.argv[1])); out = sys.argv[2]
    lean = "--lean" in sys.argv[3:]
    os.makedirs(out, exist_ok=True)
    Q1, Q2, R = (np.array(g[k]) for k in ("Q1", "Q2", "R")); a, b = float(g["a"]), float(g["b"])
    d1 = Q1.shape[0]
    lams = np.linspace(0, 2.5, 61); ratios = np.geomspace(0.1, 1e4, 161)
    if not lean:
        grid_rows, thr, t_grid, t_thr, _ = published(Q1, Q2, R, a, b, lams, ratios)
        per_lam = []
        for i, lam in enumerate(lams):
            alphas = np.array([row[2] for row in grid_rows[i * ratios.size:(i + 1) * ratios.size]])
            k = int(np.argmax(alphas)); ok = ratios[alphas > 0]
            per_lam.append([lam, ratios[k], alphas[k], ok.min() if ok.size else float("nan"), ok.max() if ok.size else float("nan")])
        write(out, grid_rows, thr, per_lam)
        t_end = time.perf_counter()
        print(json.dumps({"grid_s": t_grid, "thresholds_s": t_thr, "total_s": t_grid + t_thr, "pipeline_s": t_end - t_start, "import_s": t_start - T_START}))
        return
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
    write(out, grid_rows, thr, per_lam)
    t_end = time.perf_counter()
    print(json.dumps({"grid_s": t_grid, "thresholds_s": t_thr, "total_s": t_grid + t_thr, "pipeline_s": t_end - t_start, "import_s": t_start - T_START}))

def write(out, grid_rows, thr, per_lam):
    np.savetxt(os.path.join(out, "paper_grid.csv"), np.array(grid_rows), delimiter=",", header="lambda,ratio,alpha_sgn,alpha_true,beta", comments="")
    np.savetxt(os.path.join(out, "paper_thresholds.csv"), np.array(thr), delimiter=",", header="lambda,h_euler,h_rk4", comments="")
    np.savetxt(os.path.join(out, "paper_band.csv"), np.array(per_lam), delimiter=",", header="lambda,opt_ratio,alpha_max,r_minus,r_plus", comments="")

if __name__ == "__main__":
    main()
