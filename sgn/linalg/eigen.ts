/**
 * Dense eigenproblems: the one way in for the rest of sgn/ (and the benchmarks). Whatever needs
 * the eigenvalues of an explicit matrix imports them from here, so that which implementation
 * serves which problem is decided, and measured, in one place.
 *
 * Both are this folder's own, on DenseMatrix:
 * - general (nonsymmetric) matrices: general-eigen.ts (balancing, Householder reduction to
 *   Hessenberg form, Francis double-shift QR; eigenvalues only);
 * - symmetric matrices: symmetric-eigen.ts (Householder tridiagonalisation, implicit QL; an
 *   extreme eigenpair by bisection and inverse iteration).
 * From n = 16 their O(n^3) loops run in WebAssembly SIMD (simd.ts, kernels/).
 *
 * Why not ml-matrix's EigenvalueDecomposition, which the certificate used for the players' gain
 * matrices: it always accumulates eigenvectors, on arrays of arrays. Measured against it on the
 * (shared, 2-core, loaded) dev machine, microseconds per call, the best of 4 processes x 30
 * windows of 20 ms, input as the call sites have it (number[][], converted per call):
 *
 *   n                       3     4     6     8    10    16    32     64
 *   general    ours       5.5   8.5    13    25    41    74   371   2060
 *              ml-matrix  5.8   7.7    19    40    78   237  1600  11600
 *   symmetric  ours       3.5   6.1    12    13    21    50   103    405
 *              ml-matrix  3.8   5.6    10    21    46   134   920   9040
 *
 * Tied within the noise up to n = 6 (a certificate's handful of players), ours faster from n = 8
 * on, ~5x and more from n = 32 (bench-kernels.ts --ml: 8.6 s against 1.9 s at n = 512). A tie is
 * no reason for a second path, so there is one. ml-matrix remains the independent reference in
 * the tests (through ml-matrix-adapter.ts) and serves the linear solves.
 *
 * Extreme eigenvalues of large matrices, dense or Lanczos by size, are spectral-norm.ts's
 * min/maxSymmetricEigenvalue; Lanczos on implicit operators with warm starts is lanczos.ts.
 */
import { generalEigenvalues } from './general-eigen.js';
import type { DenseMatrix } from './matrix.js';

export { generalEigenvalues } from './general-eigen.js';
export { symmetricEigen, symmetricEigenvalues, symmetricExtremeEigenpair } from './symmetric-eigen.js';

/** max |lambda| over the eigenvalues of a square matrix. */
export function spectralRadius(a: DenseMatrix): number {
  const { re, im } = generalEigenvalues(a);
  let r = 0;
  for (let i = 0; i < re.length; i++) r = Math.max(r, Math.hypot(re[i], im[i]));
  return r;
}
