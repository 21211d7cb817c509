/**
 * Largest singular value and extreme symmetric eigenvalues, each with a dense path (Householder
 * tridiagonalisation, O(n^3)) and a Lanczos path (O(n^2) per step, warm-startable), and an `auto`
 * choice by size. The thresholds are measured with `bench-kernels.ts` (see the constants below).
 *
 * Spectral norm via the Gram matrix G = A^T A (or A A^T, whichever is smaller): squaring the
 * singular values loses relative accuracy only for the SMALL ones; for the largest, the computed
 * top eigenvector v of G has an eigen-residual ~eps ||G||, and sigma = ||A v|| then has relative
 * error ~eps regardless of the gap to sigma_2. We always report sigma = ||A v||.
 */
import { type DenseMatrix, isFiniteMatrix, matvec, matvecT, symPart, zeros } from './matrix.js';
import { lanczosExtreme, type LanczosResult, type SymmetricOperator } from './lanczos.js';
import { symmetricExtremeEigenpair } from './symmetric-eigen.js';
import { simdMatrix, SYMV_MIN_N } from './simd.js';

export type KernelMethod = 'auto' | 'dense' | 'lanczos';

export interface KernelOptions {
  /** Warm start: previous (right) vector of a neighbouring problem. Used by the Lanczos path only. */
  start?: Float64Array;
  /** Lanczos relative residual tolerance (default 1e-12); the dense path is always ~eps-accurate. */
  tol?: number;
  method?: KernelMethod;
}

/**
 * `auto` without a warm start uses the dense path for n <= these sizes (n = the smaller dimension
 * for spectralNorm). Measured with bench-kernels.ts on the (shared, noisy) dev machine, seeded
 * Gaussian matrices, cold start, best of 3-7 runs:
 *   min eigenvalue  n = 192: dense 14 ms vs Lanczos 21 ms; 256: 64 vs 86; 384: 131 vs 109
 *   spectral norm   n =  64: dense 1.4 ms vs Lanczos 2.1 ms; 96: 4.8 vs 4.6; 128: 11 vs 8.8; 256: 121 vs 42
 * so the crossovers are n ~ 300 and n ~ 100. Near a crossover we prefer dense: it is ~1e-15
 * accurate and does not depend on the spectrum (Lanczos steps grow as extreme gaps shrink).
 *
 * Everywhere else (larger n, or a warm start at any n) `auto` runs Lanczos for at most
 * `lanczosBudget(n)` steps and, when that does not converge, the dense path. A warm start from a
 * neighbouring problem (sweeps along a weight ratio) typically converges in a handful of steps,
 * ~10x cheaper than dense even at n = 64; a spectrum whose extreme end is tightly clustered (the
 * smallest eigenvalues of a Gram matrix B^T B + mu I, say) needs ~n Lanczos steps, each with full
 * reorthogonalisation, i.e. several times the dense cost. Capping Lanczos bounds that case at
 * ~1.4x the dense cost, and costs nothing when Lanczos converges in time (same result, bit for bit).
 * (Measured on the LQ-64 sweep: 2 Lanczos steps per weight ratio instead of a Householder
 * reduction; on the d = 2048 random game: mu_i, whose Gram-matrix spectra cluster at the bottom,
 * fall back to dense at n = 1024 after 205 steps, gamma_euc converges in ~317 steps of a 410 cap.)
 */
export const DENSE_MAX_N_SYMMETRIC = 256;
export const DENSE_MAX_N_SPECTRAL = 128;
/** Above this size `auto` runs Lanczos uncapped, never the dense path (O(n^3) time, n^2 doubles). */
export const DENSE_FALLBACK_MAX_N = 4096;

/**
 * Lanczos steps `auto` tries before the dense path takes over. k steps with full
 * reorthogonalisation cost ~k n^2 + n k^2 multiply-adds, the dense path ~(2/3) n^3 (plus n^3/2
 * for a Gram matrix): at k = n/5 Lanczos has spent ~1/3 of the dense cost. Undefined above
 * DENSE_FALLBACK_MAX_N: no cap (and no fallback).
 */
export function lanczosBudget(n: number): number | undefined {
  return n > DENSE_FALLBACK_MAX_N ? undefined : Math.max(8, Math.ceil(n / 5));
}

function useDense(method: KernelMethod | undefined, n: number, limit: number, warm: boolean): boolean {
  if (method === 'dense') return true;
  if (method === 'lanczos') return false;
  return n <= limit && !warm;
}

function norm2(x: Float64Array): number {
  let mx = 0;
  for (let i = 0; i < x.length; i++) mx = Math.max(mx, Math.abs(x[i]));
  if (mx === 0 || !Number.isFinite(mx)) return mx;
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const t = x[i] / mx;
    s += t * t;
  }
  return mx * Math.sqrt(s);
}

function unit(n: number): Float64Array {
  const v = new Float64Array(n);
  if (n > 0) v[0] = 1;
  return v;
}

/** Lower triangle of A^T A (cols x cols), accumulated row by row so every sweep is contiguous. */
function gramAtA(a: DenseMatrix): DenseMatrix {
  const { rows, cols, data } = a;
  const g = zeros(cols, cols);
  const gd = g.data;
  for (let r = 0; r < rows; r++) {
    const off = r * cols;
    for (let i = 0; i < cols; i++) {
      const ai = data[off + i];
      if (ai === 0) continue;
      const gi = i * cols;
      for (let j = 0; j <= i; j++) gd[gi + j] += ai * data[off + j];
    }
  }
  return g;
}

/** Lower triangle of A A^T (rows x rows): dot products of contiguous rows. */
function gramAAt(a: DenseMatrix): DenseMatrix {
  const { rows, cols, data } = a;
  const g = zeros(rows, rows);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      const oi = i * cols;
      const oj = j * cols;
      for (let k = 0; k < cols; k++) s += data[oi + k] * data[oj + k];
      g.data[i * rows + j] = s;
    }
  return g;
}

/**
 * Largest singular value sigma_1(A) = ||A||_2 of a rectangular matrix, with a unit right singular
 * vector (A^T A v = sigma_1^2 v). Accuracy: dense ~1e-15 relative; Lanczos ~tol/2 relative or better.
 */
export function spectralNorm(
  a: DenseMatrix,
  opts: KernelOptions = {},
): { value: number; rightVector: Float64Array } {
  const { rows, cols } = a;
  if (!isFiniteMatrix(a)) throw new Error('spectralNorm: matrix has non-finite entries');
  if (rows === 0 || cols === 0) return { value: 0, rightVector: unit(cols) };
  const tall = rows >= cols; // work with the smaller Gram matrix
  const p = tall ? cols : rows;
  let v: Float64Array | null = null;
  if (!useDense(opts.method, p, DENSE_MAX_N_SPECTRAL, opts.start !== undefined)) {
    const tmp = new Float64Array(tall ? rows : cols);
    const sm = simdMatrix(a);
    const op: SymmetricOperator =
      sm !== null
        ? tall
          ? { n: cols, apply: (x, y) => (sm.matvec(x, tmp), sm.matvecT(tmp, y)) }
          : { n: rows, apply: (x, y) => (sm.matvecT(x, tmp), sm.matvec(tmp, y)) }
        : tall
          ? { n: cols, apply: (x, y) => void matvecT(a, matvec(a, x, tmp), y) }
          : { n: rows, apply: (x, y) => void matvec(a, matvecT(a, x, tmp), y) };
    let start: Float64Array | undefined;
    if (opts.start !== undefined) {
      if (opts.start.length !== cols)
        throw new Error(`spectralNorm: start has length ${opts.start.length}, expected ${cols}`);
      start = tall ? opts.start : matvec(a, opts.start); // A v is the matching left direction
    }
    const maxIter = opts.method === 'lanczos' ? undefined : lanczosBudget(p); // undefined: no cap
    let r: LanczosResult;
    try {
      r = lanczosExtreme(op, { which: 'max', start, tol: opts.tol, maxIter });
    } finally {
      sm?.free();
    }
    if (r.converged || maxIter === undefined) v = tall ? r.vector : matvecT(a, r.vector);
  }
  if (v === null) {
    const g = tall ? gramAtA(a) : gramAAt(a);
    const top = symmetricExtremeEigenpair(g, 'max').vector;
    v = tall ? top : matvecT(a, top);
  }
  const vn = norm2(v);
  if (!(vn > 0)) return { value: 0, rightVector: unit(cols) }; // A = 0 (or A^T u = 0 in exact terms)
  for (let i = 0; i < v.length; i++) v[i] /= vn;
  return { value: norm2(matvec(a, v)), rightVector: v };
}

function isSymmetric(a: DenseMatrix): boolean {
  const n = a.rows;
  const d = a.data;
  // 32 x 32 tiles: the transposed reads stay in cache (a plain loop strides through the matrix).
  const T = 32;
  for (let i0 = 0; i0 < n; i0 += T)
    for (let j0 = 0; j0 <= i0; j0 += T)
      for (let i = i0; i < Math.min(n, i0 + T); i++)
        for (let j = j0; j < Math.min(i, j0 + T); j++) if (d[i * n + j] !== d[j * n + i]) return false;
  return true;
}

function extremeSymmetric(
  a: DenseMatrix,
  which: 'min' | 'max',
  opts: KernelOptions,
): { value: number; vector: Float64Array } {
  if (a.rows !== a.cols)
    throw new Error(`${which}SymmetricEigenvalue: matrix must be square, got ${a.rows}x${a.cols}`);
  const n = a.rows;
  if (n === 0) throw new Error(`${which}SymmetricEigenvalue: empty matrix`);
  if (!isFiniteMatrix(a)) throw new Error(`${which}SymmetricEigenvalue: matrix has non-finite entries`);
  // Non-symmetric input is read as sym(A): the only meaning under which both paths agree.
  const s = isSymmetric(a) ? a : symPart(a);
  if (!useDense(opts.method, n, DENSE_MAX_N_SYMMETRIC, opts.start !== undefined)) {
    const sm = simdMatrix(s);
    const op: SymmetricOperator =
      sm === null
        ? { n, apply: (x, y) => void matvec(s, x, y) }
        : n >= SYMV_MIN_N
          ? { n, apply: (x, y) => sm.symv(x, y) }
          : { n, apply: (x, y) => sm.matvec(x, y) };
    const maxIter = opts.method === 'lanczos' ? undefined : lanczosBudget(n);
    let r: LanczosResult;
    try {
      r = lanczosExtreme(op, { which, start: opts.start, tol: opts.tol, maxIter });
    } finally {
      sm?.free();
    }
    if (r.converged || maxIter === undefined) return { value: r.value, vector: r.vector };
  }
  return symmetricExtremeEigenpair(s, which);
}

/** lambda_min(sym(A)) with a unit eigenvector. Dense ~eps ||A||; Lanczos ~tol ||A|| (residual-based). */
export function minSymmetricEigenvalue(
  a: DenseMatrix,
  opts: KernelOptions = {},
): { value: number; vector: Float64Array } {
  return extremeSymmetric(a, 'min', opts);
}

/** lambda_max(sym(A)) with a unit eigenvector. Dense ~eps ||A||; Lanczos ~tol ||A|| (residual-based). */
export function maxSymmetricEigenvalue(
  a: DenseMatrix,
  opts: KernelOptions = {},
): { value: number; vector: Float64Array } {
  return extremeSymmetric(a, 'max', opts);
}
