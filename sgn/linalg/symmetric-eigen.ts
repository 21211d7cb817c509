/**
 * Dense symmetric eigensolver on Float64Array: Householder tridiagonalisation followed by the
 * implicit-shift QL algorithm (EISPACK tql1/tql2, as in JAMA), plus the tridiagonal tools the
 * Lanczos solver reuses (Sturm bisection for one extreme eigenvalue, inverse iteration for its
 * eigenvector).
 *
 * Convention: only the LOWER triangle (entries (i, j) with i >= j) of the input is read; the strict
 * upper triangle is ignored. Pass an exactly symmetric matrix (e.g. `symPart(A)`) and this is moot.
 *
 * Accuracy: both stages are backward stable, so every eigenvalue is accurate to a small multiple of
 * eps * ||A||_2 in absolute terms (the QL deflation test is relative to ||T||, not to each entry).
 */
import { type DenseMatrix, isFiniteMatrix, zeros } from './matrix.js';
import { simdTridiagonalWork, type SimdTridiagonalWork } from './simd.js';

const EPS = 2 ** -52;
/** Smallest pivot used in Sturm counts / inverse iteration when the scale itself is zero. */
const SAFE_MIN = 1e-290;

/** sqrt(a^2 + b^2) without overflow, avoiding Math.hypot's generic variadic path in the QL loop. */
function hypot(a: number, b: number): number {
  const aa = Math.abs(a);
  const bb = Math.abs(b);
  if (aa > bb) {
    const r = bb / aa;
    return aa * Math.sqrt(1 + r * r);
  }
  if (bb === 0) return 0;
  const r = aa / bb;
  return bb * Math.sqrt(1 + r * r);
}

function assertSquare(a: DenseMatrix, what: string): void {
  if (a.rows !== a.cols) throw new Error(`${what}: matrix must be square, got ${a.rows}x${a.cols}`);
  // NaN/Inf would otherwise surface as a baffling QL non-convergence or a garbage bisection.
  if (!isFiniteMatrix(a)) throw new Error(`${what}: matrix has non-finite entries`);
}

/**
 * Result of `tridiagonalize`. T = Q^T A Q with diagonal `d` and off-diagonal `e` (e[i] couples
 * i and i+1; e[n-1] = 0). Q = H_0 H_1 ... H_{n-3}, H_k = I - tau_k v_k v_k^T where v_k is zero
 * before index k+1, v_k[k+1] = 1, and v_k[k+2..] is stored in row k of `work` (its strict upper
 * triangle, which the lower-triangle algorithm never uses).
 */
export interface Tridiagonal {
  readonly n: number;
  readonly d: Float64Array;
  readonly e: Float64Array;
  readonly work: Float64Array;
  readonly tau: Float64Array;
}

/**
 * The one sweep per tridiagonalisation step over rows k1..n-1 of the trailing lower triangle:
 * apply the pending rank-2 update (vp, wp) and/or accumulate p += A22 v. Split out of
 * `tridiagonalize` so that V8 optimises this hot loop within the first call.
 */
function trailingSweep(
  w: Float64Array,
  n: number,
  k1: number,
  pending: boolean,
  product: boolean,
  vp: Float64Array,
  wp: Float64Array,
  v: Float64Array,
  p: Float64Array,
): void {
  for (let i = k1; i < n; i++) {
    const row = i * n;
    if (pending && product) {
      const vpi = vp[i];
      const wpi = wp[i];
      const vi = v[i];
      let s = 0;
      for (let j = k1; j < i; j++) {
        const aij = w[row + j] - (vpi * wp[j] + wpi * vp[j]);
        w[row + j] = aij;
        s += aij * v[j];
        p[j] += aij * vi;
      }
      const aii = w[row + i] - 2 * vpi * wpi;
      w[row + i] = aii;
      p[i] += s + aii * vi;
    } else if (pending) {
      const vpi = vp[i];
      const wpi = wp[i];
      for (let j = k1; j <= i; j++) w[row + j] -= vpi * wp[j] + wpi * vp[j];
    } else if (product) {
      const vi = v[i];
      let s = 0;
      for (let j = k1; j < i; j++) {
        const aij = w[row + j];
        s += aij * v[j];
        p[j] += aij * vi;
      }
      p[i] += s + w[row + i] * vi;
    }
  }
}

/**
 * Householder reduction to tridiagonal form, reading and updating only the lower triangle so that
 * every inner loop is a contiguous row sweep (row-major storage): ~(4/3) n^3 flops.
 *
 * Memory traffic, not arithmetic, limits this in JS for n >~ 500, so the rank-2 update of step k is
 * fused with the matrix-vector product of step k+1: one sweep over the trailing triangle per step
 * instead of two (measured ~1.4x faster at n = 768).
 */
export function tridiagonalize(a: DenseMatrix): Tridiagonal {
  assertSquare(a, 'tridiagonalize');
  // The sweeps (all the O(n^3) work) run in WebAssembly SIMD when available, ~5x faster.
  const simd = simdTridiagonalWork(a);
  try {
    return reduce(a, simd);
  } finally {
    simd?.free();
  }
}

function reduce(a: DenseMatrix, simd: SimdTridiagonalWork | null): Tridiagonal {
  const n = a.rows;
  const w = simd !== null ? simd.w : Float64Array.from(a.data);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const tau = new Float64Array(Math.max(n, 1));
  // (v, p): reflector and matvec of the current step; (vp, wp): the pending rank-2 update. They
  // swap roles every step: iv, ip, ivp, iwp index `vectors`.
  const vectors =
    simd !== null
      ? simd.vectors
      : [new Float64Array(n), new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  let iv = 0;
  let ip = 1;
  let ivp = 2;
  let iwp = 3;
  let pending = false;
  for (let k = 0; k < n - 2; k++) {
    const v = vectors[iv];
    const p = vectors[ip];
    const vp = vectors[ivp];
    const wp = vectors[iwp];
    const k1 = k + 1;
    if (pending) {
      // Bring column k (rows >= k) up to date; the rest of the trailing block is done in the sweep.
      const vk = vp[k];
      const wk = wp[k];
      for (let i = k; i < n; i++) w[i * n + k] -= vp[i] * wk + wp[i] * vk;
    }
    d[k] = w[k * n + k];
    // Scale the column first so squaring cannot overflow or underflow.
    let scale = 0;
    for (let i = k1; i < n; i++) scale = Math.max(scale, Math.abs(w[i * n + k]));
    const alpha = w[k1 * n + k];
    let sigma = 0;
    if (scale > 0)
      for (let i = k1 + 1; i < n; i++) {
        const x = w[i * n + k] / scale;
        sigma += x * x;
      }
    let t = 0;
    if (sigma === 0) {
      e[k] = alpha; // column already reduced: H_k = I
    } else {
      const as = alpha / scale;
      const norm = scale * Math.sqrt(as * as + sigma);
      const beta = alpha >= 0 ? -norm : norm; // sign choice avoids cancellation in alpha - beta
      t = (beta - alpha) / beta;
      const denom = alpha - beta;
      v[k1] = 1;
      for (let i = k1 + 1; i < n; i++) v[i] = w[i * n + k] / denom;
      e[k] = beta;
      // Keep v_k (entries k+2..n-1; v_k[k+1] = 1 is implicit) in the unused upper part of row k.
      for (let i = k1 + 1; i < n; i++) w[k * n + i] = v[i];
    }
    tau[k] = t;
    // One sweep over the trailing lower triangle: apply the pending update, accumulate p = A22 v.
    if (t !== 0) p.fill(0, k1, n);
    if (simd !== null) simd.sweep(k1, pending, t !== 0, ivp, iwp, iv, ip);
    else trailingSweep(w, n, k1, pending, t !== 0, vp, wp, v, p);
    if (t !== 0) {
      // w = p - (tau/2)(p.v) v with p = tau A22 v; the update A22 -= v w^T + w v^T is deferred.
      let pv = 0;
      for (let i = k1; i < n; i++) {
        p[i] *= t;
        pv += p[i] * v[i];
      }
      const kk = 0.5 * t * pv;
      for (let i = k1; i < n; i++) p[i] -= kk * v[i];
      [ivp, iv] = [iv, ivp];
      [iwp, ip] = [ip, iwp];
      pending = true;
    } else {
      pending = false;
    }
  }
  if (pending) {
    // Last deferred update touches only the trailing 2x2 block.
    const vp = vectors[ivp];
    const wp = vectors[iwp];
    for (let i = n - 2; i < n; i++)
      for (let j = n - 2; j <= i; j++) w[i * n + j] -= vp[i] * wp[j] + wp[i] * vp[j];
  }
  if (n >= 2) {
    d[n - 2] = w[(n - 2) * n + n - 2];
    e[n - 2] = w[(n - 1) * n + n - 2];
  }
  if (n >= 1) {
    d[n - 1] = w[(n - 1) * n + n - 1];
    e[n - 1] = 0;
  }
  // The SIMD work space is freed by the caller: keep a copy of the reflectors.
  return { n, d, e, work: simd !== null ? w.slice() : w, tau };
}

/** x <- Q x in place (maps an eigenvector of T to one of A). O(n^2). */
export function applyTridiagonalQ(t: Tridiagonal, x: Float64Array): void {
  const { n, work, tau } = t;
  for (let k = n - 3; k >= 0; k--) {
    const tk = tau[k];
    if (tk === 0) continue;
    const row = k * n;
    let s = x[k + 1];
    for (let i = k + 2; i < n; i++) s += work[row + i] * x[i];
    s *= tk;
    x[k + 1] -= s;
    for (let i = k + 2; i < n; i++) x[i] -= s * work[row + i];
  }
}

/** Explicit Q (row-major) by backward accumulation, each step a contiguous row operation. */
function formQ(t: Tridiagonal): Float64Array {
  const { n, work, tau } = t;
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  const u = new Float64Array(n);
  for (let k = n - 3; k >= 0; k--) {
    const tk = tau[k];
    if (tk === 0) continue;
    const k1 = k + 1;
    const row = k * n;
    // u = v^T Q[k1:, k1:]
    u.fill(0, k1, n);
    for (let i = k1; i < n; i++) {
      const vi = i === k1 ? 1 : work[row + i];
      if (vi === 0) continue;
      const qi = i * n;
      for (let j = k1; j < n; j++) u[j] += vi * q[qi + j];
    }
    for (let i = k1; i < n; i++) {
      const vi = (i === k1 ? 1 : work[row + i]) * tk;
      if (vi === 0) continue;
      const qi = i * n;
      for (let j = k1; j < n; j++) q[qi + j] -= vi * u[j];
    }
  }
  return q;
}

/**
 * Implicit QL on a symmetric tridiagonal matrix (d, e with e[i] coupling i and i+1, e[n-1] = 0),
 * in place; d ends unsorted. When `vt` is given, its ROWS are rotated (rows of V^T = columns of V,
 * contiguous in row-major storage), so eigenvector i ends as row i of `vt`.
 */
function tql(d: Float64Array, e: Float64Array, n: number, vt: Float64Array | null): void {
  if (n <= 1) return;
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const maxIter = 60;
  for (let l = 0; l < n; l++) {
    // Deflation test relative to the running norm estimate tst1: absolute accuracy eps*||T||.
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]) <= EPS * tst1) break;
      m++;
    }
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > maxIter) throw new Error('tql: QL iteration did not converge');
        // Wilkinson-like implicit shift from the leading 2x2 block.
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          if (vt !== null) {
            const ri = i * n;
            const ri1 = ri + n;
            for (let k = 0; k < n; k++) {
              const hk = vt[ri1 + k];
              const vk = vt[ri + k];
              vt[ri1 + k] = s * vk + c * hk;
              vt[ri + k] = c * vk - s * hk;
            }
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > EPS * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
}

/**
 * All eigenvalues, ascending, of the symmetric tridiagonal matrix with diagonal `diag` (length n)
 * and off-diagonal `offdiag` (length >= n-1; entry i couples i and i+1; extra entries ignored).
 */
export function tridiagonalEigenvalues(diag: ArrayLike<number>, offdiag: ArrayLike<number>): Float64Array {
  const n = diag.length;
  if (offdiag.length < n - 1) throw new Error('tridiagonalEigenvalues: offdiag must have length n-1');
  const d = Float64Array.from(diag);
  const e = new Float64Array(n);
  for (let i = 0; i < n - 1; i++) e[i] = offdiag[i];
  tql(d, e, n, null);
  return d.sort();
}

/** Eigenvalues of symmetric A (lower triangle read), ascending. ~(4/3) n^3 flops. */
export function symmetricEigenvalues(a: DenseMatrix): Float64Array {
  assertSquare(a, 'symmetricEigenvalues');
  const t = tridiagonalize(a);
  const d = Float64Array.from(t.d);
  const e = Float64Array.from(t.e);
  tql(d, e, t.n, null);
  return d.sort();
}

/**
 * Full eigendecomposition of symmetric A (lower triangle read): values ascending, `vectors` has the
 * matching orthonormal eigenvectors as COLUMNS (A V = V diag(values)).
 */
export function symmetricEigen(a: DenseMatrix): { values: Float64Array; vectors: DenseMatrix } {
  assertSquare(a, 'symmetricEigen');
  const t = tridiagonalize(a);
  const n = t.n;
  const d = Float64Array.from(t.d);
  const e = Float64Array.from(t.e);
  // QL rotates columns of Q; work on Q^T so that the rotations touch contiguous rows.
  const q = formQ(t);
  const vt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vt[j * n + i] = q[i * n + j];
  tql(d, e, n, vt);
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => d[x] - d[y]);
  const values = new Float64Array(n);
  const vectors = zeros(n, n);
  for (let c = 0; c < n; c++) {
    const src = order[c];
    values[c] = d[src];
    const off = src * n;
    for (let r = 0; r < n; r++) vectors.data[r * n + c] = vt[off + r];
  }
  return { values, vectors };
}

/** Number of eigenvalues of T strictly less than x (Sturm sequence via LDL^T pivots). */
function sturmCount(
  d: ArrayLike<number>,
  e: ArrayLike<number>,
  n: number,
  x: number,
  pivmin: number,
): number {
  let count = 0;
  let q = d[0] - x;
  if (Math.abs(q) < pivmin) q = -pivmin;
  if (q < 0) count++;
  for (let i = 1; i < n; i++) {
    const ei = e[i - 1];
    q = d[i] - x - (ei * ei) / q;
    if (Math.abs(q) < pivmin) q = -pivmin;
    if (q < 0) count++;
  }
  return count;
}

/** Bisection bracket [lo, hi] (width ~2 eps ||T||) around the smallest or largest eigenvalue. */
function bisectExtreme(
  d: ArrayLike<number>,
  e: ArrayLike<number>,
  n: number,
  which: 'min' | 'max',
): { lo: number; hi: number; slack: number } {
  // Gershgorin interval (inline: returned as an object, its fields took small-integer form on
  // the first, integer-valued matrices and changed form later, which discarded optimised code).
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const r = (i > 0 ? Math.abs(e[i - 1]) : 0) + (i < n - 1 ? Math.abs(e[i]) : 0);
    lo = Math.min(lo, d[i] - r);
    hi = Math.max(hi, d[i] + r);
  }
  const tnorm = Math.max(Math.abs(lo), Math.abs(hi));
  const pivmin = Math.max(SAFE_MIN, EPS * EPS * tnorm);
  const abstol = 2 * EPS * tnorm;
  // Widen slightly so the endpoints are strict bounds despite rounding in the Gershgorin sums.
  const pad = 4 * EPS * tnorm + pivmin;
  lo -= pad;
  hi += pad;
  const target = which === 'min' ? 1 : n; // smallest x with count(x) >= target brackets lambda_target
  for (let it = 0; it < 2000 && hi - lo > abstol; it++) {
    const mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    if (sturmCount(d, e, n, mid, pivmin) >= target) hi = mid;
    else lo = mid;
  }
  // The Sturm count itself is only exact up to ~eps ||T||, hence the slack for callers.
  return { lo, hi, slack: abstol + pivmin };
}

/**
 * The smallest ('min') or largest ('max') eigenvalue of the symmetric tridiagonal (d, e), e[i]
 * coupling i and i+1, by Sturm bisection to absolute accuracy ~2 eps ||T||. O(60 n).
 */
export function tridiagonalExtremeEigenvalue(
  d: ArrayLike<number>,
  e: ArrayLike<number>,
  n: number,
  which: 'min' | 'max',
): number {
  if (n === 0) throw new Error('tridiagonalExtremeEigenvalue: empty matrix');
  if (n === 1) return d[0];
  const { lo, hi } = bisectExtreme(d, e, n, which);
  return 0.5 * (lo + hi);
}

/**
 * Extreme eigenpair of the symmetric tridiagonal (d, e): bisection, inverse iteration, then the
 * Rayleigh quotient s^T T s / s^T s clamped to the (slightly widened) bisection bracket. The quotient is never worse than the
 * bracket and is exact for decoupled (diagonal) blocks, where a bracket midpoint would be off by ulps.
 */
export function tridiagonalExtremeEigenpair(
  d: ArrayLike<number>,
  e: ArrayLike<number>,
  n: number,
  which: 'min' | 'max',
  work?: TridiagonalWork,
): { value: number; vector: Float64Array } {
  if (n === 0) throw new Error('tridiagonalExtremeEigenpair: empty matrix');
  if (n === 1) {
    if (work === undefined) return { value: d[0], vector: Float64Array.of(1) };
    work.x[0] = 1;
    return { value: d[0], vector: work.x };
  }
  const { lo, hi, slack } = bisectExtreme(d, e, n, which);
  const vector = tridiagonalEigenvector(d, e, n, 0.5 * (lo + hi), work);
  // Divide by s^T s rather than trusting the normalisation: exact for decoupled blocks.
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const si2 = vector[i] * vector[i];
    num += d[i] * si2;
    den += si2;
  }
  for (let i = 0; i < n - 1; i++) num += 2 * e[i] * vector[i] * vector[i + 1];
  const rq = num / den;
  return { value: Math.min(hi + slack, Math.max(lo - slack, rq)), vector };
}

/**
 * Scratch for tridiagonalEigenvector / tridiagonalExtremeEigenpair (capacity >= n), for callers
 * that solve many small tridiagonal problems (Lanczos, once per step): the eigenvector is then
 * returned in `x`, valid until the next call with the same scratch.
 */
export interface TridiagonalWork {
  readonly x: Float64Array;
  readonly u0: Float64Array;
  readonly u1: Float64Array;
  readonly u2: Float64Array;
  readonly l: Float64Array;
  readonly swap: Uint8Array;
}

export function tridiagonalWork(capacity: number): TridiagonalWork {
  return {
    x: new Float64Array(capacity),
    u0: new Float64Array(capacity),
    u1: new Float64Array(capacity),
    u2: new Float64Array(capacity),
    l: new Float64Array(capacity),
    swap: new Uint8Array(capacity),
  };
}

/**
 * Unit eigenvector of the symmetric tridiagonal (d, e) for the (accurate) eigenvalue `lambda`,
 * by inverse iteration with a partially pivoted LU of T - lambda I (LAPACK dlagtf/dstein style).
 * Tiny pivots are replaced by eps ||T||, which is what makes the near-singular solve useful.
 * Deterministic start vector. O(n).
 */
export function tridiagonalEigenvector(
  d: ArrayLike<number>,
  e: ArrayLike<number>,
  n: number,
  lambda: number,
  work?: TridiagonalWork,
): Float64Array {
  const x = work ? work.x : new Float64Array(n);
  if (n === 1) {
    x[0] = 1;
    return x;
  }
  let tnorm = 0;
  for (let i = 0; i < n; i++)
    tnorm = Math.max(
      tnorm,
      Math.abs(d[i]) + (i > 0 ? Math.abs(e[i - 1]) : 0) + (i < n - 1 ? Math.abs(e[i]) : 0),
    );
  const pivmin = Math.max(SAFE_MIN, EPS * tnorm);
  // U rows: u0 (diagonal), u1, u2 (two superdiagonals from row swaps); multipliers l; swap flags.
  const u0 = work ? work.u0 : new Float64Array(n);
  const u1 = work ? work.u1 : new Float64Array(n);
  const u2 = work ? work.u2 : new Float64Array(n);
  const l = work ? work.l : new Float64Array(n);
  const swap = work ? work.swap : new Uint8Array(n);
  let c0 = d[0] - lambda;
  let c1 = e[0];
  for (let i = 0; i < n - 1; i++) {
    const ei = e[i];
    const a1 = d[i + 1] - lambda;
    const e1 = i + 1 < n - 1 ? e[i + 1] : 0;
    if (Math.abs(c0) >= Math.abs(ei)) {
      if (Math.abs(c0) < pivmin) c0 = c0 < 0 ? -pivmin : pivmin;
      const m = ei / c0;
      u0[i] = c0;
      u1[i] = c1;
      u2[i] = 0;
      l[i] = m;
      swap[i] = 0;
      c0 = a1 - m * c1;
      c1 = e1;
    } else {
      const m = c0 / ei;
      u0[i] = ei;
      u1[i] = a1;
      u2[i] = e1;
      l[i] = m;
      swap[i] = 1;
      c0 = c1 - m * a1;
      c1 = -m * e1;
    }
  }
  if (Math.abs(c0) < pivmin) c0 = c0 < 0 ? -pivmin : pivmin;
  u0[n - 1] = c0;
  // Deterministic, non-symmetric start so that no eigenvector is exactly orthogonal to it by symmetry.
  for (let i = 0; i < n; i++) x[i] = 1 + 0.37 * Math.sin(1.7 * i + 0.3);
  for (let it = 0; it < 3; it++) {
    // Forward: apply the row operations (swaps and eliminations) to the right-hand side.
    for (let i = 0; i < n - 1; i++) {
      if (swap[i]) {
        const tmp = x[i];
        x[i] = x[i + 1];
        x[i + 1] = tmp - l[i] * x[i];
      } else {
        x[i + 1] -= l[i] * x[i];
      }
    }
    // Back substitution with U.
    x[n - 1] /= u0[n - 1];
    x[n - 2] = (x[n - 2] - u1[n - 2] * x[n - 1]) / u0[n - 2];
    for (let i = n - 3; i >= 0; i--) x[i] = (x[i] - u1[i] * x[i + 1] - u2[i] * x[i + 2]) / u0[i];
    let nrm = 0;
    let mx = 0;
    for (let i = 0; i < n; i++) mx = Math.max(mx, Math.abs(x[i]));
    for (let i = 0; i < n; i++) {
      x[i] /= mx; // rescale first: entries can be ~1/pivmin
      nrm += x[i] * x[i];
    }
    nrm = Math.sqrt(nrm);
    for (let i = 0; i < n; i++) x[i] /= nrm;
  }
  return x;
}

/**
 * Extreme eigenpair of dense symmetric A (lower triangle read): tridiagonalise, bisect for the
 * eigenvalue, inverse-iterate on T (Rayleigh-quotient polish), back-transform. ~(4/3) n^3 flops, no O(n^3) vector work.
 */
export function symmetricExtremeEigenpair(
  a: DenseMatrix,
  which: 'min' | 'max',
): { value: number; vector: Float64Array } {
  assertSquare(a, 'symmetricExtremeEigenpair');
  const n = a.rows;
  if (n === 0) throw new Error('symmetricExtremeEigenpair: empty matrix');
  const t = tridiagonalize(a);
  const { value, vector } = tridiagonalExtremeEigenpair(t.d, t.e, n, which);
  applyTridiagonalQ(t, vector);
  return { value, vector };
}
