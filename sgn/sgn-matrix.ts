/** The SGN matrix S(w) and the SGN margin alpha_*(w) = lambda_min(S(w)). */
import { fromRows } from './linalg/matrix.js';
import { symmetricEigenvalues } from './linalg/symmetric-eigen.js';

export function sgnMatrix(
  mu: readonly number[],
  L: readonly (readonly number[])[],
  w: readonly number[],
): number[][] {
  const n = mu.length;
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) =>
      i === j ? mu[i] : -(L[i][j] * Math.sqrt(w[i] / w[j]) + L[j][i] * Math.sqrt(w[j] / w[i])) / 2,
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
    const off = -(L[0][1] * Math.sqrt(w[0] / w[1]) + L[1][0] * Math.sqrt(w[1] / w[0])) / 2;
    return minEig2(mu[0], off, mu[1]);
  }
  return symmetricEigenvalues(fromRows(sgnMatrix(mu, L, w)))[0];
}
