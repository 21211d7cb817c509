/**
 * The LQ-64 computation for a contiguous run ("chain") of lambdas: per lambda one `analyseGame`
 * (bounds, optimal weights, band, exact Euler/RK4 thresholds) and `certifyWeights` at each of the
 * 161 ratios. Shared by the benchmark's main thread and its worker thread (lq64-child.ts), which
 * split the 61 lambdas into two chains.
 *
 * The ratio axis is walked forwards for even lambdas and backwards for odd ones, so that the warm
 * start always comes from a neighbouring cell (also across lambdas, in either direction). Each
 * chain starts cold: the results depend on the split and the directions (at the ~1e-13 level of
 * the Lanczos tolerance), not on which thread runs a chain, nor on timing.
 *
 * The first chain runs downwards, ending at lambda = 0. That game is uncoupled and many of its
 * results are small integers (beta^2 = 1, gamma = mu, ...): V8 lays out result objects and compiles
 * the kernels for integer fields there, and throws that work away at the first coupled lambda
 * (measured: the Lanczos loop's first optimised compile, ~25 ms, discarded). Started from a
 * coupled lambda, the fields are doubles from the outset and lambda = 0 fits them.
 */
import { axisValue, type Axis } from '../../sweep/axes.js';
import type { TwoPlayerQuadraticSpec } from '../../sgn/games/spec.js';
// buildQuadraticGame, not buildGame: the worker's bundle then leaves out the other families and
// zod (the main thread validates the game and hands it over).
import { buildQuadraticGame } from '../../sgn/games/quadratic.js';
import { analyseGame, certifyWeights } from '../../sgn/certificate.js';
import { generalEigenvalues } from '../../sgn/linalg/eigen.js';
import { eulerThreshold, rk4Threshold } from '../../sgn/stability.js';
import type { MetricWarmStart } from '../../sgn/metric.js';

export const LAMBDAS: Axis = { linspace: [0, 2.5, 61] };
export const RATIOS: Axis = { geomspace: [0.1, 1e4, 161] };
export const N_LAMBDA = 61;
export const N_RATIO = 161;
export const GRID_COLS = 5;
export const GRID_HEADER = ['lambda', 'ratio', 'alpha_sgn', 'alpha_true', 'beta'];
export const SUMMARY_HEADER = [
  'lambda',
  'mu1',
  'mu2',
  'L12',
  'L21',
  'gamma_euc',
  'alpha_max',
  'opt_ratio',
  'r_minus',
  'r_plus',
  'grid_opt_ratio',
  'grid_alpha_max',
  'grid_r_minus',
  'grid_r_plus',
  'h_euler',
  'h_rk4',
];
export const SUMMARY_COLS = SUMMARY_HEADER.length;

export interface ChainResult {
  /** Lambda indices [from, to). */
  readonly from: number;
  readonly to: number;
  /** (to - from) * N_RATIO rows of GRID_COLS, row-major, in grid order (lambda, then ratio). */
  readonly grid: Float64Array<ArrayBuffer>;
  /** (to - from) rows of SUMMARY_COLS. */
  readonly summary: Float64Array<ArrayBuffer>;
  /** Time in analyseGame (incl. exact thresholds) and in the ratio loop, ms. */
  readonly analysisMs: number;
  readonly gridMs: number;
}

/** Lambdas [from, to), upwards or downwards; results are stored in grid order either way. */
export function runChain(
  spec: TwoPlayerQuadraticSpec,
  from: number,
  to: number,
  direction: 'up' | 'down',
  thresholds: 'here' | 'elsewhere' = 'here',
): ChainResult {
  const nr = N_RATIO;
  const ratios = Float64Array.from({ length: nr }, (_, k) => axisValue(RATIOS, k));
  const grid = new Float64Array((to - from) * nr * GRID_COLS);
  const summary = new Float64Array((to - from) * SUMMARY_COLS);
  const alphas = new Float64Array(nr);
  // Every field from the start: one hidden class for the chain, and the same for every chain.
  const warm: MetricWarmStart = {
    betaVector: undefined,
    alphaTrueVector: undefined,
    betaMisses: 0,
    betaSkip: 0,
    alphaTrueMisses: 0,
    alphaTrueSkip: 0,
  };
  const times = { analysisMs: 0, gridMs: 0 };
  for (let step = 0; step < to - from; step++) {
    const li = direction === 'up' ? from + step : to - 1 - step;
    runLambda(spec, li, from, ratios, alphas, grid, summary, warm, times, thresholds);
  }
  const { analysisMs, gridMs } = times;
  return { from, to, grid, summary, analysisMs, gridMs };
}

/**
 * One lambda of a chain: its analysis, its row of the grid and its summary row. A function of its
 * own so that the chain's loop stays small: V8 then optimises this per call instead of compiling
 * the whole chain, with everything inlined, on-stack (measured: ~20 ms of compile per chain).
 */
function runLambda(
  spec: TwoPlayerQuadraticSpec,
  li: number,
  from: number,
  ratios: Float64Array,
  alphas: Float64Array,
  grid: Float64Array,
  summary: Float64Array,
  warm: MetricWarmStart,
  times: { analysisMs: number; gridMs: number },
  thresholds: 'here' | 'elsewhere',
): void {
  const nr = N_RATIO;
  const lambda = axisValue(LAMBDAS, li);
  const ta = performance.now();
  // 'elsewhere': the exact thresholds come from thresholdRows (another thread); NaN here.
  const an = analyseGame(buildQuadraticGame({ ...spec, lambda }), {
    groundTruth: thresholds === 'here' ? 'always' : 'never',
  });
  const tb = performance.now();
  times.analysisMs += tb - ta;
  const base = (li - from) * nr;
  for (let j = 0; j < nr; j++) {
    const k = li % 2 === 0 ? j : nr - 1 - j;
    const c = certifyWeights(an, [1, ratios[k]], { warm });
    const o = (base + k) * GRID_COLS;
    grid[o] = lambda;
    grid[o + 1] = ratios[k];
    grid[o + 2] = c.alpha;
    grid[o + 3] = c.alphaTrue ?? NaN;
    grid[o + 4] = c.beta;
    alphas[k] = c.alpha;
  }
  // Optimal ratio and band as the paper's code reads them off the grid (first maximum; the
  // smallest and largest certified ratios).
  let bestK = 0;
  let okMin = NaN;
  let okMax = NaN;
  for (let k = 0; k < nr; k++) {
    if (alphas[k] > alphas[bestK]) bestK = k;
    if (alphas[k] > 0) {
      if (Number.isNaN(okMin)) okMin = ratios[k];
      okMax = ratios[k];
    }
  }
  times.gridMs += performance.now() - tb;
  const band = an.band;
  summary.set(
    [
      lambda,
      an.mu[0],
      an.mu[1],
      an.L[0][1],
      an.L[1][0],
      an.gammaEuclidean,
      an.optimal.alpha,
      an.optimal.weights[1] / an.optimal.weights[0],
      band ? band.rMinus : NaN,
      band ? band.rPlus : NaN,
      ratios[bestK],
      alphas[bestK],
      okMin,
      okMax,
      an.linear?.hStabEuler ?? NaN,
      an.linear?.hStabRk4 ?? NaN,
    ],
    (li - from) * SUMMARY_COLS,
  );
}

/** Column of h_euler in a summary row (h_rk4 follows). */
export const H_EULER_COL = SUMMARY_HEADER.indexOf('h_euler');

/**
 * The exact Euler and RK4 thresholds of lambdas [0, N_LAMBDA), two per lambda: one general
 * eigendecomposition of H(lambda) each, as analyseGame computes them (bit for bit).
 */
export function thresholdRows(spec: TwoPlayerQuadraticSpec): Float64Array<ArrayBuffer> {
  const out = new Float64Array(N_LAMBDA * 2);
  for (let li = 0; li < N_LAMBDA; li++) {
    const H = buildQuadraticGame({ ...spec, lambda: axisValue(LAMBDAS, li) }).linear!.H;
    const eig = generalEigenvalues(H);
    out[2 * li] = eulerThreshold(eig);
    out[2 * li + 1] = rk4Threshold(eig);
  }
  return out;
}
