/**
 * Spectral radii of the Euler and RK4 step matrices of a linear game x' = -H x, exactly from the
 * eigenvalues of H: the step matrix is P(-hH) for the method's polynomial P (P(z) = 1 + z for
 * Euler, 1 + z + z^2/2 + z^3/6 + z^4/24 for RK4), whose eigenvalues are P(-h lambda_k), so
 * rho(T) = max_k |P(-h lambda_k)|. One eigendecomposition of H serves every h (the paper's
 * LQ_GAMES/compute_stability.py forms T and calls eigvals for each h instead).
 */
import type { Eigenvalues } from './stability.js';

export type StepMethod = 'euler' | 'rk4';

/**
 * |P(z)|^2 for z = x + iy. Squares, not Math.hypot (several times slower in V8): overflow needs
 * |P| > 1e154, far past any step anyone runs.
 */
function stepModulus2(method: StepMethod, x: number, y: number): number {
  if (method === 'euler') return (1 + x) * (1 + x) + y * y;
  // Horner in complex arithmetic: ((((z/24 + 1/6) z + 1/2) z + 1) z + 1).
  let pr = x / 24 + 1 / 6;
  let pi = y / 24;
  let nr = pr * x - pi * y + 0.5;
  let ni = pr * y + pi * x;
  pr = nr * x - ni * y + 1;
  pi = nr * y + ni * x;
  nr = pr * x - pi * y + 1;
  ni = pr * y + pi * x;
  return nr * nr + ni * ni;
}

/** rho(P(-hH)) = max_k |P(-h lambda_k)| (1 at h = 0; 0 for an empty spectrum). */
export function stepSpectralRadius(eig: Eigenvalues, h: number, method: StepMethod): number {
  let r2 = 0;
  for (let k = 0; k < eig.re.length; k++) {
    const m2 = stepModulus2(method, -h * eig.re[k], -h * eig.im[k]);
    if (m2 > r2 || Number.isNaN(m2)) r2 = m2;
  }
  return Math.sqrt(r2);
}

/** rho at every step of `steps` for one spectrum (one row of a phase diagram). */
export function stepSpectralRadii(
  eig: Eigenvalues,
  steps: ArrayLike<number>,
  method: StepMethod,
): Float64Array {
  const out = new Float64Array(steps.length);
  for (let j = 0; j < steps.length; j++) out[j] = stepSpectralRadius(eig, steps[j], method);
  return out;
}
