/**
 * The SGN metric M(w) = blockdiag(w_i I) and quantities measured in it. Conjugating by
 * M^{1/2} scales block (i, j) of a Jacobian by sqrt(w_i / w_j).
 */
import { zeros, symPart, type DenseMatrix } from './linalg/matrix.js';
import { minSymmetricEigenvalue, spectralNorm } from './linalg/spectral-norm.js';
import type { Blocks } from './games/game.js';

/** M^{1/2} J M^{-1/2}. */
export function conjugateByMetric(J: DenseMatrix, blocks: Blocks, w: readonly number[]): DenseMatrix {
  const n = blocks.dim;
  const root = new Float64Array(n);
  blocks.dims.forEach((d, i) => root.fill(Math.sqrt(w[i]), blocks.offsets[i], blocks.offsets[i + 1]));
  const out = zeros(n, n);
  for (let a = 0; a < n; a++) {
    const ra = root[a];
    const off = a * n;
    for (let b = 0; b < n; b++) out.data[off + b] = (J.data[off + b] * ra) / root[b];
  }
  return out;
}

/** Warm starts carried between neighbouring weights (sweeps along a ratio axis). */
export interface MetricWarmStart {
  betaVector?: Float64Array;
  alphaTrueVector?: Float64Array;
}

/** beta(w) = max over the Jacobians of ||M^{1/2} J M^{-1/2}||_2. */
export function lipschitzInMetric(
  jacobians: readonly DenseMatrix[],
  blocks: Blocks,
  w: readonly number[],
  warm: MetricWarmStart = {},
): number {
  let beta = 0;
  for (const J of jacobians) {
    const r = spectralNorm(conjugateByMetric(J, blocks, w), { start: warm.betaVector });
    if (jacobians.length === 1) warm.betaVector = r.rightVector;
    beta = Math.max(beta, r.value);
  }
  return beta;
}

/**
 * alpha_true(w) = lambda_min(M^{-1/2} sym(M H) M^{-1/2}) = lambda_min(sym(M^{1/2} H M^{-1/2})),
 * the true strong-monotonicity modulus of a linear game in the metric M(w).
 */
export function trueMargin(
  H: DenseMatrix,
  blocks: Blocks,
  w: readonly number[],
  warm: MetricWarmStart = {},
): number {
  const r = minSymmetricEigenvalue(symPart(conjugateByMetric(H, blocks, w)), { start: warm.alphaTrueVector });
  warm.alphaTrueVector = r.vector;
  return r.value;
}
