/**
 * Lanczos with full reorthogonalisation for ONE extreme eigenpair of a symmetric operator.
 *
 * Sizes here are up to a few thousand, so storing the whole Krylov basis is affordable and buys
 * exact-arithmetic behaviour: no ghost eigenvalues, and a trustworthy residual estimate
 * |beta_k s_k|. Each step costs one operator application plus ~4 n k flops of reorthogonalisation
 * (the three-term recurrence, then one classical Gram-Schmidt pass against the whole basis and a
 * second only when the first cancelled much: the DGKS criterion). From n = 128 the basis lives in
 * WebAssembly SIMD memory, where a Gram-Schmidt pass is two matrix-vector products (simd.ts).
 * The products A q_j are kept too: the a-posteriori residual of a Ritz vector y = Q s is then
 * ||(A Q) s - value y|| without another operator application. Small operators are dominated by
 * allocation, so the work arrays are reused between runs (see Scratch).
 *
 * Breakdown and what is guaranteed. If beta_k <= tol * ||A|| the current Krylov space K is
 * invariant (to within tol): its Ritz values are eigenvalues of A, but A's extreme eigenvalue can
 * lie in K's orthogonal complement when the start vector has no component along its eigenvector
 * (e.g. a warm start that is exactly an eigenvector for another eigenvalue). What we do:
 *   - A block started from a generic vector (our seeded pseudo-random vector) that breaks down has
 *     captured every distinct eigenvalue of the operator restricted to the space it was started
 *     in: a generic vector has a nonzero component in every eigenspace, and an invariant Krylov
 *     space contains the projection of the start vector onto each of them.
 *   - A block started from the caller's vector (`start`) that breaks down is therefore NOT
 *     trusted: Lanczos restarts, in the same basis, from a pseudo-random vector orthogonalised
 *     against everything found so far, i.e. on A restricted to the complement of K. The answer is
 *     the most extreme of the blocks' extreme Ritz values.
 *   - The run stops when the current block's extreme Ritz pair has residual <= tol * ||A||, when a
 *     generic block breaks down, or when the basis spans the whole space (then T is A in another
 *     basis and the answer is exact). A confirming block also stops as soon as its extreme Ritz
 *     value theta' is clearly behind the incumbent theta: theta' - 2 r' > theta (for 'min', r' its
 *     residual), the same "a converged-looking Ritz value is the extreme one" judgement Lanczos
 *     always makes, at the accuracy the comparison needs instead of tol.
 * So the result is always an eigenpair to within `residual` (|value - lambda| <= residual for some
 * eigenvalue lambda, a posteriori, from ||A v - value v|| with A v = (A Q) s, exact up to rounding
 * ~eps ||A||). It is the extreme one
 * unless the Krylov space missed it, which needs a start vector with a negligible (~tol) component
 * along the extreme eigenvector while breaking no invariant subspace: impossible for the exact
 * invariant-subspace cases above, and for the pseudo-random starts a measure-zero event; a warm
 * start from a neighbouring problem keeps a component of order ||dA|| / gap, far above tol.
 * Cost of the safeguard: a warm start that lands in an invariant subspace (including one that is
 * already the answer to within tol) pays for a confirming block, e.g. 2 + 2 steps for a matrix
 * with two distinct eigenvalues (2 with the default start), or as many steps as it takes to
 * separate the runner-up eigenvalue from the answer.
 *
 * ||A|| is estimated on the fly as max_j ||A q_j|| (and |Ritz values|), a lower bound that
 * converges to ||A|| from below; using it makes the relative tolerance stricter, never looser.
 */
import { defaultRng, type RandomGenerator } from '../random/generator.js';
import { tridiagonalExtremeEigenpair, tridiagonalWork, type TridiagonalWork } from './symmetric-eigen.js';
import { simdRows } from './simd.js';

/**
 * A symmetric linear operator: `apply` writes A x into y (y is not aliased with x) and leaves x
 * unchanged (x may be a basis vector Lanczos keeps).
 */
export interface SymmetricOperator {
  readonly n: number;
  apply(x: Float64Array, y: Float64Array): void;
}

export interface LanczosOptions {
  which: 'min' | 'max';
  /** Warm start, e.g. the eigenvector of a neighbouring problem. Need not be normalised. */
  start?: Float64Array;
  /** Relative residual tolerance: stop when ||A v - value v|| <= tol * ||A||. Default 1e-12. */
  tol?: number;
  /** Maximum number of operator applications in the iteration (default and cap: n). */
  maxIter?: number;
  /** Seed for the pseudo-random start/restart vectors (default fixed). */
  seed?: number;
  /**
   * Mix a pseudo-random unit vector of this relative size (e.g. 1e-6; it must stay far above
   * `tol`) into `start`. The start then has a nonzero component in every eigenspace, i.e. it is
   * generic: a breakdown ends the run as for the default start, with no confirming block. Worth it
   * when the warm start may be (nearly) an exact eigenvector, as along sweeps of structured games:
   * the block then breaks down after as many steps as the operator has relevant distinct
   * eigenvalues, instead of one step plus a whole confirming block. When the warm start is only
   * approximate (error >> the mix) the mix changes nothing. Ignored without `start`.
   */
  genericMix?: number;
  /**
   * Where to write the result vector (length n) instead of a new array; may be `start` itself
   * (it is read before anything is written). Sweeps calling this thousands of times pass their
   * warm-start buffer: a fresh 64-entry Float64Array costs about as much as the rest of a 2-step
   * run, in allocation and in garbage collection.
   */
  out?: Float64Array;
}

export interface LanczosResult {
  value: number;
  /** Unit-norm eigenvector estimate. */
  vector: Float64Array;
  /** Lanczos steps = operator applications (the a-posteriori residual reuses their products). */
  iterations: number;
  /** ||A vector - value vector||_2, A vector formed from the stored products A q_j. */
  residual: number;
  /** residual <= tol * (estimate of ||A||), or the basis reached the whole space. */
  converged: boolean;
  /** Number of restarts after an untrusted invariant-subspace breakdown. */
  restarts: number;
}

const EPS = 2 ** -52;
const DEFAULT_SEED = 0x5eed1234;

function dot(x: Float64Array, y: Float64Array, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  // Two accumulators halve the add-latency chain; the order is fixed, so results are deterministic.
  for (; i + 1 < n; i += 2) {
    s0 += x[i] * y[i];
    s1 += x[i + 1] * y[i + 1];
  }
  if (i < n) s0 += x[i] * y[i];
  return s0 + s1;
}

function norm2(x: Float64Array, n: number): number {
  // One pass when the sum of squares is safely inside the double range (the usual case), else
  // scaled, safe for huge/tiny entries (and NaN/Infinity, which fail the range test).
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    s0 += x[i] * x[i];
    s1 += x[i + 1] * x[i + 1];
  }
  if (i < n) s0 += x[i] * x[i];
  const ss = s0 + s1;
  if (ss > 1e-280 && ss < 1e280) return Math.sqrt(ss);
  let mx = 0;
  for (let k = 0; k < n; k++) mx = Math.max(mx, Math.abs(x[k]));
  if (mx === 0 || !Number.isFinite(mx)) return mx;
  let s = 0;
  for (let k = 0; k < n; k++) {
    const t = x[k] / mx;
    s += t * t;
  }
  return mx * Math.sqrt(s);
}

/** x[0 .. n) *= 1 / d (a multiplication per entry instead of a division). */
function scaleDown(x: Float64Array, n: number, d: number): void {
  const inv = 1 / d;
  for (let i = 0; i < n; i++) x[i] *= inv;
}

/**
 * coef[j0 .. j0 + 4) = q_j . w for four basis vectors in one sweep of w. Each dot product keeps
 * `dot`'s exact operation order (two interleaved accumulators), so the results are bit-identical.
 */
function dot4(
  q0: Float64Array,
  q1: Float64Array,
  q2: Float64Array,
  q3: Float64Array,
  w: Float64Array,
  n: number,
  coef: Float64Array,
  j0: number,
): void {
  let a0 = 0;
  let a1 = 0;
  let b0 = 0;
  let b1 = 0;
  let c0 = 0;
  let c1 = 0;
  let d0 = 0;
  let d1 = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const w0 = w[i];
    const w1 = w[i + 1];
    a0 += q0[i] * w0;
    a1 += q0[i + 1] * w1;
    b0 += q1[i] * w0;
    b1 += q1[i + 1] * w1;
    c0 += q2[i] * w0;
    c1 += q2[i + 1] * w1;
    d0 += q3[i] * w0;
    d1 += q3[i + 1] * w1;
  }
  if (i < n) {
    const w0 = w[i];
    a0 += q0[i] * w0;
    b0 += q1[i] * w0;
    c0 += q2[i] * w0;
    d0 += q3[i] * w0;
  }
  coef[j0] = a0 + a1;
  coef[j0 + 1] = b0 + b1;
  coef[j0 + 2] = c0 + c1;
  coef[j0 + 3] = d0 + d1;
}

/** One classical Gram-Schmidt pass: w -= sum_j (q_j . w) q_j over basis[0 .. count). */
function gramSchmidtPass(
  w: Float64Array,
  basis: Float64Array[],
  count: number,
  n: number,
  coef: Float64Array,
): void {
  // Four basis vectors per sweep of w (at large step counts the cost is memory traffic over the
  // basis); the subtractions keep their order, so this rounds like one vector at a time.
  let j = 0;
  for (; j + 3 < count; j += 4) dot4(basis[j], basis[j + 1], basis[j + 2], basis[j + 3], w, n, coef, j);
  for (; j < count; j++) coef[j] = dot(basis[j], w, n);
  j = 0;
  for (; j + 3 < count; j += 4) {
    const c0 = coef[j];
    const c1 = coef[j + 1];
    const c2 = coef[j + 2];
    const c3 = coef[j + 3];
    const q0 = basis[j];
    const q1 = basis[j + 1];
    const q2 = basis[j + 2];
    const q3 = basis[j + 3];
    for (let i = 0; i < n; i++) w[i] = w[i] - c0 * q0[i] - c1 * q1[i] - c2 * q2[i] - c3 * q3[i];
  }
  for (; j < count; j++) {
    const c = coef[j];
    if (c === 0) continue;
    const q = basis[j];
    for (let i = 0; i < n; i++) w[i] -= c * q[i];
  }
}

/** Sum of squares -> 2-norm, norm2's scaled pass when the sum left the safe range. */
function normFromSquares(ss: number, x: Float64Array, n: number): number {
  return ss > 1e-280 && ss < 1e280 ? Math.sqrt(ss) : norm2(x, n);
}

/** aq = w, and (returned) q . w, with ||w|| in out[0]: dot and norm2 in one pass. */
function storeImage(
  w: Float64Array,
  q: Float64Array,
  aq: Float64Array,
  n: number,
  out: Float64Array,
): number {
  let s0 = 0;
  let s1 = 0;
  let d0 = 0;
  let d1 = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const w0 = w[i];
    const w1 = w[i + 1];
    aq[i] = w0;
    aq[i + 1] = w1;
    s0 += w0 * w0;
    s1 += w1 * w1;
    d0 += q[i] * w0;
    d1 += q[i + 1] * w1;
  }
  if (i < n) {
    const w0 = w[i];
    aq[i] = w0;
    s0 += w0 * w0;
    d0 += q[i] * w0;
  }
  out[0] = normFromSquares(s0 + s1, w, n);
  return d0 + d1;
}

/** w -= a q, returning ||w||. */
function recur1(w: Float64Array, a: number, q: Float64Array, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const w0 = w[i] - a * q[i];
    const w1 = w[i + 1] - a * q[i + 1];
    w[i] = w0;
    w[i + 1] = w1;
    s0 += w0 * w0;
    s1 += w1 * w1;
  }
  if (i < n) {
    const w0 = w[i] - a * q[i];
    w[i] = w0;
    s0 += w0 * w0;
  }
  return normFromSquares(s0 + s1, w, n);
}

/** w -= a q then w -= bp qp (rounded in that order), returning ||w||. */
function recur2(
  w: Float64Array,
  a: number,
  q: Float64Array,
  bp: number,
  qp: Float64Array,
  n: number,
): number {
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const w0 = w[i] - a * q[i] - bp * qp[i];
    const w1 = w[i + 1] - a * q[i + 1] - bp * qp[i + 1];
    w[i] = w0;
    w[i + 1] = w1;
    s0 += w0 * w0;
    s1 += w1 * w1;
  }
  if (i < n) {
    const w0 = w[i] - a * q[i] - bp * qp[i];
    w[i] = w0;
    s0 += w0 * w0;
  }
  return normFromSquares(s0 + s1, w, n);
}

/**
 * w -= a q then w -= bp qp (bp = 0: none), returning ||w||, with coef[0] = l0 . w (the new w),
 * each sum with dot's/norm2's two accumulators: what the separate passes compute, in one.
 */
function recurDots1(
  w: Float64Array,
  a: number,
  q: Float64Array,
  bp: number,
  qp: Float64Array,
  l0: Float64Array,
  n: number,
  coef: Float64Array,
): number {
  let s0 = 0;
  let s1 = 0;
  let c0 = 0;
  let c1 = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const w0 = w[i] - a * q[i] - bp * qp[i];
    const w1 = w[i + 1] - a * q[i + 1] - bp * qp[i + 1];
    w[i] = w0;
    w[i + 1] = w1;
    s0 += w0 * w0;
    s1 += w1 * w1;
    c0 += l0[i] * w0;
    c1 += l0[i + 1] * w1;
  }
  if (i < n) {
    const w0 = w[i] - a * q[i] - bp * qp[i];
    w[i] = w0;
    s0 += w0 * w0;
    c0 += l0[i] * w0;
  }
  coef[0] = c0 + c1;
  return normFromSquares(s0 + s1, w, n);
}

/** recurDots1 with two basis vectors: coef[0] = l0 . w, coef[1] = l1 . w. */
function recurDots2(
  w: Float64Array,
  a: number,
  q: Float64Array,
  bp: number,
  qp: Float64Array,
  l0: Float64Array,
  l1: Float64Array,
  n: number,
  coef: Float64Array,
): number {
  let s0 = 0;
  let s1 = 0;
  let c0 = 0;
  let c1 = 0;
  let d0 = 0;
  let d1 = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const w0 = w[i] - a * q[i] - bp * qp[i];
    const w1 = w[i + 1] - a * q[i + 1] - bp * qp[i + 1];
    w[i] = w0;
    w[i + 1] = w1;
    s0 += w0 * w0;
    s1 += w1 * w1;
    c0 += l0[i] * w0;
    c1 += l0[i + 1] * w1;
    d0 += l1[i] * w0;
    d1 += l1[i + 1] * w1;
  }
  if (i < n) {
    const w0 = w[i] - a * q[i] - bp * qp[i];
    w[i] = w0;
    s0 += w0 * w0;
    c0 += l0[i] * w0;
    d0 += l1[i] * w0;
  }
  coef[0] = c0 + c1;
  coef[1] = d0 + d1;
  return normFromSquares(s0 + s1, w, n);
}

/** w -= c l0, returning ||w|| (the Gram-Schmidt subtraction of recurDots1's coefficient). */
function subtract1(w: Float64Array, l0: Float64Array, n: number, c: number): number {
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const w0 = w[i] - c * l0[i];
    const w1 = w[i + 1] - c * l0[i + 1];
    w[i] = w0;
    w[i + 1] = w1;
    s0 += w0 * w0;
    s1 += w1 * w1;
  }
  if (i < n) {
    const w0 = w[i] - c * l0[i];
    w[i] = w0;
    s0 += w0 * w0;
  }
  return normFromSquares(s0 + s1, w, n);
}

/** w -= c0 l0 then w -= c1 l1 (rounded in that order), returning ||w||. */
function subtract2(
  w: Float64Array,
  l0: Float64Array,
  l1: Float64Array,
  n: number,
  c0: number,
  c1: number,
): number {
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const w0 = w[i] - c0 * l0[i] - c1 * l1[i];
    const w1 = w[i + 1] - c0 * l0[i + 1] - c1 * l1[i + 1];
    w[i] = w0;
    w[i + 1] = w1;
    s0 += w0 * w0;
    s1 += w1 * w1;
  }
  if (i < n) {
    const w0 = w[i] - c0 * l0[i] - c1 * l1[i];
    w[i] = w0;
    s0 += w0 * w0;
  }
  return normFromSquares(s0 + s1, w, n);
}

/**
 * basis.project(w, count) then ||w||. For a short JS basis (fewer than four vectors: warm runs)
 * the last subtraction and the norm share one pass, rounding as the separate loops do.
 */
function projectNorm(basis: Basis, w: Float64Array, count: number, n: number, coef: Float64Array): number {
  if (count >= 4 || !(basis instanceof JsBasis)) {
    basis.project(w, count);
    return norm2(w, n);
  }
  const list = basis.list;
  for (let j = 0; j < count; j++) coef[j] = dot(list[j], w, n);
  for (let j = 0; j < count - 1; j++) {
    const c = coef[j];
    if (c === 0) continue;
    const q = list[j];
    for (let i = 0; i < n; i++) w[i] -= c * q[i];
  }
  const c = coef[count - 1];
  const q = list[count - 1];
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const w0 = w[i] - c * q[i];
    const w1 = w[i + 1] - c * q[i + 1];
    w[i] = w0;
    w[i + 1] = w1;
    s0 += w0 * w0;
    s1 += w1 * w1;
  }
  if (i < n) {
    const w0 = w[i] - c * q[i];
    w[i] = w0;
    s0 += w0 * w0;
  }
  return normFromSquares(s0 + s1, w, n);
}

/**
 * The Krylov basis q_0, q_1, ... (orthonormal): a list of JS vectors (small n), or the rows of a
 * matrix in SIMD memory, where a Gram-Schmidt pass is two SIMD matrix-vector products.
 */
interface Basis {
  /** q_j, allocated on first use. A view into SIMD memory is valid until the next refresh(). */
  row(j: number): Float64Array;
  /** One classical Gram-Schmidt pass: w -= sum_j (q_j . w) q_j over j < count. */
  project(w: Float64Array, count: number): void;
  /** Renews views after foreign code ran (operator applications may move SIMD memory). */
  refresh(): void;
}

class JsBasis implements Basis {
  constructor(
    readonly list: Float64Array[],
    private readonly n: number,
    private readonly coef: Float64Array,
  ) {}
  row(j: number): Float64Array {
    return slot(this.list, j, this.n);
  }
  project(w: Float64Array, count: number): void {
    gramSchmidtPass(w, this.list, count, this.n, this.coef);
  }
  refresh(): void {}
}

/** From this size on the basis lives in SIMD memory (when available). */
const SIMD_BASIS_MIN_N = 128;

interface Candidate {
  value: number;
  /** Unit Ritz vector y, and A y formed from the stored products A q_j. */
  vector: Float64Array;
  image: Float64Array;
}

/**
 * Work arrays of one run. Small operators are dominated by allocation (a Float64Array costs about
 * as much as a length-1000 dot product), so for n <= SCRATCH_MAX_N one set is kept between runs and
 * reused (a nested run, from inside an operator, gets a fresh set). Vectors that escape (the
 * result) are always fresh.
 */
interface Scratch {
  n: number;
  inUse: boolean;
  coef: Float64Array;
  w: Float64Array;
  av: Float64Array;
  /** Operator input (a copy of the basis vector being expanded). */
  x: Float64Array;
  /** Two length-n vectors for the images A y of Ritz candidates, two for the candidates y. */
  images: [Float64Array, Float64Array];
  vectors: [Float64Array, Float64Array];
  alpha: Float64Array;
  beta: Float64Array;
  tri: TridiagonalWork;
  /** Basis vectors q_j and their images A q_j, reused by index. */
  q: Float64Array[];
  aq: Float64Array[];
  /**
   * The generic-mix direction (the seed's first n uniform draws in [-1, 1)) and its norm, for
   * `mixSeed`: the same for every run with that seed, and n draws cost as much as a short warm
   * run (NaN: none yet). `mixRest` is the generator after those draws, for a restart's draws.
   */
  mixSeed: number;
  mixDir: Float64Array;
  mixNorm: number;
  mixRest: RandomGenerator | null;
}

const SCRATCH_MAX_N = 1024;
/** Vectors kept between runs (per kind): 2 x 64 x 8 KB at n = 1024. */
const SCRATCH_KEEP = 64;
let cachedScratch: Scratch | null = null;

function acquireScratch(n: number, cap: number): Scratch {
  const c = cachedScratch;
  if (c !== null && !c.inUse && c.n === n && c.alpha.length >= cap) {
    c.inUse = true;
    return c;
  }
  const fresh: Scratch = {
    n,
    inUse: true,
    coef: new Float64Array(n + 1),
    w: new Float64Array(n),
    av: new Float64Array(n),
    x: new Float64Array(n),
    images: [new Float64Array(n), new Float64Array(n)],
    vectors: [new Float64Array(n), new Float64Array(n)],
    alpha: new Float64Array(cap),
    beta: new Float64Array(cap),
    tri: tridiagonalWork(cap),
    q: [],
    aq: [],
    mixSeed: NaN,
    mixDir: new Float64Array(n),
    mixNorm: 0,
    mixRest: null,
  };
  if (n <= SCRATCH_MAX_N && (c === null || !c.inUse)) cachedScratch = fresh;
  return fresh;
}

function releaseScratch(s: Scratch): void {
  s.inUse = false;
  if (s.q.length > SCRATCH_KEEP) s.q.length = SCRATCH_KEEP;
  if (s.aq.length > SCRATCH_KEEP) s.aq.length = SCRATCH_KEEP;
}

/** The j-th vector of a reusable list (allocated on first use). */
function slot(list: Float64Array[], j: number, n: number): Float64Array {
  let v = list[j];
  if (v === undefined) {
    v = new Float64Array(n);
    list[j] = v;
  }
  return v;
}

/** The better of a new Ritz pair and the incumbent (from a completed block), if any. */
function pick(which: 'min' | 'max', best: Candidate | null, cand: Candidate): Candidate {
  if (best !== null && !(which === 'min' ? cand.value < best.value : cand.value > best.value)) return best;
  return cand;
}

/**
 * Ritz pair of the block basis[blockStart .. blockStart + m) with coefficients s: y = Q s / ||Q s||
 * and A y = (A Q) s / ||Q s|| from the stored products (no operator application).
 */
function ritzPair(
  sc: Scratch,
  basis: Basis,
  blockStart: number,
  s: Float64Array,
  m: number,
  theta: number,
  n: number,
  best: Candidate | null,
): Candidate {
  // Scratch vectors, the pair `best` does not hold; the result is copied out at the end (result()).
  const k = best !== null && best.image === sc.images[0] ? 1 : 0;
  const y = sc.vectors[k];
  const ay = sc.images[k];
  // The first term assigned (0 + c q = c q), the norm accumulated with the last one.
  let ss = 0;
  {
    const c = s[0];
    const q = basis.row(blockStart);
    const aq = sc.aq[blockStart];
    if (m === 1) {
      for (let i = 0; i < n; i++) {
        const yi = c * q[i];
        y[i] = yi;
        ay[i] = c * aq[i];
        ss += yi * yi;
      }
    } else {
      for (let i = 0; i < n; i++) {
        y[i] = c * q[i];
        ay[i] = c * aq[i];
      }
    }
  }
  for (let j = 1; j < m; j++) {
    const c = s[j];
    const q = basis.row(blockStart + j);
    const aq = sc.aq[blockStart + j];
    if (j === m - 1) {
      for (let i = 0; i < n; i++) {
        const yi = y[i] + c * q[i];
        y[i] = yi;
        ay[i] += c * aq[i];
        ss += yi * yi;
      }
    } else {
      for (let i = 0; i < n; i++) {
        y[i] += c * q[i];
        ay[i] += c * aq[i];
      }
    }
  }
  const inv = 1 / (ss > 1e-280 && ss < 1e280 ? Math.sqrt(ss) : norm2(y, n));
  for (let i = 0; i < n; i++) {
    y[i] *= inv;
    ay[i] *= inv;
  }
  return { value: theta, vector: y, image: ay };
}

/**
 * Rayleigh quotient and residual ||A y - value y|| of a candidate, A y from the stored products:
 * A (Q s) and (A Q) s differ only by rounding (~eps ||A|| per product), far below any tolerance
 * Lanczos can be asked for, so this is the explicit residual without an extra application.
 */
function verify(cand: Candidate, av: Float64Array, n: number): { value: number; residual: number } {
  const y = cand.vector;
  const ay = cand.image;
  const value = dot(y, ay, n);
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const r0 = ay[i] - value * y[i];
    const r1 = ay[i + 1] - value * y[i + 1];
    av[i] = r0;
    av[i + 1] = r1;
    s0 += r0 * r0;
    s1 += r1 * r1;
  }
  if (i < n) {
    const r0 = ay[i] - value * y[i];
    av[i] = r0;
    s0 += r0 * r0;
  }
  return { value, residual: normFromSquares(s0 + s1, av, n) };
}

function finish(
  cand: Candidate,
  av: Float64Array,
  n: number,
  iterations: number,
  converged: boolean,
  restarts: number,
  out: Float64Array | undefined,
): LanczosResult {
  const chk = verify(cand, av, n);
  return result(cand, chk.value, chk.residual, iterations, converged, restarts, out);
}

/** The result, its vector copied out of the scratch candidate (into `out` when given). */
function result(
  cand: Candidate,
  value: number,
  residual: number,
  iterations: number,
  converged: boolean,
  restarts: number,
  out: Float64Array | undefined,
): LanczosResult {
  const vector = out ?? new Float64Array(cand.vector.length);
  vector.set(cand.vector);
  return { value, vector, iterations, residual, converged, restarts };
}

/**
 * Random unit vector orthogonal to basis[0 .. count), written into `r`; false when the basis
 * (numerically) spans everything.
 */
function newRandomDirection(
  r: Float64Array,
  basis: Basis,
  count: number,
  n: number,
  rng: RandomGenerator,
): boolean {
  for (let attempt = 0; attempt < 3; attempt++) {
    rng.normals(n, r);
    const r0 = norm2(r, n);
    // Twice ("twice is enough"): r is generic, nothing to gain from a conditional second pass.
    basis.project(r, count);
    basis.project(r, count);
    const rn = norm2(r, n);
    if (rn > 1e-8 * r0) {
      scaleDown(r, n, rn);
      return true;
    }
  }
  return false;
}

/**
 * Extreme eigenpair of the 1 x 1 or 2 x 2 symmetric tridiagonal (d, e), unit vector into s: one
 * Jacobi rotation (Golub & Van Loan 8.5.2), eigenvalues accurate to ~eps ||T||, the vector
 * orthonormal to rounding, as bisection + inverse iteration give, at a fraction of the cost.
 */
function smallExtremeEigenpair(
  d: Float64Array,
  e: Float64Array,
  m: number,
  which: 'min' | 'max',
  s: Float64Array,
): number {
  const p = d[0];
  if (m === 1) {
    s[0] = 1;
    return p;
  }
  const q = e[0];
  const r = d[1];
  if (q === 0) {
    const first = which === 'min' ? p <= r : p >= r;
    s[0] = first ? 1 : 0;
    s[1] = first ? 0 : 1;
    return first ? p : r;
  }
  // Rotation [c s; -s c] diagonalising [p q; q r]: diag(p - t q, r + t q), |t| <= 1.
  const tau = (r - p) / (2 * q);
  const t =
    Math.abs(tau) > 1e150 ? 0.5 / tau : (tau >= 0 ? 1 : -1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
  const c = 1 / Math.sqrt(1 + t * t);
  const sn = t * c;
  const l0 = p - t * q; // eigenvector (c, -sn)
  const l1 = r + t * q; // eigenvector (sn, c)
  const first = which === 'min' ? l0 <= l1 : l0 >= l1;
  if (first) {
    s[0] = c;
    s[1] = -sn;
    return l0;
  }
  s[0] = sn;
  s[1] = c;
  return l1;
}

/**
 * Extreme eigenpair of a symmetric operator. See the module comment for the guarantees.
 */
export function lanczosExtreme(op: SymmetricOperator, opts: LanczosOptions): LanczosResult {
  const n = op.n;
  if (!(n >= 1)) throw new Error('lanczosExtreme: operator dimension must be >= 1');
  if (opts.out !== undefined && opts.out.length !== n)
    throw new Error(`lanczosExtreme: out has length ${opts.out.length}, expected ${n}`);
  const maxIter = Math.max(1, Math.min(opts.maxIter ?? n, n));
  const sc = acquireScratch(n, maxIter + 1);
  // At most one new basis vector per step (the next Lanczos vector or a restart direction).
  const rows = n >= SIMD_BASIS_MIN_N ? simdRows(maxIter + 1, n) : null;
  try {
    return run(op, opts, n, maxIter, sc, rows ?? new JsBasis(sc.q, n, sc.coef));
  } finally {
    rows?.free();
    releaseScratch(sc);
  }
}

function run(
  op: SymmetricOperator,
  opts: LanczosOptions,
  n: number,
  maxIter: number,
  sc: Scratch,
  basis: Basis,
): LanczosResult {
  const which = opts.which;
  // Below ~50 eps the explicit residual cannot be resolved reliably.
  const tol = Math.max(opts.tol ?? 1e-12, 50 * EPS);
  const seed = opts.seed ?? DEFAULT_SEED;
  // Created on first use (most warm runs draw nothing).
  let rng: RandomGenerator | null = null;
  let mixed = false; // the start took the seed's first n draws (sc.mixDir)

  // basis rows 0 .. count-1 are the Krylov vectors q_j (orthonormal), sc.aq[j] = A q_j.
  const { w, av, tri, x } = sc;
  let anorm = 0;

  // Current block: T = tridiag(beta, alpha, beta) on basis[blockStart .. blockStart + m), m entries
  // used. Float64Array (not number[]) keeps the tridiagonal kernels monomorphic for V8: the dense
  // path feeds them Float64Array too, and mixing the two deoptimises them.
  const { alpha, beta } = sc;
  let m = 0;
  let blockStart = 0;
  let blockGeneric: boolean;
  // Best extreme Ritz pair from completed (broken-down) blocks: exact eigenpairs of A.
  let best: Candidate | null = null;
  let restarts = 0;
  let tolScale = 1; // tightened if the a-posteriori check disagrees with the estimate

  {
    const s = opts.start;
    const q = basis.row(0);
    let have = false;
    let sn = 0;
    if (s !== undefined) {
      if (s.length !== n) throw new Error(`lanczosExtreme: start has length ${s.length}, expected ${n}`);
      sn = norm2(s, n);
      have = sn > 0 && Number.isFinite(sn);
    }
    blockGeneric = !have;
    const mix = opts.genericMix ?? 0;
    if (s !== undefined && have && mix > 0) {
      // Uniform entries: any distribution with a density makes the start generic.
      const r = sc.mixDir;
      if (sc.mixSeed !== seed) {
        const g = defaultRng(seed);
        for (let i = 0; i < n; i++) r[i] = 2 * g.uniform() - 1;
        sc.mixNorm = norm2(r, n);
        sc.mixSeed = seed;
        sc.mixRest = g;
      }
      mixed = true;
      // q = s / ||s|| + mix r / ||r|| (rounded as the two separate steps), then normalised.
      const inv = 1 / sn;
      const f = mix / sc.mixNorm;
      let ss = 0;
      for (let i = 0; i < n; i++) {
        const qi = s[i] * inv + f * r[i];
        q[i] = qi;
        ss += qi * qi;
      }
      scaleDown(q, n, normFromSquares(ss, q, n));
      blockGeneric = true;
    } else if (s !== undefined && have) {
      const inv = 1 / sn;
      for (let i = 0; i < n; i++) q[i] = s[i] * inv;
    } else {
      rng = defaultRng(seed);
      rng.normals(n, q);
      scaleDown(q, n, norm2(q, n));
    }
  }
  let count = 1;

  let iterations = 0;
  let lastCandidate: Candidate | null = null;

  while (iterations < maxIter) {
    const k = count - 1; // index of the vector to expand
    // A SIMD basis row is copied: the operator may run code that moves SIMD memory (and the view).
    if (basis instanceof JsBasis) op.apply(basis.row(k), w);
    else {
      x.set(basis.row(k));
      op.apply(x, w);
    }
    basis.refresh();
    const q = basis.row(k);
    iterations++;
    // Fused passes over w (each keeps the operation order of the separate loops it replaces).
    const a = storeImage(w, q, slot(sc.aq, k, n), n, sc.coef);
    anorm = Math.max(anorm, sc.coef[0]);
    alpha[m] = a;
    // Full reorthogonalisation, DGKS style: the three-term recurrence first (it removes the large
    // components), then one Gram-Schmidt pass against the whole basis, and a second one only when
    // that pass cancelled more than 1 - 1/sqrt(2) of what was left (Daniel, Gragg, Kaufman,
    // Stewart 1976): orthogonal to working accuracy at about half the cost of two passes.
    let before: number;
    let b: number;
    if (count <= 2 && basis instanceof JsBasis) {
      // Short JS basis (warm runs): the projection's dot products ride along with the recurrence.
      const bp = m > 0 ? beta[m - 1] : 0;
      const qp = m > 0 ? basis.row(k - 1) : q;
      const list = basis.list;
      if (count === 1) {
        before = recurDots1(w, a, q, bp, qp, list[0], n, sc.coef);
        b = subtract1(w, list[0], n, sc.coef[0]);
      } else {
        before = recurDots2(w, a, q, bp, qp, list[0], list[1], n, sc.coef);
        b = subtract2(w, list[0], list[1], n, sc.coef[0], sc.coef[1]);
      }
    } else {
      before = m > 0 ? recur2(w, a, q, beta[m - 1], basis.row(k - 1), n) : recur1(w, a, q, n);
      b = projectNorm(basis, w, count, n, sc.coef);
    }
    beta[m] = 0;
    m++;
    if (b < Math.SQRT1_2 * before) b = projectNorm(basis, w, count, n, sc.coef);

    // Extreme Ritz pair of the current block (s lives in `tri` until the next step). The 1 x 1 and
    // 2 x 2 blocks of short warm runs in closed form; larger ones by bisection + inverse iteration.
    let theta: number;
    let s: Float64Array;
    if (m <= 2) {
      s = tri.x;
      theta = smallExtremeEigenpair(alpha, beta, m, which, s);
    } else {
      const r = tridiagonalExtremeEigenpair(alpha, beta, m, which, tri);
      theta = r.value;
      s = r.vector;
    }
    anorm = Math.max(anorm, Math.abs(theta));
    // Residual estimate: ||T s - theta s|| (inexact s) combined with the coupling to the next vector.
    let rt = 0;
    for (let i = 0; i < m; i++) {
      let ti = alpha[i] * s[i] - theta * s[i];
      if (i > 0) ti += beta[i - 1] * s[i - 1];
      if (i < m - 1) ti += beta[i] * s[i + 1];
      rt += ti * ti;
    }
    const resEst = Math.hypot(Math.sqrt(rt), b * s[m - 1]);
    const thresh = tol * tolScale * anorm;
    const full = count >= n;
    const breakdown = b <= tol * anorm;

    if (best !== null && !breakdown && !full) {
      // Confirming block (on the complement of an untrusted invariant subspace): it only has to
      // show that its extreme Ritz value, within twice its residual, stays behind the incumbent;
      // converging it to tol would cost a whole cold run for nothing.
      const margin = 2 * resEst + tol * anorm;
      if (which === 'min' ? theta - margin > best.value : theta + margin < best.value)
        return finish(best, av, n, iterations, true, restarts, opts.out);
    }
    if (breakdown || full) {
      const cand = pick(which, best, ritzPair(sc, basis, blockStart, s, m, theta, n, best));
      if (blockGeneric || full) return finish(cand, av, n, iterations, true, restarts, opts.out);
      // Untrusted invariant subspace: continue on its orthogonal complement from a random vector.
      // After a mixed start, a restart draws on from where its n draws left the stream (a copy of
      // the cached generator: the cache stays at that point for the next run).
      rng ??= mixed && sc.mixRest ? sc.mixRest.clone() : defaultRng(seed);
      if (!newRandomDirection(basis.row(count), basis, count, n, rng))
        return finish(cand, av, n, iterations, true, restarts, opts.out);
      best = cand;
      restarts++;
      blockStart = count;
      count++;
      m = 0;
      blockGeneric = true;
      continue;
    }
    if (resEst <= thresh) {
      const cand = pick(which, best, ritzPair(sc, basis, blockStart, s, m, theta, n, best));
      const chk = verify(cand, av, n);
      if (chk.residual <= tol * anorm) {
        return result(cand, chk.value, chk.residual, iterations, true, restarts, opts.out);
      }
      // Estimate and truth disagree (rounding): demand a smaller estimate and keep going.
      tolScale *= 0.1;
    }
    beta[m - 1] = b;
    const next = basis.row(count);
    const invB = 1 / b;
    for (let i = 0; i < n; i++) next[i] = w[i] * invB;
    count++;
    if (iterations >= maxIter)
      lastCandidate = pick(which, best, ritzPair(sc, basis, blockStart, s, m, theta, n, best));
  }
  // Out of iterations: report the best we have, flagged by its residual.
  if (lastCandidate === null) throw new Error('lanczosExtreme: internal error, no candidate');
  const res = finish(lastCandidate, av, n, iterations, false, restarts, opts.out);
  res.converged = res.residual <= tol * anorm;
  return res;
}
