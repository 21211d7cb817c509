/**
 * Policy-gradient play on the Markov family and what it does at a certified step:
 *   natural policy gradient (NPG)  theta_i <- theta_i - h G_i^+ grad_i f_i
 *     (forward Euler in the Fisher geometry the certificate is stated in; G_i^+ is the
 *     minimum-norm solve, as the paper's torch.linalg.lstsq(F_i, g_i); with the game's
 *     fisher.blockRegularisation eps > 0 it is (G_i + eps I)^{-1}), and
 *   Euclidean policy gradient (EPG) theta_i <- theta_i - h grad_i f_i, the baseline.
 * Trajectories are measured modulo the softmax null space (logit differences are centred per
 * player and state: shifting a state's logits changes no policy, and neither update moves the
 * per-state means), in the certificate's metric M(w) = blockdiag(w_i (G_i(x*) + eps I)) (a norm on
 * the centred differences, eps = 0 included), and by the Lyapunov function
 * sum_i w_i sum_s KL(pi*_i(.|s) || pi_i(.|s)).
 */
import { defaultRng } from '../../random/generator.js';
import type { MarkovModel } from './model.js';
import type { MarkovGame } from './markov-game.js';
import { evaluatePolicies, pseudoGradient } from './evaluation.js';
import type { MarkovCertificate } from './fisher.js';
import { eulerFactorBound } from '../../stability.js';
import { centreLogits } from './logits.js';

export type PolicyGradientMethod = 'npg' | 'epg';
export const POLICY_GRADIENT_METHODS: readonly PolicyGradientMethod[] = ['npg', 'epg'];

/**
 * Per player and state, G = diag(p) - p p^T:
 *   eps > 0: (G + eps I)^{-1} g by Sherman-Morrison with D = diag(p + eps),
 *            (D - p p^T)^{-1} = D^{-1} + D^{-1} p p^T D^{-1} / (1 - p^T D^{-1} p);
 *   eps = 0: G^+ g, the minimum-norm least-squares solution (the paper's lstsq): G's range is the
 *            complement of 1 (p > 0), on which G (diag(p)^{-1} u) = u for u with sum 0, so
 *            G^+ g = centred(diag(p)^{-1} centred(g)).
 */
export function fisherSolve(p: Float64Array, g: Float64Array, A: number, eps = 0): Float64Array {
  const z = new Float64Array(g.length);
  if (eps === 0) {
    for (let off = 0; off < g.length; off += A) {
      let gMean = 0;
      for (let a = 0; a < A; a++) gMean += g[off + a];
      gMean /= A;
      let zMean = 0;
      for (let a = 0; a < A; a++) {
        z[off + a] = (g[off + a] - gMean) / p[off + a];
        zMean += z[off + a];
      }
      zMean /= A;
      for (let a = 0; a < A; a++) z[off + a] -= zMean;
    }
    return z;
  }
  for (let off = 0; off < g.length; off += A) {
    let pDp = 0;
    let pDg = 0;
    for (let a = 0; a < A; a++) {
      const dInv = 1 / (p[off + a] + eps);
      pDp += p[off + a] * p[off + a] * dInv;
      pDg += p[off + a] * g[off + a] * dInv;
    }
    // 1 - p^T D^{-1} p = sum_a p_a eps / (p_a + eps) > 0.
    const k = pDg / (1 - pDp);
    for (let a = 0; a < A; a++) z[off + a] = (g[off + a] + p[off + a] * k) / (p[off + a] + eps);
  }
  return z;
}

/** The update direction at x (the step is x - h * direction) and ||F(x)||. */
export function policyGradientDirection(
  model: MarkovModel,
  method: PolicyGradientMethod,
  x: Float64Array,
  eps = model.fisherRegularisation,
): { direction: Float64Array; gradientNorm: number } {
  const e = evaluatePolicies(model, x);
  const F = pseudoGradient(e);
  const gradientNorm = Math.hypot(...F);
  if (method === 'epg') return { direction: F, gradientNorm };
  const n = model.states * model.actions;
  const direction = new Float64Array(2 * n);
  for (const i of [0, 1] as const)
    direction.set(fisherSolve(e.p[i], F.subarray(i * n, (i + 1) * n), model.actions, eps), i * n);
  return { direction, gradientNorm };
}

/** The certificate's metric at the equilibrium and the reference policies for the Lyapunov function. */
export interface TrajectoryReference {
  readonly xStar: Float64Array;
  readonly weights: readonly number[];
  readonly regulariser?: number;
}

/** The reference with x*'s policies evaluated once (what metricDistance and lyapunov take). */
export interface PreparedReference {
  readonly xStar: Float64Array;
  readonly weights: readonly number[];
  readonly pStar: readonly [Float64Array, Float64Array];
  readonly logpStar: readonly [Float64Array, Float64Array];
  readonly eps: number;
}

export function prepareReference(model: MarkovModel, ref: TrajectoryReference): PreparedReference {
  const e = evaluatePolicies(model, ref.xStar);
  return {
    xStar: ref.xStar,
    weights: ref.weights,
    pStar: e.p,
    logpStar: e.logp,
    eps: ref.regulariser ?? model.fisherRegularisation,
  };
}

/** ||x - x*||_M with M = blockdiag(w_i (G_i(x*) + eps I)), on the centred difference. */
export function metricDistance(model: MarkovModel, ref: PreparedReference, x: Float64Array): number {
  const A = model.actions;
  const n = model.states * A;
  const v = centreLogits(
    x.map((t, k) => t - ref.xStar[k]),
    A,
  );
  let total = 0;
  for (const i of [0, 1] as const) {
    const p = ref.pStar[i];
    let q = 0;
    for (let off = 0; off < n; off += A) {
      // v^T (diag(p) - p p^T + eps I) v = sum p v^2 - (p . v)^2 + eps |v|^2.
      let pv = 0;
      for (let a = 0; a < A; a++) {
        const t = v[i * n + off + a];
        q += (p[off + a] + ref.eps) * t * t;
        pv += p[off + a] * t;
      }
      q -= pv * pv;
    }
    total += ref.weights[i] * q;
  }
  return Math.sqrt(Math.max(0, total));
}

/** sum_i w_i sum_s KL(pi*_i(.|s) || pi_i(.|s)). */
export function lyapunov(model: MarkovModel, ref: PreparedReference, x: Float64Array): number {
  const e = evaluatePolicies(model, x);
  let v = 0;
  for (const i of [0, 1] as const) {
    let kl = 0;
    const ps = ref.pStar[i];
    for (let k = 0; k < ps.length; k++) if (ps[k] > 0) kl += ps[k] * (ref.logpStar[i][k] - e.logp[i][k]);
    v += ref.weights[i] * kl;
  }
  return v;
}

export interface TrajectoryOptions {
  /** Step budget. */
  readonly steps: number;
  /** Converged once ||F(x_k)||_2 <= tol. */
  readonly tol: number;
  /** Stop as diverged beyond this M-distance from x*. */
  readonly divergence?: number;
}

export interface PolicyTrajectory {
  readonly converged: boolean;
  /** Steps taken (until convergence, divergence or the budget). */
  readonly steps: number;
  readonly finalGradientNorm: number;
  /** Per-step factor of ||x_k - x*||_M: exp of the least-squares slope of its log over the second half of the run. */
  readonly factor: number | null;
  /** ||x_k - x*||_M and the Lyapunov value at k = 0..steps. */
  readonly distance: number[];
  readonly lyapunov: number[];
}

export function runPolicyGradient(
  game: MarkovGame,
  method: PolicyGradientMethod,
  x0: Float64Array,
  h: number,
  reference: TrajectoryReference,
  opts: TrajectoryOptions,
): PolicyTrajectory {
  const model = game.model;
  const ref = prepareReference(model, reference);
  const limit = opts.divergence ?? 1e6;
  let x = Float64Array.from(x0);
  const distance: number[] = [];
  const lyap: number[] = [];
  let gradientNorm = Infinity;
  let converged = false;
  let k = 0;
  for (; ; k++) {
    const dist = metricDistance(model, ref, x);
    if (!Number.isFinite(dist) || dist > limit) break;
    distance.push(dist);
    lyap.push(lyapunov(model, ref, x));
    const { direction, gradientNorm: g } = policyGradientDirection(model, method, x, ref.eps);
    gradientNorm = g;
    if (g <= opts.tol) {
      converged = true;
      break;
    }
    if (k === opts.steps) break;
    const next = new Float64Array(x.length);
    for (let a = 0; a < x.length; a++) next[a] = x[a] - h * direction[a];
    x = next;
  }
  return {
    converged,
    steps: k,
    finalGradientNorm: gradientNorm,
    factor: tailFactor(distance),
    distance,
    lyapunov: lyap,
  };
}

/** exp(slope) of log d_k against k over the second half of the positive entries (null: too short). */
export function tailFactor(d: readonly number[]): number | null {
  const logs: [number, number][] = [];
  d.forEach((v, k) => {
    if (v > 0 && Number.isFinite(v)) logs.push([k, Math.log(v)]);
  });
  const tail = logs.slice(Math.floor(logs.length / 2));
  if (tail.length < 3) return null;
  const m = tail.length;
  let sx = 0;
  let sy = 0;
  for (const [k, y] of tail) {
    sx += k;
    sy += y;
  }
  let sxx = 0;
  let sxy = 0;
  for (const [k, y] of tail) {
    sxx += (k - sx / m) ** 2;
    sxy += (k - sx / m) * (y - sy / m);
  }
  return Math.exp(sxy / sxx);
}

export interface StepStudyOptions {
  /** Step multipliers c: runs at h = c * etaMax. */
  readonly multipliers: readonly number[];
  /** Initial points x* + spread * N(0, I), seeded. */
  readonly count: number;
  readonly spread: number;
  readonly seed: number;
  readonly steps: number;
  readonly tol: number;
  readonly methods?: readonly PolicyGradientMethod[];
}

export interface StepStudyRow {
  readonly method: PolicyGradientMethod;
  readonly multiplier: number;
  readonly h: number;
  /** Fraction of the runs with ||F|| <= tol within the budget. */
  readonly convergedFraction: number;
  /** Median over runs of the tail contraction factor per step in the M(w) norm (null: none measurable). */
  readonly medianFactor: number | null;
  /** NPG: the certificate's per-step bound sqrt(1 - 2 h alpha + h^2 beta^2) (>= 1: no guarantee); EPG: null. */
  readonly certifiedFactor: number | null;
  /** Fraction of the runs whose Lyapunov value never increased (beyond 1e-10 of its start: round-off). */
  readonly lyapunovMonotoneFraction: number;
  /** Median steps to convergence over the converged runs (null: none converged). */
  readonly medianSteps: number | null;
}

function median(v: readonly number[]): number | null {
  if (v.length === 0) return null;
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Seeded starting points around x* (the same for every method and multiplier). */
export function initialPoints(
  xStar: Float64Array,
  count: number,
  spread: number,
  seed: number,
): Float64Array[] {
  const rng = defaultRng(seed);
  return Array.from({ length: count }, () => xStar.map((v) => v + spread * rng.normal()));
}

/**
 * NPG and EPG at h = c * etaMax for each multiplier c, from the same seeded starting points around
 * x*, measured in the certificate's metric (its weights).
 */
export function stepStudy(
  game: MarkovGame,
  cert: Pick<MarkovCertificate, 'etaMax' | 'alpha' | 'beta' | 'weights'>,
  xStar: Float64Array,
  opts: StepStudyOptions,
): StepStudyRow[] {
  const { etaMax } = cert;
  if (!(etaMax > 0)) throw new Error(`stepStudy needs a positive certified step, got ${etaMax}`);
  const reference: TrajectoryReference = { xStar, weights: cert.weights };
  const starts = initialPoints(reference.xStar, opts.count, opts.spread, opts.seed);
  const rows: StepStudyRow[] = [];
  for (const method of opts.methods ?? POLICY_GRADIENT_METHODS) {
    for (const c of opts.multipliers) {
      const h = c * etaMax;
      const runs = starts.map((x0) =>
        runPolicyGradient(game, method, x0, h, reference, { steps: opts.steps, tol: opts.tol }),
      );
      // KL near x* is a difference of nearly equal logs: allow round-off relative to the start.
      const monotone = runs.filter((r) =>
        r.lyapunov.every((v, k) => k === 0 || v <= r.lyapunov[k - 1] + 1e-10 * r.lyapunov[0]),
      );
      rows.push({
        method,
        multiplier: c,
        h,
        convergedFraction: runs.filter((r) => r.converged).length / runs.length,
        certifiedFactor: method === 'npg' ? eulerFactorBound(h, cert.alpha, cert.beta) : null,
        medianFactor: median(runs.map((r) => r.factor).filter((f): f is number => f !== null)),
        lyapunovMonotoneFraction: monotone.length / runs.length,
        medianSteps: median(runs.filter((r) => r.converged).map((r) => r.steps)),
      });
    }
  }
  return rows;
}
