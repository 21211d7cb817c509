/**
 * Lanczos with full reorthogonalisation for ONE extreme eigenpair of a symmetric operator.
 *
 * Sizes here are up to a few thousand, so storing the whole Krylov basis is affordable and buys
 * exact-arithmetic behaviour: no ghost eigenvalues, and a trustworthy residual estimate
 * |beta_k s_k|. Each step costs one operator application plus ~8 n k flops of reorthogonalisation
 * (classical Gram-Schmidt run twice, "twice is enough").
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
 * eigenvalue lambda, a posteriori, from an explicit ||A v - value v||). It is the extreme one
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
import { seededRandom, randomVector } from './random.js';
import { tridiagonalExtremeEigenpair } from './symmetric-eigen.js';

/** A symmetric linear operator: `apply` writes A x into y (y is not aliased with x). */
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
}

export interface LanczosResult {
  value: number;
  /** Unit-norm eigenvector estimate. */
  vector: Float64Array;
  /** Lanczos steps = operator applications, excluding the one a-posteriori residual check. */
  iterations: number;
  /** Explicit ||A vector - value vector||_2. */
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
  // Scaled to be safe for huge/tiny entries; the extra pass is cheap next to a matvec.
  let mx = 0;
  for (let i = 0; i < n; i++) mx = Math.max(mx, Math.abs(x[i]));
  if (mx === 0 || !Number.isFinite(mx)) return mx;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const t = x[i] / mx;
    s += t * t;
  }
  return mx * Math.sqrt(s);
}

/** w -= sum_j (q_j . w) q_j over the basis, twice (CGS2: "twice is enough" for orthogonality). */
function orthogonalize(
  w: Float64Array,
  basis: Float64Array[],
  count: number,
  n: number,
  coef: Float64Array,
): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < count; j++) coef[j] = dot(basis[j], w, n);
    for (let j = 0; j < count; j++) {
      const c = coef[j];
      if (c === 0) continue;
      const q = basis[j];
      for (let i = 0; i < n; i++) w[i] -= c * q[i];
    }
  }
}

/**
 * Extreme eigenpair of a symmetric operator. See the module comment for the guarantees.
 */
export function lanczosExtreme(op: SymmetricOperator, opts: LanczosOptions): LanczosResult {
  const n = op.n;
  if (!(n >= 1)) throw new Error('lanczosExtreme: operator dimension must be >= 1');
  const which = opts.which;
  const better = (x: number, y: number): boolean => (which === 'min' ? x < y : x > y);
  // Below ~50 eps the explicit residual cannot be resolved reliably.
  const tol = Math.max(opts.tol ?? 1e-12, 50 * EPS);
  const maxIter = Math.max(1, Math.min(opts.maxIter ?? n, n));
  const rng = seededRandom(opts.seed ?? DEFAULT_SEED);

  const basis: Float64Array[] = [];
  const coef = new Float64Array(n + 1);
  const w = new Float64Array(n);
  const av = new Float64Array(n);
  let anorm = 0;

  // Current block: T = tridiag(beta, alpha, beta) on basis[blockStart .. blockStart + m), m entries
  // used. Float64Array (not number[]) keeps the tridiagonal kernels monomorphic for V8: the dense
  // path feeds them Float64Array too, and mixing the two deoptimises them.
  const alpha = new Float64Array(maxIter + 1);
  const beta = new Float64Array(maxIter + 1);
  let m = 0;
  let blockStart = 0;
  let blockGeneric: boolean;
  // Best extreme Ritz pair from completed (broken-down) blocks: exact eigenpairs of A.
  let best: { value: number; vector: Float64Array } | null = null;
  let restarts = 0;
  let tolScale = 1; // tightened if the a-posteriori check disagrees with the estimate

  const newRandomDirection = (): Float64Array | null => {
    // Random vector orthogonal to the basis; null when the basis (numerically) spans everything.
    for (let attempt = 0; attempt < 3; attempt++) {
      const r = randomVector(n, rng);
      const r0 = norm2(r, n);
      orthogonalize(r, basis, basis.length, n, coef);
      const rn = norm2(r, n);
      if (rn > 1e-8 * r0) {
        for (let i = 0; i < n; i++) r[i] /= rn;
        return r;
      }
    }
    return null;
  };

  {
    const s = opts.start;
    let q: Float64Array | null = null;
    if (s !== undefined) {
      if (s.length !== n) throw new Error(`lanczosExtreme: start has length ${s.length}, expected ${n}`);
      const sn = norm2(s, n);
      if (sn > 0 && Number.isFinite(sn)) q = Float64Array.from(s, (x) => x / sn);
    }
    blockGeneric = q === null;
    if (q === null) {
      q = randomVector(n, rng);
      const qn = norm2(q, n);
      for (let i = 0; i < n; i++) q[i] /= qn;
    }
    basis.push(q);
  }

  /** Ritz vector basis_block * s. */
  const ritzVector = (s: Float64Array): Float64Array => {
    const y = new Float64Array(n);
    for (let j = 0; j < s.length; j++) {
      const c = s[j]; // s has exactly the current block's length m
      const q = basis[blockStart + j];
      for (let i = 0; i < n; i++) y[i] += c * q[i];
    }
    const yn = norm2(y, n);
    for (let i = 0; i < n; i++) y[i] /= yn;
    return y;
  };

  /** Rayleigh quotient and explicit residual of a unit vector (one extra operator application). */
  const verify = (y: Float64Array): { value: number; residual: number } => {
    op.apply(y, av);
    const value = dot(y, av, n);
    for (let i = 0; i < n; i++) av[i] -= value * y[i];
    return { value, residual: norm2(av, n) };
  };

  let iterations = 0;
  let lastCandidate: { value: number; vector: Float64Array } | null = null;
  const finish = (cand: { value: number; vector: Float64Array }, converged: boolean): LanczosResult => {
    const { value, residual } = verify(cand.vector);
    return { value, vector: cand.vector, iterations, residual, converged, restarts };
  };
  const pick = (cand: { value: number; vector: Float64Array }): { value: number; vector: Float64Array } =>
    best !== null && !better(cand.value, best.value) ? best : cand;

  while (iterations < maxIter) {
    const k = basis.length - 1; // index of the vector to expand
    const q = basis[k];
    op.apply(q, w);
    iterations++;
    anorm = Math.max(anorm, norm2(w, n));
    alpha[m] = dot(q, w, n);
    beta[m] = 0;
    m++;
    orthogonalize(w, basis, basis.length, n, coef);
    const b = norm2(w, n);

    // Extreme Ritz pair of the current block.
    const { value: theta, vector: s } = tridiagonalExtremeEigenpair(alpha, beta, m, which);
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
    const full = basis.length >= n;
    const breakdown = b <= tol * anorm;

    if (best !== null && !breakdown && !full) {
      // Confirming block (on the complement of an untrusted invariant subspace): it only has to
      // show that its extreme Ritz value, within twice its residual, stays behind the incumbent;
      // converging it to tol would cost a whole cold run for nothing.
      const margin = 2 * resEst + tol * anorm;
      if (which === 'min' ? theta - margin > best.value : theta + margin < best.value)
        return finish(best, true);
    }
    if (breakdown || full) {
      const cand = pick({ value: theta, vector: ritzVector(s) });
      if (blockGeneric || full) return finish(cand, true);
      // Untrusted invariant subspace: continue on its orthogonal complement from a random vector.
      const r = newRandomDirection();
      if (r === null) return finish(cand, true);
      best = cand;
      restarts++;
      blockStart = basis.length;
      basis.push(r);
      m = 0;
      blockGeneric = true;
      continue;
    }
    if (resEst <= thresh) {
      const cand = pick({ value: theta, vector: ritzVector(s) });
      const chk = verify(cand.vector);
      if (chk.residual <= tol * anorm) {
        return {
          value: chk.value,
          vector: cand.vector,
          iterations,
          residual: chk.residual,
          converged: true,
          restarts,
        };
      }
      // Estimate and truth disagree (rounding): demand a smaller estimate and keep going.
      tolScale *= 0.1;
    }
    beta[m - 1] = b;
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) next[i] = w[i] / b;
    basis.push(next);
    if (iterations >= maxIter) lastCandidate = pick({ value: theta, vector: ritzVector(s) });
  }
  // Out of iterations: report the best we have, flagged by its residual.
  if (lastCandidate === null) throw new Error('lanczosExtreme: internal error, no candidate');
  const res = finish(lastCandidate, false);
  res.converged = res.residual <= tol * anorm;
  return res;
}
