/**
 * Shared helpers for the linalg tests (not a test file itself): matrices with exactly known
 * spectra, and eigenvalue matching. (Conversion to ml-matrix: ml-matrix-adapter.ts.)
 */
import { type DenseMatrix, zeros } from './matrix.js';
import type { RandomGenerator } from '../random/generator.js';
import { randomOrthogonal, randomVector } from './random-matrices.js';

export function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

export function sortedAsc(x: ArrayLike<number>): number[] {
  return Array.from(x).sort((p, q) => p - q);
}

/** a <- H a H with H = I - 2 v v^T / (v^T v): an exact orthogonal similarity, O(n^2). */
export function reflectInPlace(a: DenseMatrix, v: Float64Array): void {
  const n = a.rows;
  const d = a.data;
  let vv = 0;
  for (let i = 0; i < n; i++) vv += v[i] * v[i];
  const f = 2 / vv;
  // Left: a -= f v (v^T a)
  const u = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) u[j] += v[i] * d[i * n + j];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) d[i * n + j] -= f * v[i] * u[j];
  // Right: a -= f (a v) v^T
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += d[i * n + j] * v[j];
    for (let j = 0; j < n; j++) d[i * n + j] -= f * s * v[j];
  }
}

/** Q T Q^T with Q a product of three random reflectors: known spectrum, dense, cheap to build. */
export function orthogonallySimilar(t: DenseMatrix, rng: RandomGenerator): DenseMatrix {
  const a = { rows: t.rows, cols: t.cols, data: Float64Array.from(t.data) };
  for (let r = 0; r < 3; r++) reflectInPlace(a, randomVector(t.rows, rng));
  return a;
}

/** Symmetric matrix with the given eigenvalues (symmetrised exactly after the similarity). */
export function symmetricWithSpectrum(values: ArrayLike<number>, rng: RandomGenerator): DenseMatrix {
  const n = values.length;
  const t = zeros(n, n);
  for (let i = 0; i < n; i++) t.data[i * n + i] = values[i];
  const a = orthogonallySimilar(t, rng);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < i; j++) {
      const s = 0.5 * (a.data[i * n + j] + a.data[j * n + i]);
      a.data[i * n + j] = s;
      a.data[j * n + i] = s;
    }
  return a;
}

/**
 * Nonsymmetric n x n matrix with known eigenvalues: quasi-triangular T (2x2 blocks [[x, b], [-c, x]]
 * with eigenvalues x +- i sqrt(bc), plus 1x1 blocks) with a mild strictly upper part, then an
 * orthogonal similarity.
 */
export function generalWithSpectrum(
  n: number,
  rng: RandomGenerator,
): { a: DenseMatrix; re: Float64Array; im: Float64Array } {
  const t = zeros(n, n);
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  let i = 0;
  while (i < n) {
    const x = 4 * rng.uniform() - 2;
    if (i + 1 < n && rng.uniform() < 0.5) {
      const b = 0.5 + rng.uniform();
      const c = 0.5 + rng.uniform();
      t.data[i * n + i] = x;
      t.data[(i + 1) * n + i + 1] = x;
      t.data[i * n + i + 1] = b;
      t.data[(i + 1) * n + i] = -c;
      re[i] = re[i + 1] = x;
      im[i] = Math.sqrt(b * c);
      im[i + 1] = -Math.sqrt(b * c);
      i += 2;
    } else {
      t.data[i * n + i] = x;
      re[i] = x;
      i += 1;
    }
  }
  const coupling = 1 / Math.sqrt(n);
  for (let r = 0; r < n; r++)
    for (let c = r + 2; c < n; c++) t.data[r * n + c] = coupling * (2 * rng.uniform() - 1);
  return { a: orthogonallySimilar(t, rng), re, im };
}

/** [[I, cR], [cR^T, I]] with R orthogonal m x m: eigenvalues exactly 1 - c and 1 + c, each m-fold. */
export function twoEigenvalueMatrix(m: number, c: number, rng: RandomGenerator): DenseMatrix {
  const r = randomOrthogonal(m, rng);
  const n = 2 * m;
  const a = zeros(n, n);
  for (let i = 0; i < m; i++) {
    a.data[i * n + i] = 1;
    a.data[(i + m) * n + i + m] = 1;
    for (let j = 0; j < m; j++) {
      a.data[i * n + m + j] = c * r.data[i * m + j];
      a.data[(m + j) * n + i] = c * r.data[i * m + j];
    }
  }
  return a;
}

/**
 * Largest distance from a reference eigenvalue to its partner under greedy nearest matching
 * (each computed eigenvalue used once). Robust to ordering differences between solvers.
 */
export function eigenvalueMatchError(
  re: ArrayLike<number>,
  im: ArrayLike<number>,
  refRe: ArrayLike<number>,
  refIm: ArrayLike<number>,
): number {
  const n = refRe.length;
  if (re.length !== n) return Infinity;
  const used = new Uint8Array(n);
  let worst = 0;
  for (let i = 0; i < n; i++) {
    let bestJ = -1;
    let bestD = Infinity;
    for (let j = 0; j < n; j++) {
      if (used[j]) continue;
      const d = Math.hypot(re[j] - refRe[i], im[j] - refIm[i]);
      if (d < bestD) {
        bestD = d;
        bestJ = j;
      }
    }
    used[bestJ] = 1;
    worst = Math.max(worst, bestD);
  }
  return worst;
}

/** ||A v - lambda v||_inf for a column-stored eigenvector. */
export function eigenResidual(a: DenseMatrix, v: Float64Array, lambda: number): number {
  const n = a.rows;
  let r = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += a.data[i * n + j] * v[j];
    r = Math.max(r, Math.abs(s - lambda * v[i]));
  }
  return r;
}
