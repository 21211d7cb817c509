/** Block bounds mu_i, L_ij and the Euclidean margin, from Jacobians evaluated on a region. */
import { block, symPart, type DenseMatrix } from './linalg/matrix.js';
import { minSymmetricEigenvalue, spectralNorm } from './linalg/spectral-norm.js';
import type { Blocks } from './games/blocks.js';

export interface BlockBounds {
  /** mu_i = min over the samples of lambda_min(sym(J_ii)). */
  readonly mu: number[];
  /** L[i][j] = max over the samples of ||J_ij||_2 (i != j); L[i][i] = 0. */
  readonly L: number[][];
  /** gamma_euc = min over the samples of lambda_min(sym(J)). */
  readonly gammaEuclidean: number;
  /** A unit eigenvector of sym(J) for gamma_euc (J the minimising sample). */
  readonly gammaVector: Float64Array;
}

/**
 * Bounds over one or more Jacobians (one for a linear game, one per sample point otherwise).
 * `known`: mu and L already known for the (single) Jacobian; only gamma_euc is computed.
 */
export function blockBounds(
  blocks: Blocks,
  jacobians: Iterable<DenseMatrix>,
  known?: { readonly mu: readonly number[]; readonly L: readonly (readonly number[])[] },
): BlockBounds {
  const n = blocks.dims.length;
  const { offsets } = blocks;
  const mu = new Array<number>(n).fill(Infinity);
  const L = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  let gammaEuclidean = Infinity;
  let gammaVector: Float64Array = new Float64Array(blocks.dim);
  let count = 0;
  for (const J of jacobians) {
    count++;
    if (known) {
      if (count > 1) throw new Error('blockBounds: known bounds hold for one Jacobian only');
      for (let i = 0; i < n; i++) {
        mu[i] = known.mu[i];
        for (let j = 0; j < n; j++) L[i][j] = i === j ? 0 : known.L[i][j];
      }
    }
    for (let i = 0; i < n && !known; i++) {
      const own = symPart(block(J, offsets[i], offsets[i + 1], offsets[i], offsets[i + 1]));
      mu[i] = Math.min(mu[i], minSymmetricEigenvalue(own).value);
      for (let j = 0; j < n; j++) {
        if (i === j) continue;
        const cross = block(J, offsets[i], offsets[i + 1], offsets[j], offsets[j + 1]);
        L[i][j] = Math.max(L[i][j], spectralNorm(cross).value);
      }
    }
    const g = minSymmetricEigenvalue(symPart(J));
    if (count === 1 || g.value < gammaEuclidean) {
      gammaEuclidean = g.value;
      gammaVector = g.vector;
    }
  }
  if (count === 0) throw new Error('blockBounds needs at least one Jacobian');
  return { mu, L, gammaEuclidean, gammaVector };
}
