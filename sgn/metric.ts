/**
 * The SGN metric M(w) = blockdiag(w_i I) and quantities measured in it. Conjugating by
 * M^{1/2} scales block (i, j) of a Jacobian by sqrt(w_i / w_j).
 *
 * Sweeps call these once per weight vector, so nothing O(n^2) is allocated per call: beta works
 * on the operator x -> M^{1/2} J M^{-1/2} x implicitly (one product with J and one with J^T per
 * Lanczos step, O(n) scalings around them, J kept in SIMD memory), and alpha_true writes
 * sym(M^{1/2} H M^{-1/2}) into a buffer kept per game (only the off-diagonal blocks change with
 * the weights; its Lanczos steps then cost one product each). Warm starts from the previous
 * weights make Lanczos worth it even where the dense path is the cold default (see
 * MetricWarmStart), and at (numerically) uniform weights alpha_true is the Euclidean margin up to a
 * Weyl bound (see nearEuclidean).
 */
import { zeros, type DenseMatrix, isFiniteMatrix, matvec, matvecT } from './linalg/matrix.js';
import {
  DENSE_MAX_N_SPECTRAL,
  DENSE_MAX_N_SYMMETRIC,
  lanczosBudget,
  spectralNorm,
} from './linalg/spectral-norm.js';
import { lanczosExtreme, type LanczosResult } from './linalg/lanczos.js';
import { symmetricExtremeEigenpair } from './linalg/eigen.js';
import { simdMatrix, SYMV_MIN_N, type SimdMatrix } from './linalg/simd.js';
import type { Blocks } from './games/blocks.js';

/** sqrt(w_i) spread over player i's coordinates. */
function metricRoot(blocks: Blocks, w: readonly number[], root: Float64Array): Float64Array {
  blocks.dims.forEach((_d, i) => root.fill(Math.sqrt(w[i]), blocks.offsets[i], blocks.offsets[i + 1]));
  return root;
}

/** Jacobians already checked for non-finite entries (the kernels would check on every call). */
const finiteChecked = new WeakSet<DenseMatrix>();

function assertFinite(J: DenseMatrix, root: Float64Array, what: string): void {
  for (let i = 0; i < root.length; i++) {
    if (!(root[i] > 0 && Number.isFinite(root[i]) && Number.isFinite(1 / root[i])))
      throw new Error(`${what}: weights must be positive and finite`);
  }
  if (finiteChecked.has(J)) return;
  if (!isFiniteMatrix(J)) throw new Error(`${what}: matrix has non-finite entries`);
  finiteChecked.add(J);
}

/** M^{1/2} J M^{-1/2}, into `out` when given. */
export function conjugateByMetric(
  J: DenseMatrix,
  blocks: Blocks,
  w: readonly number[],
  out: DenseMatrix = zeros(blocks.dim, blocks.dim),
): DenseMatrix {
  const n = blocks.dim;
  const root = metricRoot(blocks, w, new Float64Array(n));
  conjugateInto(J.data, root, n, out.data);
  return out;
}

function conjugateInto(j: Float64Array, root: Float64Array, n: number, out: Float64Array): void {
  for (let a = 0; a < n; a++) {
    const ra = root[a];
    const off = a * n;
    for (let b = 0; b < n; b++) out[off + b] = (j[off + b] * ra) / root[b];
  }
}

/**
 * Block (I, J) of sym(M^{1/2} H M^{-1/2}) and its mirror, I >= J: rows [a0, a1) x columns
 * [b0, b1) get 0.5 (f H_ab + H_ba / f) with f = sqrt(w_I / w_J) (so 0.5 (H_ab + H_ba) on the
 * diagonal blocks, which do not depend on w). 32 x 32 tiles keep the transposed reads in cache.
 */
function symBlockInto(
  h: Float64Array,
  n: number,
  a0: number,
  a1: number,
  b0: number,
  b1: number,
  f: number,
  g: number,
  out: Float64Array,
): void {
  const T = 32;
  const diagonal = a0 === b0;
  for (let i0 = a0; i0 < a1; i0 += T) {
    const i1 = Math.min(a1, i0 + T);
    for (let j0 = b0; j0 < (diagonal ? i1 : b1); j0 += T) {
      const j1 = Math.min(b1, j0 + T);
      for (let a = i0; a < i1; a++) {
        const jEnd = diagonal ? Math.min(j1, a + 1) : j1;
        for (let b = j0; b < jEnd; b++) {
          const v = 0.5 * (h[a * n + b] * f + h[b * n + a] * g);
          out[a * n + b] = v;
          out[b * n + a] = v;
        }
      }
    }
  }
}

/**
 * sym(M^{1/2} H M^{-1/2}) into `out`. The diagonal blocks are sym(H_ii) whatever the weights: they
 * are written only when `out` does not hold them for this H yet (`fresh`); a sweep along weights
 * then rewrites only the off-diagonal blocks.
 */
function symConjugateInto(
  h: Float64Array,
  blocks: Blocks,
  w: readonly number[],
  out: Float64Array,
  fresh: boolean,
): void {
  const { offsets, dim: n } = blocks;
  const N = blocks.dims.length;
  for (let I = 0; I < N; I++) {
    for (let J = 0; J <= I; J++) {
      if (I === J && !fresh) continue;
      const f = I === J ? 1 : Math.sqrt(w[I]) / Math.sqrt(w[J]);
      const g = I === J ? 1 : Math.sqrt(w[J]) / Math.sqrt(w[I]);
      symBlockInto(h, n, offsets[I], offsets[I + 1], offsets[J], offsets[J + 1], f, g, out);
    }
  }
}

/**
 * C^T C for C = D J D^{-1}, D = M^{1/2}: y = D^{-1} J^T D^2 J D^{-1} x, with J in SIMD memory when
 * available. One instance per workspace, re-aimed per call (no closures created per call).
 */
class ConjugatedGram {
  J: DenseMatrix | null = null;
  sm: SimdMatrix | null = null;
  constructor(
    readonly n: number,
    private readonly ws: Workspace,
  ) {}
  apply(x: Float64Array, y: Float64Array): void {
    const { n, ws, sm } = this;
    const { root, inv, t, u } = ws;
    const J = this.J as DenseMatrix;
    for (let i = 0; i < n; i++) t[i] = x[i] * inv[i];
    if (sm !== null) sm.matvec(t, u);
    else matvec(J, t, u);
    for (let i = 0; i < n; i++) u[i] *= root[i] * root[i];
    if (sm !== null) sm.matvecT(u, y);
    else matvecT(J, u, y);
    for (let i = 0; i < n; i++) y[i] *= inv[i];
  }
}

/** y = S x for alpha_true's matrix S (the workspace's `square`, and its SIMD copy). */
class SquareOperator {
  constructor(
    readonly n: number,
    private readonly ws: Workspace,
  ) {}
  apply(x: Float64Array, y: Float64Array): void {
    const { n, ws } = this;
    const sm = ws.squareSimd ?? null;
    if (sm === null) matvec({ rows: n, cols: n, data: ws.square as Float64Array }, x, y);
    else if (n >= SYMV_MIN_N) sm.symv(x, y);
    else sm.matvec(x, y);
  }
}

/** Fills ws.root = sqrt(w) per coordinate and ws.inv = 1 / ws.root. */
function setMetric(ws: Workspace, blocks: Blocks, w: readonly number[]): void {
  metricRoot(blocks, w, ws.root);
  for (let i = 0; i < ws.root.length; i++) ws.inv[i] = 1 / ws.root[i];
}

/** Scratch kept per game (its Blocks object) and reused by every call with the same weights size. */
interface Workspace {
  readonly root: Float64Array;
  /** 1 / root. */
  readonly inv: Float64Array;
  readonly t: Float64Array;
  readonly u: Float64Array;
  /** n x n, allocated on first need (alpha_true, or the dense fallback of beta). */
  square: Float64Array | null;
  /** The H whose symmetrised diagonal blocks `square` currently holds (null: none). */
  squareHolds: DenseMatrix | null;
  /** alpha_true's matrix in SIMD memory (loaded from `square` per call); undefined until first use. */
  squareSimd: SimdMatrix | null | undefined;
  gram: ConjugatedGram | null;
  squareOp: SquareOperator | null;
  /** Lanczos result vectors of beta and alpha_true (allocated on first use), which become the warm starts. */
  betaVector: Float64Array | null;
  alphaTrueVector: Float64Array | null;
}

/**
 * Jacobians copied to SIMD memory, for the beta operator of linear games (one Jacobian, reused
 * for every weight vector). Jacobians are treated as immutable, as everywhere in the engine.
 */
const simdJacobians = new WeakMap<DenseMatrix, SimdMatrix | null>();

function simdJacobian(J: DenseMatrix): SimdMatrix | null {
  let m = simdJacobians.get(J);
  if (m === undefined) {
    m = simdMatrix(J);
    simdJacobians.set(J, m);
  }
  return m;
}

const workspaces = new WeakMap<Blocks, Workspace>();

function workspaceOf(blocks: Blocks): Workspace {
  let ws = workspaces.get(blocks);
  if (ws === undefined) {
    const n = blocks.dim;
    ws = {
      root: new Float64Array(n),
      inv: new Float64Array(n),
      t: new Float64Array(n),
      u: new Float64Array(n),
      square: null,
      squareHolds: null,
      squareSimd: undefined,
      gram: null,
      squareOp: null,
      betaVector: null,
      alphaTrueVector: null,
    };
    workspaces.set(blocks, ws);
  }
  return ws;
}

function squareOf(ws: Workspace, n: number): DenseMatrix {
  ws.square ??= new Float64Array(n * n);
  return { rows: n, cols: n, data: ws.square };
}

/**
 * Random component mixed into warm starts (lanczosExtreme's `genericMix`): along a ratio sweep of a
 * structured game the previous vector can be an exact eigenvector of the next problem too (e.g.
 * orthogonal couplings), and a generic start then saves Lanczos its confirming block.
 */
const GENERIC_MIX = 1e-6;

/** Below this size a warm start is not worth a Lanczos attempt: the dense path costs a few dozen matvecs. */
const WARM_LANCZOS_MIN_N = 48;

/** Longest run of calls that skip the warm Lanczos attempt after it has kept failing. */
const MAX_SKIP = 32;

/**
 * Warm starts carried between neighbouring weights (sweeps along a ratio axis), and how well they
 * have been doing: at sizes where the dense path is the default (n <= 128 for beta, 256 for
 * alpha_true) a warm-started Lanczos is tried first, capped at lanczosBudget(n) steps. When it
 * keeps missing that budget (games whose spectra need more steps than the dense path costs) the
 * next calls go straight to the dense path, 1, 2, 4, ... up to 32 calls at a time, before trying
 * again. Everything here is a deterministic function of the sequence of calls. The vectors are
 * the metric functions' own buffers (per game), overwritten by later calls: copy them to keep them.
 */
export interface MetricWarmStart {
  betaVector?: Float64Array;
  alphaTrueVector?: Float64Array;
  /** Consecutive failed warm attempts / calls left before the next attempt. */
  betaMisses?: number;
  betaSkip?: number;
  alphaTrueMisses?: number;
  alphaTrueSkip?: number;
}

type Attempt = 'betaMisses' | 'alphaTrueMisses';
type Skip = 'betaSkip' | 'alphaTrueSkip';

/** Whether to try Lanczos (`large`: above the dense threshold, always). */
function tryLanczos(
  warm: MetricWarmStart,
  skip: Skip,
  start: Float64Array | undefined,
  n: number,
  large: boolean,
): boolean {
  if (large) return true;
  if (start === undefined || n < WARM_LANCZOS_MIN_N) return false;
  const left = warm[skip] ?? 0;
  if (left > 0) {
    warm[skip] = left - 1;
    return false;
  }
  return true;
}

function recordAttempt(warm: MetricWarmStart, misses: Attempt, skip: Skip, ok: boolean): void {
  if (ok) {
    warm[misses] = 0;
    return;
  }
  const m = (warm[misses] ?? 0) + 1;
  warm[misses] = m;
  warm[skip] = Math.min(MAX_SKIP, 2 ** (m - 1));
}

/**
 * ||M^{1/2} J M^{-1/2}||_2 with its right singular vector. Cold and small: the dense path on the
 * conjugated matrix (as spectralNorm's `auto`). Otherwise Lanczos on C^T C applied implicitly,
 * C = D J D^{-1}: C x = D J (D^{-1} x), C^T u = D^{-1} J^T (D u); capped at lanczosBudget(n) steps
 * with the dense path as fallback.
 */
function denseConjugatedNorm(J: DenseMatrix, ws: Workspace): { value: number; rightVector: Float64Array } {
  const n = J.rows;
  const c = squareOf(ws, n);
  ws.squareHolds = null;
  conjugateInto(J.data, ws.root, n, c.data);
  return spectralNorm(c, { method: 'dense' });
}

function conjugatedSpectralNorm(
  J: DenseMatrix,
  ws: Workspace,
  warm: MetricWarmStart,
  single: boolean,
): { value: number; rightVector: Float64Array } {
  const n = J.rows;
  assertFinite(J, ws.root, 'lipschitzInMetric');
  const start = warm.betaVector;
  const large = n > DENSE_MAX_N_SPECTRAL;
  // Several Jacobians (nonlinear games) share one vector: no warm attempts, no bookkeeping.
  if (!(single || large) || !tryLanczos(warm, 'betaSkip', start, n, large)) return denseConjugatedNorm(J, ws);
  const op = (ws.gram ??= new ConjugatedGram(n, ws));
  op.J = J;
  // One Jacobian (linear games): kept in SIMD memory across calls. Several: a copy per call.
  op.sm = single ? simdJacobian(J) : simdMatrix(J);
  const maxIter = lanczosBudget(n);
  let r: LanczosResult;
  try {
    // The result overwrites this workspace's previous one, `start` included (read first).
    const out = (ws.betaVector ??= new Float64Array(n));
    r = lanczosExtreme(op, { which: 'max', start, maxIter, genericMix: GENERIC_MIX, out });
  } finally {
    if (!single) op.sm?.free();
    op.J = null;
    op.sm = null;
  }
  const ok = r.converged || maxIter === undefined;
  if (!large) recordAttempt(warm, 'betaMisses', 'betaSkip', ok);
  if (!ok) return denseConjugatedNorm(J, ws);
  // ||C v||^2 = v^T C^T C v: the Rayleigh quotient Lanczos reports for its unit vector v.
  return { value: Math.sqrt(Math.max(0, r.value)), rightVector: r.vector };
}

/** beta(w) = max over the Jacobians of ||M^{1/2} J M^{-1/2}||_2. */
export function lipschitzInMetric(
  jacobians: readonly DenseMatrix[],
  blocks: Blocks,
  w: readonly number[],
  warm: MetricWarmStart = {},
): number {
  const ws = workspaceOf(blocks);
  setMetric(ws, blocks, w);
  let beta = 0;
  const single = jacobians.length === 1;
  for (const J of jacobians) {
    const r = conjugatedSpectralNorm(J, ws, warm, single);
    if (single) warm.betaVector = r.rightVector;
    beta = Math.max(beta, r.value);
  }
  return beta;
}

/** lambda_min(sym(H)) = gamma_euc with its unit eigenvector, and the block bounds mu, L of H. */
export interface EuclideanReference {
  readonly value: number;
  readonly vector: Float64Array;
  readonly mu: readonly number[];
  readonly L: readonly (readonly number[])[];
}

/**
 * alpha_true at near-uniform weights, from the Euclidean eigenpair (Weyl). S(w) = sym(M^{1/2} H
 * M^{-1/2}) differs from sym(H) only in its off-diagonal blocks,
 *   Delta_IJ = ((f_IJ - 1) H_IJ + (f_JI - 1) H_JI^T) / 2,  f_IJ = sqrt(w_I / w_J),
 * so ||Delta|| <= E = max_I sum_J (|f_IJ - 1| L_IJ + |f_JI - 1| L_JI) / 2, and every eigenvalue
 * moves by at most E. The Rayleigh quotient of the Euclidean eigenvector v on S(w) is then within
 * 2 E (plus gamma_euc's own error) of lambda_min(S(w)). Used when E <= 1e-13 x a lower bound of
 * ||sym(H)|| (max |gamma_euc|, |mu_I|), i.e. far below Lanczos' own tolerance: weights equal to
 * ~1e-13, as at the optimum of games with equal couplings both ways. Returns null otherwise.
 */
function nearEuclidean(
  H: DenseMatrix,
  blocks: Blocks,
  w: readonly number[],
  ref: EuclideanReference,
): number | null {
  const N = blocks.dims.length;
  let E = 0;
  for (let I = 0; I < N; I++) {
    let row = 0;
    for (let J = 0; J < N; J++) {
      if (I === J) continue;
      const f = Math.sqrt(w[I] / w[J]);
      row += (Math.abs(f - 1) * ref.L[I][J] + Math.abs(1 / f - 1) * ref.L[J][I]) / 2;
    }
    E = Math.max(E, row);
  }
  let scale = Math.abs(ref.value);
  for (const m of ref.mu) scale = Math.max(scale, Math.abs(m));
  if (!(E <= 1e-13 * scale)) return null;
  // v^T S(w) v = sum_IJ sqrt(w_I / w_J) v_I^T H_IJ v_J: one pass over H, S(w) never formed.
  const v = ref.vector;
  const { offsets, dim: n } = blocks;
  const d = H.data;
  let rq = 0;
  for (let I = 0; I < N; I++) {
    for (let a = offsets[I]; a < offsets[I + 1]; a++) {
      let row = 0;
      for (let J = 0; J < N; J++) {
        let t = 0;
        for (let b = offsets[J]; b < offsets[J + 1]; b++) t += d[a * n + b] * v[b];
        row += (I === J ? 1 : Math.sqrt(w[I] / w[J])) * t;
      }
      rq += v[a] * row;
    }
  }
  return rq;
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
  euclidean?: EuclideanReference,
): number {
  if (euclidean !== undefined) {
    const near = nearEuclidean(H, blocks, w, euclidean);
    if (near !== null) {
      warm.alphaTrueVector = euclidean.vector;
      return near;
    }
  }
  const ws = workspaceOf(blocks);
  const n = blocks.dim;
  const s = squareOf(ws, n);
  setMetric(ws, blocks, w);
  assertFinite(H, ws.root, 'trueMargin');
  symConjugateInto(H.data, blocks, w, s.data, ws.squareHolds !== H);
  ws.squareHolds = H;
  // A cold start at sizes where Lanczos is the default: the Euclidean eigenvector is a better
  // start than a random vector (the generic mix keeps the run's guarantees).
  const large = n > DENSE_MAX_N_SYMMETRIC;
  const start = warm.alphaTrueVector ?? (large ? euclidean?.vector : undefined);
  let r: { value: number; vector: Float64Array } | null = null;
  // The buffer is symmetric and finite by construction: the kernels' checks are skipped.
  if (tryLanczos(warm, 'alphaTrueSkip', start, n, large)) {
    if (ws.squareSimd === undefined) ws.squareSimd = simdMatrix(s);
    else ws.squareSimd?.load(s.data);
    const op = (ws.squareOp ??= new SquareOperator(n, ws));
    const maxIter = lanczosBudget(n);
    const out = (ws.alphaTrueVector ??= new Float64Array(n));
    const l = lanczosExtreme(op, { which: 'min', start, maxIter, genericMix: GENERIC_MIX, out });
    const ok = l.converged || maxIter === undefined;
    if (!large) recordAttempt(warm, 'alphaTrueMisses', 'alphaTrueSkip', ok);
    if (ok) r = l;
  }
  r ??= symmetricExtremeEigenpair(s, 'min');
  warm.alphaTrueVector = r.vector;
  return r.value;
}
