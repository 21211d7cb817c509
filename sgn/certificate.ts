/**
 * The SGN certificate of a game: block bounds, margin and metric at chosen (or optimal)
 * weights, Lipschitz constant, safe steps, timescale band and, for linear games, the ground
 * truth it can be compared with. `analyseGame` holds everything that depends on the game
 * only, so sweeps over weights reuse it (and warm-start the iterative kernels).
 */
import { fromRows, type DenseMatrix } from './linalg/matrix.js';
import { generalEigenvalues, spectralRadius } from './linalg/eigen.js';
import type { Blocks } from './games/blocks.js';
import type { Game } from './games/game.js';
import { blockBounds } from './bounds.js';
import { sgnMargin } from './sgn-matrix.js';
import { optimalWeights, type OptimalWeights } from './optimal-weights.js';
import { axisBands, twoPlayerBand, type Band } from './band.js';
import { lipschitzInMetric, trueMargin, type MetricWarmStart } from './metric.js';
import { eulerThreshold, rk4Threshold, type Eigenvalues } from './stability.js';
import { DEFAULT_C4, eulerStep, optimiseStepWeights, rk4Step, type StepOptimum } from './steps.js';
import { InputError } from './util/errors.js';
import { samplesRecord } from './games/sampled.js';
import {
  inflateBounds,
  regionJacobians,
  type RegionRecord,
  type RegionSampling,
} from './regions/sampling.js';

/** Largest dimension for which `groundTruth: 'auto'` computes the exact thresholds (one dense eigendecomposition). */
export const AUTO_THRESHOLD_MAX_DIM = 1024;

export interface CertifyOptions {
  /** Weights to certify with; the optimal weights when omitted. */
  readonly weights?: readonly number[];
  readonly c4?: number;
  /** Exact Euler/RK4 thresholds of linear games: 'auto' skips them above AUTO_THRESHOLD_MAX_DIM. */
  readonly groundTruth?: 'auto' | 'always' | 'never';
  /** Also optimise the weights for the certified Euler and RK4 steps. */
  readonly stepWeights?: boolean;
  /**
   * The region the bounds are taken over, its sampler and mode. Without it: linear games use H
   * (region-independent), other games the Jacobian at the origin only.
   */
  readonly region?: RegionSampling;
}

export interface GameAnalysis {
  readonly blocks: Blocks;
  readonly mu: number[];
  readonly L: number[][];
  readonly gammaEuclidean: number;
  /** Unit eigenvector of sym(J) for gammaEuclidean: alpha_true's reference at near-uniform weights. */
  readonly gammaVector: Float64Array;
  readonly optimal: OptimalWeights;
  /** Two players: the band in r = w2/w1 for target margin 0. */
  readonly band: Band | null;
  /** N > 2: the band along each axis with the other weights at the optimum. */
  readonly axisBands: ({ axis: number } & Band)[] | null;
  /** Spectral radius of the gain matrix G_ij = L_ij / mu_i (Infinity when some mu_i <= 0). */
  readonly gainRadius: number;
  readonly jacobians: readonly DenseMatrix[];
  /** The region, sampler and mode the bounds rest on (null: no region given). */
  readonly region: RegionRecord | null;
  /** Rigorous mode: delta = Lip(J) x covering radius, to add (scaled by the metric) to beta. */
  readonly betaInflation: number;
  readonly linear: {
    readonly H: DenseMatrix;
    /** The eigenvalues of H (null when groundTruth skips them): the exact thresholds and step-matrix radii rest on them. */
    readonly eigenvalues: Eigenvalues | null;
    readonly hStabEuler: number | null;
    readonly hStabRk4: number | null;
  } | null;
}

export function analyseGame(
  game: Game,
  opts: Pick<CertifyOptions, 'groundTruth' | 'region'> = {},
): GameAnalysis {
  const { blocks } = game;
  let jacobians: DenseMatrix[];
  let region: RegionRecord | null = null;
  if (game.samples) {
    // The samples are the region: their Jacobians are the bounds' whole evidence.
    if (opts.region)
      throw new InputError(
        'region',
        `the ${game.family} family is certified over the samples its file gives; it takes no region`,
      );
    jacobians = [...game.samples.jacobians];
    region = samplesRecord(game, game.samples);
  } else if (opts.region) {
    const r = regionJacobians(game, opts.region);
    jacobians = r.jacobians;
    region = { ...r.record, sampled: null };
  } else {
    // Linear games: J = H everywhere, one Jacobian is the whole region.
    jacobians = game.linear ? [game.linear.H] : [game.J(new Float64Array(blocks.dim))];
  }
  // Known bounds hold for H itself: a linear game's region yields H as its one Jacobian.
  const known =
    game.linear?.knownBounds && jacobians.length === 1 && jacobians[0] === game.linear.H
      ? game.linear.knownBounds
      : undefined;
  const sampled = blockBounds(blocks, jacobians, known);
  const delta = region?.inflation?.amount ?? 0;
  if (region?.inflation)
    region = { ...region, sampled: { mu: sampled.mu, L: sampled.L, gammaEuclidean: sampled.gammaEuclidean } };
  const { mu, L, gammaEuclidean, gammaVector } = region?.inflation ? inflateBounds(sampled, delta) : sampled;
  const optimal = optimalWeights(mu, L);
  const two = mu.length === 2;
  const band = two ? twoPlayerBand(mu, L, 0) : null;
  const bands = !two && optimal.alpha > 0 ? axisBands(mu, L, optimal.weights, 0) : null;
  let linear: GameAnalysis['linear'] = null;
  if (game.linear) {
    const mode = opts.groundTruth ?? 'auto';
    const exact = mode === 'always' || (mode === 'auto' && blocks.dim <= AUTO_THRESHOLD_MAX_DIM);
    const eig = exact ? generalEigenvalues(game.linear.H) : null;
    linear = {
      H: game.linear.H,
      eigenvalues: eig,
      hStabEuler: eig ? eulerThreshold(eig) : null,
      hStabRk4: eig ? rk4Threshold(eig) : null,
    };
  }
  return {
    blocks,
    mu,
    L,
    gammaEuclidean,
    gammaVector,
    optimal,
    band,
    axisBands: bands,
    gainRadius: gainRadius(mu, L),
    jacobians,
    region,
    betaInflation: delta,
    linear,
  };
}

function gainRadius(mu: readonly number[], L: readonly (readonly number[])[]): number {
  if (mu.some((m) => m <= 0)) return Infinity;
  const n = mu.length;
  if (n === 2) return Math.sqrt((L[0][1] * L[1][0]) / (mu[0] * mu[1]));
  const G = fromRows(
    Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 0 : L[i][j] / mu[i]))),
  );
  return spectralRadius(G);
}

export interface WeightedCertificate {
  readonly weights: number[];
  readonly alpha: number;
  readonly beta: number;
  readonly eulerStep: number;
  readonly rk4Step: number;
  readonly alphaTrue: number | null;
  readonly certified: boolean;
}

/** Validates user weights (length, positive, finite) and normalises them so weights[0] = 1. */
export function normaliseWeights(w: readonly number[], players: number, field = 'weights'): number[] {
  if (w.length !== players)
    throw new InputError(field, `has ${w.length} entries, expected ${players} (one per player)`);
  // Plain loops: sweeps call this per cell, and closures and spreads here showed up in the garbage.
  let max = -Infinity;
  let min = Infinity;
  for (let i = 0; i < w.length; i++) {
    const v = w[i];
    if (!Number.isFinite(v) || v <= 0)
      throw new InputError(`${field}[${i}]`, `must be a positive finite number, got ${v}`);
    max = Math.max(max, v);
    min = Math.min(min, v);
  }
  // sqrt(w_i / w_j) must stay finite and non-zero in the metric.
  const spread = max / min;
  if (!(spread <= 1e300))
    throw new InputError(field, `spread max/min = ${spread} is too large (at most 1e300)`);
  // Always an array of doubles: from integers alone (a ratio of 1 or 10) V8 would build an array
  // of small integers, a different hidden class, and deoptimise the metric code optimised on
  // doubles mid-sweep. A double literal fixes the element kind (it never narrows back).
  const out = [0.5];
  out.length = 0;
  for (let i = 0; i < w.length; i++) out.push(w[i] / w[0]);
  return out;
}

/** Margin, Lipschitz constant, steps (and true margin) at weights w. `warm` carries Lanczos starts between calls. */
export function certifyWeights(
  analysis: GameAnalysis,
  w: readonly number[],
  opts: { c4?: number; warm?: MetricWarmStart; alphaTrue?: boolean } = {},
): WeightedCertificate {
  const weights = normaliseWeights(w, analysis.mu.length);
  const warm = opts.warm ?? {};
  const alpha = sgnMargin(analysis.mu, analysis.L, weights);
  // Rigorous mode: ||M^{1/2} dJ M^{-1/2}|| <= sqrt(max w / min w) ||dJ|| for the unsampled points.
  const beta =
    lipschitzInMetric(analysis.jacobians, analysis.blocks, weights, warm) +
    (analysis.betaInflation > 0
      ? Math.sqrt(Math.max(...weights) / Math.min(...weights)) * analysis.betaInflation
      : 0);
  const c4 = opts.c4 ?? DEFAULT_C4;
  const alphaTrue =
    analysis.linear && opts.alphaTrue !== false
      ? trueMargin(analysis.linear.H, analysis.blocks, weights, warm, {
          value: analysis.gammaEuclidean,
          vector: analysis.gammaVector,
          mu: analysis.mu,
          L: analysis.L,
        })
      : null;
  return {
    weights,
    alpha,
    beta,
    eulerStep: eulerStep(alpha, beta),
    rk4Step: rk4Step(alpha, beta, c4),
    alphaTrue,
    certified: alpha > 0,
  };
}

/**
 * The classical certificate beside SGN's: Euclidean strong monotonicity (Rosen), i.e. the metric
 * M = I. gamma > 0 makes the flow contract at rate gamma in ||.||_2 and Euler contract for
 * h < 2 gamma / ||J||^2, the SGN step rule at uniform weights (as the paper's code computes
 * steps: 2 alpha / beta^2 and C4 / beta when alpha > 0 and beta > 0, else 0).
 */
export interface EuclideanCertificate {
  /** gamma_euc = min over the region of lambda_min(sym(J)) (lowered by delta in the rigorous mode). */
  readonly gamma: number;
  /**
   * max over the region of ||J||_2 (plus delta in the rigorous mode): beta at uniform weights.
   * Null when gamma <= 0: there is no step to give, so the norm is not computed.
   */
  readonly beta: number | null;
  /** 2 gamma / beta^2; 0 without a certificate. */
  readonly eulerStep: number;
  /** C4 / beta; 0 without a certificate. */
  readonly rk4Step: number;
  readonly certified: boolean;
}

/** Which tests certify the game: SGN (at the certificate's weights) and the Euclidean one. */
export type CertifiedBy = ('SGN' | 'Euclidean')[];

export interface Certificate extends WeightedCertificate {
  readonly dims: number[];
  readonly mu: number[];
  readonly L: number[][];
  readonly gammaEuclidean: number;
  readonly c4: number;
  readonly optimal: { alpha: number; weights: number[]; ratio: number | null; attained: boolean };
  readonly band: Band | null;
  readonly axisBands: ({ axis: number } & Band)[] | null;
  readonly gainRadius: number;
  readonly linear: { alphaTrue: number; hStabEuler: number | null; hStabRk4: number | null } | null;
  readonly stepWeights: { euler: StepOptimum | null; rk4: StepOptimum | null } | null;
  /** The region the bounds rest on, the sampler, the number of points and the mode (null: none given). */
  readonly region: RegionRecord | null;
  readonly euclidean: EuclideanCertificate;
  /** The tests that certify, SGN first; empty when neither does. (`certified` is SGN's verdict alone.) */
  readonly certifiedBy: CertifiedBy;
  /** Why SGN does not certify (null when it does). */
  readonly reason: string | null;
}

export function certify(game: Game, opts: CertifyOptions = {}): Certificate {
  const analysis = analyseGame(game, opts);
  const c4 = opts.c4 ?? DEFAULT_C4;
  if (!(c4 > 0) || !Number.isFinite(c4))
    throw new InputError('c4', `must be a positive finite number, got ${c4}`);
  const w = opts.weights ?? analysis.optimal.weights;
  const at = certifyWeights(analysis, w, { c4 });
  const { mu, L, optimal } = analysis;
  const euclidean = euclideanCertificate(analysis, at, c4);
  const certifiedBy: CertifiedBy = [];
  if (at.certified) certifiedBy.push('SGN');
  if (euclidean.certified) certifiedBy.push('Euclidean');
  let stepWeights: Certificate['stepWeights'] = null;
  if (opts.stepWeights && optimal.alpha > 0) {
    const evaluate = (x: readonly number[]): { alpha: number; beta: number } => {
      const c = certifyWeights(analysis, x, { c4, alphaTrue: false });
      return { alpha: c.alpha, beta: c.beta };
    };
    stepWeights = {
      euler: optimiseStepWeights('euler', evaluate, optimal.weights, analysis.band),
      rk4: optimiseStepWeights('rk4', evaluate, optimal.weights, analysis.band),
    };
  }
  return {
    ...at,
    dims: [...analysis.blocks.dims],
    mu,
    L,
    gammaEuclidean: analysis.gammaEuclidean,
    c4,
    optimal: {
      alpha: optimal.alpha,
      weights: optimal.weights,
      ratio: mu.length === 2 ? optimal.weights[1] / optimal.weights[0] : null,
      attained: optimal.attained,
    },
    band: analysis.band,
    axisBands: analysis.axisBands,
    gainRadius: analysis.gainRadius,
    linear:
      analysis.linear && at.alphaTrue !== null
        ? {
            alphaTrue: at.alphaTrue,
            hStabEuler: analysis.linear.hStabEuler,
            hStabRk4: analysis.linear.hStabRk4,
          }
        : null,
    stepWeights,
    region: analysis.region,
    euclidean,
    certifiedBy,
    reason: at.certified ? null : failureReason(analysis, at),
  };
}

function euclideanCertificate(
  analysis: GameAnalysis,
  at: WeightedCertificate,
  c4: number,
): EuclideanCertificate {
  const gamma = analysis.gammaEuclidean;
  if (!(gamma > 0)) return { gamma, beta: null, eulerStep: 0, rk4Step: 0, certified: false };
  // M(1, ..., 1) = I: the SGN Lipschitz constant at uniform weights is max ||J||_2 (inflated like
  // SGN's in the rigorous mode), already computed when the certificate's weights are uniform.
  const uniform = at.weights.every((v) => v === 1);
  const beta = uniform
    ? at.beta
    : certifyWeights(
        analysis,
        analysis.mu.map(() => 1),
        { c4, alphaTrue: false },
      ).beta;
  return {
    gamma,
    beta,
    eulerStep: eulerStep(gamma, beta),
    rk4Step: rk4Step(gamma, beta, c4),
    certified: true,
  };
}

function failureReason(analysis: GameAnalysis, at: WeightedCertificate): string {
  const inflation = analysis.region?.inflation;
  const why = baseFailureReason(analysis, at);
  return inflation ? `${why} (bounds inflated by ${fmt(inflation.amount)} in the rigorous mode)` : why;
}

function baseFailureReason(analysis: GameAnalysis, at: WeightedCertificate): string {
  const { mu, optimal, band } = analysis;
  const bad = mu.findIndex((m) => m <= 0);
  if (bad >= 0) {
    return `player ${bad + 1} has no own-player curvature on the region (mu_${bad + 1} = ${fmt(mu[bad])} <= 0): no weights can certify`;
  }
  if (!(optimal.alpha > 0)) {
    return `small-gain condition fails: the gain matrix L_ij/mu_i has spectral radius ${fmt(analysis.gainRadius)} >= 1, so alpha_* <= ${fmt(optimal.alpha)} for every weighting`;
  }
  const ratio = at.weights.length === 2 ? at.weights[1] / at.weights[0] : null;
  const where =
    ratio !== null && band
      ? ` (r = w2/w1 = ${fmt(ratio)} is outside the band (${fmt(band.rMinus)}, ${fmt(band.rPlus)}))`
      : '';
  return `these weights do not certify${where}: alpha_* = ${fmt(at.alpha)}; the optimal weights [${optimal.weights
    .map(fmt)
    .join(', ')}] certify with alpha = ${fmt(optimal.alpha)}`;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? Number(x.toPrecision(6)).toString() : String(x);
}

/** JSON with Infinity/NaN as null (JSON has no infinities; an unbounded band edge is null). */
export function jsonWithoutInfinities(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
}

export function certificateToJson(c: Certificate): string {
  return jsonWithoutInfinities(c);
}
