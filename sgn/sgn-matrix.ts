/** The SGN matrix S(w) and the SGN margin alpha_*(w) = lambda_min(S(w)). */
import { fromRows } from './linalg/matrix.js';
import { symmetricEigenvalues } from './linalg/eigen.js';

/**
 * Largest max(w) / min(w) the engine computes with (normaliseWeights and `sgn certify --weights`
 * refuse more): sqrt(w_i / w_j) and its inverse stay finite and non-zero in double precision.
 */
export const MAX_WEIGHT_SPREAD = 1e300;

/**
 * L * f with an absent coupling (L = 0) contributing exactly 0 whatever the weight factor f =
 * sqrt(w_i / w_j). In exact arithmetic 0 * f = 0 for every w > 0, but band searches probe ratios
 * at the edge of the double range, where f overflows to Infinity (or 1/f to Infinity when the
 * ratio underflows to 0) and 0 * Infinity = NaN: uncoupled and one-way coupled games hit this.
 */
function coupled(l: number, f: number): number {
  return l === 0 ? 0 : l * f;
}

export function sgnMatrix(
  mu: readonly number[],
  L: readonly (readonly number[])[],
  w: readonly number[],
): number[][] {
  const n = mu.length;
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) =>
      i === j
        ? mu[i]
        : -(coupled(L[i][j], Math.sqrt(w[i] / w[j])) + coupled(L[j][i], Math.sqrt(w[j] / w[i]))) / 2,
    ),
  );
}

/** lambda_min of a symmetric 2x2 [[a, b], [b, c]], in a form free of cancellation. */
export function minEig2(a: number, b: number, c: number): number {
  return (a + c) / 2 - Math.hypot((a - c) / 2, b);
}

export function sgnMargin(
  mu: readonly number[],
  L: readonly (readonly number[])[],
  w: readonly number[],
): number {
  if (mu.length === 2) {
    const off = -(coupled(L[0][1], Math.sqrt(w[0] / w[1])) + coupled(L[1][0], Math.sqrt(w[1] / w[0]))) / 2;
    return minEig2(mu[0], off, mu[1]);
  }
  return symmetricEigenvalues(fromRows(sgnMatrix(mu, L, w)))[0];
}
