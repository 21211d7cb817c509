/**
 * Integrators for gradient play x' = -F(x) and trajectory statistics measured in the SGN
 * metric. Used by step-size experiments: run at h = c * h_certified and see what happens.
 */
import type { Blocks } from './games/blocks.js';
import { isConverged, type ConvergenceCriterion } from './experiments/convergence.js';
import { TraceRecorder, type RunTrace } from './experiments/trace.js';

export type Integrator = 'euler' | 'rk4';
export type Field = (x: Float64Array) => Float64Array;

/** One step of forward Euler or classical RK4 on x' = -F(x). */
export function step(kind: Integrator, F: Field, x: Float64Array, h: number): Float64Array {
  const n = x.length;
  const out = new Float64Array(n);
  if (kind === 'euler') {
    const f = F(x);
    for (let i = 0; i < n; i++) out[i] = x[i] - h * f[i];
    return out;
  }
  const k1 = F(x);
  const tmp = new Float64Array(n);
  for (let i = 0; i < n; i++) tmp[i] = x[i] - 0.5 * h * k1[i];
  const k2 = F(tmp);
  for (let i = 0; i < n; i++) tmp[i] = x[i] - 0.5 * h * k2[i];
  const k3 = F(tmp);
  for (let i = 0; i < n; i++) tmp[i] = x[i] - h * k3[i];
  const k4 = F(tmp);
  for (let i = 0; i < n; i++) out[i] = x[i] - (h / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
  return out;
}

/** ||v||_M = sqrt(sum_i w_i ||v_i||^2). */
export function metricNorm(v: Float64Array, blocks: Blocks, w: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < blocks.dims.length; i++) {
    let b = 0;
    for (let k = blocks.offsets[i]; k < blocks.offsets[i + 1]; k++) b += v[k] * v[k];
    s += w[i] * b;
  }
  return Math.sqrt(s);
}

function norm2(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

export interface TrajectoryStats {
  readonly converged: boolean;
  /** Per-step contraction of ||x_k - x*||_M fitted on the tail (null if it never moved). */
  readonly factor: number | null;
  readonly finalResidual: number;
  /** ||x_N - x*||_2 at the last step (Infinity: diverged). */
  readonly finalDistance: number;
  readonly trace?: RunTrace;
}

export interface TrajectoryOptions {
  /** Replaces the default test (residual ratio or still contracting), evaluated at the last step. */
  readonly criterion?: ConvergenceCriterion;
  /** Record the history at this many steps at most (sgn/experiments/trace.ts). */
  readonly tracePoints?: number;
}

function distance2(x: Float64Array, xStar: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] - xStar[i]) ** 2;
  return Math.sqrt(s);
}

/**
 * Runs `steps` steps from x0 and reports the empirical per-step factor (exp of the
 * least-squares slope of log ||x_k - x*||_M over the second half of the run, after the
 * transient) and convergence: the residual fell below tol * ||F(x_0)||, or the run is
 * contracting (tail factor < 1 and closer than it started) but the step budget ran out first.
 * A small certified step converges slowly; that is still convergence. `opts.criterion` replaces
 * that test (sgn/experiments/convergence.ts); `opts.tracePoints` records the thinned history.
 */
export function runTrajectory(
  kind: Integrator,
  F: Field,
  x0: Float64Array,
  xStar: Float64Array,
  h: number,
  steps: number,
  tol: number,
  blocks: Blocks,
  w: readonly number[],
  opts: TrajectoryOptions = {},
): TrajectoryStats {
  const f0 = norm2(F(x0));
  const logs: number[] = [];
  let x = x0;
  const diff = new Float64Array(x0.length);
  const recorder = opts.tracePoints ? new TraceRecorder(steps, opts.tracePoints, false) : null;
  for (let k = 0; k <= steps; k++) {
    for (let i = 0; i < x.length; i++) diff[i] = x[i] - xStar[i];
    const d = metricNorm(diff, blocks, w);
    if (recorder && (recorder.wants(k) || d === 0 || !Number.isFinite(d) || d > 1e150))
      recorder.record(k, { residual: norm2(F(x)), distance: distance2(x, xStar), metricDistance: d });
    if (!Number.isFinite(d) || d > 1e150)
      return {
        converged: false,
        factor: logs.length > 1 ? tailFactor(logs) : null,
        finalResidual: Infinity,
        finalDistance: Infinity,
        ...(recorder ? { trace: recorder.result() } : {}),
      };
    // Stop recording once at machine precision: the log-distance flattens there.
    if (d > 0 && d > 1e-300) logs.push(Math.log(d));
    if (d === 0) break;
    if (k < steps) x = step(kind, F, x, h);
  }
  const residual = norm2(F(x));
  const factor = tailFactor(logs);
  const finalDistance = distance2(x, xStar);
  let converged: boolean;
  if (opts.criterion) {
    converged = isConverged(opts.criterion, {
      residual,
      residual0: f0,
      distance: finalDistance,
      diverged: false,
    });
  } else {
    const reached = residual <= tol * Math.max(f0, 1e-300);
    // A factor within round-off of 1 (a marginally stable step, rho = 1) is not convergence.
    const contracting =
      factor !== null && factor < 1 - 1e-6 && logs.length > 1 && logs[logs.length - 1] < logs[0];
    converged = Number.isFinite(residual) && (reached || contracting);
  }
  return {
    converged,
    factor,
    finalResidual: residual,
    finalDistance,
    ...(recorder ? { trace: recorder.result() } : {}),
  };
}

/** exp of the least-squares slope of log-distances over the second half of the run above the round-off floor (null: too short). */
export function tailFactor(logs: readonly number[]): number | null {
  // Keep the part above the round-off floor (distance > 1e-13 of the start).
  const floor = logs[0] + Math.log(1e-13);
  let end = logs.length;
  while (end > 2 && logs[end - 1] < floor) end--;
  const start = Math.floor(end / 2);
  const n = end - start;
  if (n < 2) return null;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let k = start; k < end; k++) {
    sx += k;
    sy += logs[k];
    sxx += k * k;
    sxy += k * logs[k];
  }
  const slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  return Math.exp(slope);
}
