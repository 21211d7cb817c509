/**
 * Exact stability thresholds of forward Euler and RK4 on x' = -H x, from the eigenvalues of
 * H alone: rho(P(-hH)) = max_k |P(-h lambda_k)| for the method's polynomial P.
 */
export interface Eigenvalues {
  readonly re: ArrayLike<number>;
  readonly im: ArrayLike<number>;
}

/** sup{h : rho(I - hH) < 1} = min_k 2 Re(lambda_k) / |lambda_k|^2 (0 if some Re <= 0). */
export function eulerThreshold(eig: Eigenvalues): number {
  let h = Infinity;
  for (let k = 0; k < eig.re.length; k++) {
    const a = eig.re[k];
    const b = eig.im[k];
    if (a <= 0) return 0;
    h = Math.min(h, (2 * a) / (a * a + b * b));
  }
  return h;
}

/** |P4(z)|^2 - 1 for z = x + iy, P4(z) = 1 + z + z^2/2 + z^3/6 + z^4/24. */
function rk4Excess(x: number, y: number): number {
  // Horner in complex arithmetic: ((((z/24 + 1/6) z + 1/2) z + 1) z + 1).
  let pr = 1 / 24;
  let pi = 0;
  for (const c of [1 / 6, 1 / 2, 1, 1]) {
    const nr = pr * x - pi * y + c;
    const ni = pr * y + pi * x;
    pr = nr;
    pi = ni;
  }
  return pr * pr + pi * pi - 1;
}

/**
 * First exit of the ray s -> -s e^{i theta} (s = h |lambda|) from the RK4 stability region,
 * for one eigenvalue direction: scan in s with a fine step, then bisect to machine precision.
 */
function rk4ExitAlongRay(cos: number, sin: number): number {
  const g = (s: number): number => rk4Excess(-s * cos, -s * sin);
  const ds = 1 / 1024;
  // The RK4 region lies within |z| < 2.9; 3 is a safe upper end for the scan.
  let lo = 0;
  let hi = ds;
  while (hi <= 3 && g(hi) < 0) {
    lo = hi;
    hi += ds;
  }
  if (lo === 0 && !(g(hi / 1e6) < 0)) return 0;
  for (let k = 0; k < 80; k++) {
    const mid = 0.5 * (lo + hi);
    if (g(mid) < 0) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** sup{h : rho(P4(-hH)) < 1}: the first h at which some eigenvalue leaves the RK4 region. */
export function rk4Threshold(eig: Eigenvalues): number {
  let h = Infinity;
  for (let k = 0; k < eig.re.length; k++) {
    const a = eig.re[k];
    const b = eig.im[k];
    if (a <= 0) return 0;
    const mod = Math.hypot(a, b);
    h = Math.min(h, rk4ExitAlongRay(a / mod, b / mod) / mod);
  }
  return h;
}

/** Per-step contraction factor of Euler at step h in the metric: sqrt(1 - 2h alpha + h^2 beta^2). */
export function eulerFactorBound(h: number, alpha: number, beta: number): number {
  return Math.sqrt(Math.max(0, 1 - 2 * h * alpha + h * h * beta * beta));
}
