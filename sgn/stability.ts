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
  // Horner in complex arithmetic: ((((z/24 + 1/6) z + 1/2) z + 1) z + 1), unrolled (this runs
  // ~3000 times per eigenvalue: no coefficient array).
  let pr = (1 / 24) * x + 1 / 6;
  let pi = (1 / 24) * y;
  let nr = pr * x - pi * y + 1 / 2;
  let ni = pr * y + pi * x;
  pr = nr * x - ni * y + 1;
  pi = nr * y + ni * x;
  nr = pr * x - pi * y + 1;
  ni = pr * y + pi * x;
  return nr * nr + ni * ni - 1;
}

/**
 * Bound on |d/dt |P4(-t u)|^2| over t in [s, s + span], |u| = 1, given p0 = |P4(-s u)|: with
 * P4' = P4 - z^4/24, |P4'| <= |P4| + S^4/24 (S = s + span), so m = max |P4| on the interval obeys
 * m <= p0 + span (m + S^4/24), and the derivative is at most 2 m (m + S^4/24).
 */
function rk4SlopeBound(p0: number, s: number, span: number): number {
  const S = s + span;
  const q = (S * S * S * S) / 24;
  const m = (p0 + span * q) / (1 - span);
  return 2 * m * (m + q);
}

/**
 * How many grid points after s (spacing ds, no further than `room`) are certainly inside the
 * region given g(s) = -depth < 0 (g = |P4|^2 - 1). A margin of 1e-9 covers the rounding in the
 * computed g, so the scan sees exactly the grid points a point-by-point scan would find outside,
 * without evaluating the ones that cannot be.
 */
function skipNegative(s: number, depth: number, room: number, ds: number): number {
  const margin = 1e-9;
  if (!(depth > margin)) return 0;
  const p0 = Math.sqrt(Math.max(0, 1 - depth));
  // Optimistic reach from the slope bound at s alone, then a safe one from the bound over it.
  const reach = Math.min(room, 0.5, depth / rk4SlopeBound(p0, s, 0));
  const safe = Math.min(reach, (depth - margin) / rk4SlopeBound(p0, s, reach));
  return Math.max(0, Math.floor(safe / ds));
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
  while (hi <= 3) {
    const v = g(hi);
    if (!(v < 0)) break;
    // hi and the grid points skipped after it are inside: the last of them is the new lo.
    hi += skipNegative(hi, -v, 3 - hi, ds) * ds + ds;
    lo = hi - ds;
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
    // P4 has real coefficients, so a conjugate pair exits together (and Horner on conj(z) rounds
    // exactly like on z): the eigensolvers list pairs next to each other.
    if (k > 0 && b !== 0 && a === eig.re[k - 1] && b === -eig.im[k - 1]) continue;
    const mod = Math.hypot(a, b);
    h = Math.min(h, rk4ExitAlongRay(a / mod, b / mod) / mod);
  }
  return h;
}

/** Per-step contraction factor of Euler at step h in the metric: sqrt(1 - 2h alpha + h^2 beta^2). */
export function eulerFactorBound(h: number, alpha: number, beta: number): number {
  return Math.sqrt(Math.max(0, 1 - 2 * h * alpha + h * h * beta * beta));
}
