/**
 * Trajectory experiments at h = c * h_certified: run an iteration from seeded starts and report
 * what the certificate predicts against what happens -- the fraction that converge (||F|| <= tol
 * within the step budget), the per-step contraction factor in the certificate's metric (fitted on
 * the tail of log ||x_k - x*||_M, and the worst single step), whether ||x_k - x*||_M ever grows,
 * how far the Euclidean distance grows, and (Markov games) the KL Lyapunov value.
 */
import { tailFactor } from '../integrators.js';
import { isConverged, stoppingResidual, type ConvergenceCriterion } from './convergence.js';
import { TraceRecorder, type RunTrace } from './trace.js';
import { maxOf } from '../util/extremes.js';

/** One iteration and the quantities it is measured by (see dynamics.ts). */
export interface Dynamics {
  /** x_{k+1} from x_k (projected when the experiment has a constraint set). */
  step(x: Float64Array, h: number): Float64Array;
  /** ||F(x)||_2: the convergence test. */
  gradientNorm(x: Float64Array): number;
  /** ||x - x*||_M in the certificate's metric. */
  metricDistance(x: Float64Array): number;
  /** Markov games: sum_i w_i KL(pi*_i || pi_i) at x. */
  lyapunov?(x: Float64Array): number;
}

export interface RunOptions {
  /** Step budget. */
  readonly steps: number;
  /** Converged once ||F(x_k)||_2 <= tol (unless `criterion` says otherwise). */
  readonly tol: number;
  /** When a run counts as converged (default: residual <= tol). */
  readonly criterion?: ConvergenceCriterion;
  /** Record each run's history at this many steps at most (sgn/experiments/trace.ts). */
  readonly tracePoints?: number;
}

/** Single-step ratios are recorded only while ||x_k - x*||_M exceeds this fraction of the start: below it x*'s own accuracy dominates. */
const STEP_RATIO_FLOOR = 1e-6;
/** Declared diverged beyond this multiple of the starting M-distance. */
const DIVERGENCE_FACTOR = 1e8;
/** ||x_k - x*||_M "grew" only beyond round-off relative to the start. */
const MONOTONE_SLACK = 1e-12;

export interface RunRecord {
  readonly converged: boolean;
  readonly diverged: boolean;
  /** Steps taken (until convergence, divergence or the budget). */
  readonly steps: number;
  readonly finalGradientNorm: number;
  /** Tail-fitted per-step factor of ||x_k - x*||_M (null: too short to fit). */
  readonly factor: number | null;
  /** max_k ||x_{k+1} - x*||_M / ||x_k - x*||_M over the steps above the round-off floor (null: none). */
  readonly worstStepRatio: number | null;
  /** ||x_k - x*||_M never increased. */
  readonly metricMonotone: boolean;
  /** max_k ||x_k - x*||_2 / ||x_0 - x*||_2 (>= 1; > 1: the trajectory left the Euclidean ball it started on). */
  readonly euclideanGrowth: number;
  readonly lyapunovFirst: number | null;
  readonly lyapunovLast: number | null;
  /** The Lyapunov value never increased (beyond 1e-10 of its start: KL near x* is a difference of close logs). */
  readonly lyapunovMonotone: boolean | null;
  /** ||x_N - x*||_2 at the last step (Infinity: diverged). */
  readonly finalDistance: number;
  /** The thinned history, when asked for (RunOptions.tracePoints). */
  readonly trace?: RunTrace;
}

function euclidean(x: Float64Array, xStar: Float64Array): number {
  let s = 0;
  for (let a = 0; a < x.length; a++) s += (x[a] - xStar[a]) ** 2;
  return Math.sqrt(s);
}

export function runFrom(
  dyn: Dynamics,
  x0: Float64Array,
  xStar: Float64Array,
  h: number,
  opts: RunOptions,
): RunRecord {
  let x = x0;
  const logs: number[] = [];
  const d0 = dyn.metricDistance(x0);
  const e0 = euclidean(x0, xStar);
  let worstStepRatio: number | null = null;
  let metricMonotone = true;
  let euclideanGrowth = 1;
  const lyapunov = dyn.lyapunov?.bind(dyn);
  const v0 = lyapunov ? lyapunov(x0) : null;
  let vLast = v0;
  let lyapunovMonotone: boolean | null = lyapunov ? true : null;
  let previous = d0;
  let gradientNorm = dyn.gradientNorm(x0);
  const criterion = opts.criterion ?? { criterion: 'residual', tol: opts.tol };
  const residual0 = gradientNorm;
  const stopAt = stoppingResidual(criterion, residual0);
  const recorder = opts.tracePoints
    ? new TraceRecorder(opts.steps, opts.tracePoints, lyapunov !== undefined)
    : null;
  let distance = e0;
  let stopped = false;
  let diverged = false;
  let k = 0;
  for (; ; k++) {
    const d = k === 0 ? d0 : dyn.metricDistance(x);
    if (!Number.isFinite(d) || d > DIVERGENCE_FACTOR * d0) {
      diverged = true;
      break;
    }
    if (d > 0) logs.push(Math.log(d));
    if (k > 0) {
      if (d > previous + MONOTONE_SLACK * d0) metricMonotone = false;
      if (previous > STEP_RATIO_FLOOR * d0)
        worstStepRatio = Math.max(worstStepRatio ?? -Infinity, d / previous);
      distance = euclidean(x, xStar);
      if (e0 > 0) euclideanGrowth = Math.max(euclideanGrowth, distance / e0);
      if (lyapunov && v0 !== null && vLast !== null) {
        const v = lyapunov(x);
        if (v > vLast + 1e-10 * v0) lyapunovMonotone = false;
        vLast = v;
      }
      gradientNorm = dyn.gradientNorm(x);
    }
    previous = d;
    const end = gradientNorm <= stopAt || k === opts.steps;
    if (recorder && (end || recorder.wants(k)))
      recorder.record(k, {
        residual: gradientNorm,
        distance,
        metricDistance: d,
        ...(vLast !== null ? { lyapunov: vLast } : {}),
      });
    if (gradientNorm <= stopAt) {
      stopped = true;
      break;
    }
    if (k === opts.steps) break;
    x = dyn.step(x, h);
  }
  if (recorder && diverged && recorder.lastStep < k)
    recorder.record(k, {
      residual: Infinity,
      distance: Infinity,
      metricDistance: Infinity,
      lyapunov: Infinity,
    });
  const converged =
    stopped || isConverged(criterion, { residual: gradientNorm, residual0, distance, diverged });
  return {
    converged,
    diverged,
    steps: k,
    finalGradientNorm: diverged ? Infinity : gradientNorm,
    factor: logs.length > 1 ? tailFactor(logs) : null,
    worstStepRatio,
    metricMonotone: metricMonotone && !diverged,
    euclideanGrowth: diverged ? Infinity : euclideanGrowth,
    lyapunovFirst: v0,
    lyapunovLast: diverged ? null : vLast,
    lyapunovMonotone: diverged && lyapunovMonotone !== null ? false : lyapunovMonotone,
    finalDistance: diverged ? Infinity : distance,
    ...(recorder ? { trace: recorder.result() } : {}),
  };
}

/** What the certificate says about the iteration at one step size. */
export interface StepCertificate {
  /** The certified step the multiplier scales (2 alpha / beta^2 for Euler and NPG, C4 / beta for RK4). */
  readonly hCertified: number;
  readonly alpha: number;
  readonly beta: number;
  readonly weights: readonly number[];
  /**
   * The certified per-step factor at h: sqrt(1 - 2 h alpha + h^2 beta^2) for Euler-type steps
   * (null when >= 1, no guarantee, or when the certificate does not cover the iteration).
   */
  predictedFactor(h: number): number | null;
}

/** The step: a multiple of the certified step, or h itself (uncertified games have only this). */
export type StudyOptions = RunOptions & ({ readonly multiplier: number } | { readonly h: number });

export interface TrajectoryStudy {
  /** h / hCertified (null when nothing is certified: hCertified = 0). */
  readonly multiplier: number | null;
  readonly h: number;
  readonly hCertified: number;
  readonly alpha: number;
  readonly beta: number;
  readonly weights: number[];
  readonly predictedFactor: number | null;
  /** exp(-alpha h): the certified contraction of the flow x' = -F(x) over time h. */
  readonly flowFactor: number;
  readonly runs: number;
  readonly convergedFraction: number;
  readonly divergedFraction: number;
  /** Median / largest tail-fitted factor over the runs that have one (null: none). */
  readonly medianFactor: number | null;
  readonly worstFactor: number | null;
  /** Largest single-step ratio of ||x_k - x*||_M over all runs (null: none recorded). */
  readonly worstStepRatio: number | null;
  readonly medianSteps: number | null;
  readonly metricMonotoneFraction: number;
  readonly euclideanGrowth: { readonly median: number; readonly max: number };
  readonly lyapunov: {
    readonly medianFirst: number;
    readonly medianLast: number | null;
    readonly monotoneFraction: number;
  } | null;
  /** Each run's thinned history, in start order, when RunOptions.tracePoints asked for them. */
  readonly traces?: RunTrace[];
}

export function median(v: readonly number[]): number | null {
  if (v.length === 0) return null;
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function fraction(runs: readonly RunRecord[], pick: (r: RunRecord) => boolean): number {
  return runs.filter(pick).length / runs.length;
}

/** Runs every start at h = multiplier * hCertified (or the given h) and summarises. */
export function runStudy(
  dyn: Dynamics,
  cert: StepCertificate,
  xStar: Float64Array,
  starts: readonly Float64Array[],
  opts: StudyOptions,
): TrajectoryStudy {
  if (starts.length === 0) throw new Error('runStudy needs at least one start');
  if ('multiplier' in opts && !(cert.hCertified > 0))
    throw new Error(`runStudy needs a positive certified step to scale, got ${cert.hCertified}`);
  const h = 'multiplier' in opts ? opts.multiplier * cert.hCertified : opts.h;
  const runs = starts.map((x0) => runFrom(dyn, x0, xStar, h, opts));
  const factors = runs.map((r) => r.factor).filter((f): f is number => f !== null);
  const ratios = runs.map((r) => r.worstStepRatio).filter((f): f is number => f !== null);
  const growth = runs.map((r) => r.euclideanGrowth);
  const hasLyapunov = runs[0].lyapunovFirst !== null;
  const lasts = runs.map((r) => r.lyapunovLast).filter((v): v is number => v !== null);
  return {
    multiplier: 'multiplier' in opts ? opts.multiplier : cert.hCertified > 0 ? h / cert.hCertified : null,
    h,
    hCertified: cert.hCertified,
    alpha: cert.alpha,
    beta: cert.beta,
    weights: [...cert.weights],
    predictedFactor: cert.predictedFactor(h),
    flowFactor: Math.exp(-cert.alpha * h),
    runs: runs.length,
    convergedFraction: fraction(runs, (r) => r.converged),
    divergedFraction: fraction(runs, (r) => r.diverged),
    medianFactor: median(factors),
    worstFactor: factors.length ? maxOf(factors) : null,
    worstStepRatio: ratios.length ? maxOf(ratios) : null,
    medianSteps: median(runs.filter((r) => r.converged).map((r) => r.steps)),
    metricMonotoneFraction: fraction(runs, (r) => r.metricMonotone),
    euclideanGrowth: { median: median(growth) as number, max: maxOf(growth) },
    lyapunov: hasLyapunov
      ? {
          medianFirst: median(runs.map((r) => r.lyapunovFirst as number)) as number,
          medianLast: median(lasts),
          monotoneFraction: fraction(runs, (r) => r.lyapunovMonotone === true),
        }
      : null,
    ...(opts.tracePoints ? { traces: runs.map((r) => r.trace as RunTrace) } : {}),
  };
}
