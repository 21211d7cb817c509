/**
 * Trajectory histories thinned to a bounded number of points: the steps kept are geometrically
 * spaced over 0..steps (k + 1 = round of a geomspace from 1 to steps + 1), so the transient (the
 * first steps, densely) and the tail (the last steps, sparsely but up to the end) both show on a
 * log-time axis. Step 0 and the last step taken are always kept; a run that stops early (converged
 * or diverged) keeps the kept steps before it and its last step, never more than `points`.
 */

/** At most this many points per run (a run's arrays stay a few tens of kB). */
export const MAX_TRACE_POINTS = 1000;

/** A run history's columns in long format (`sgn simulate --trace`, `sgn sweep trace`): t = k h. */
export const TRACE_CSV_COLUMNS = [
  'integrator',
  'multiplier',
  'step',
  'run',
  'k',
  't',
  'residual',
  'distance',
  'metric_distance',
  'lyapunov',
] as const;

/** The history of one run at its kept steps; null where a value is not finite (a diverged step). */
export interface RunTrace {
  /** Step numbers k (0 = the start), increasing. */
  readonly k: number[];
  /** ||F(x_k)||_2 (for NPG / EPG the policy-gradient norm the convergence test uses). */
  readonly residual: (number | null)[];
  /** ||x_k - x*||_2. */
  readonly distance: (number | null)[];
  /** ||x_k - x*|| in the certificate's metric (M(w), or the Fisher metric for NPG / EPG). */
  readonly metricDistance: (number | null)[];
  /** Markov games: sum_i w_i KL(pi*_i || pi_i(x_k)); null for other games. */
  readonly lyapunov: (number | null)[] | null;
}

/** The steps kept of a run of `steps` steps: sorted, distinct, 0 and `steps` included, at most `points`. */
export function traceSteps(steps: number, points: number): number[] {
  if (!(Number.isInteger(steps) && steps >= 0))
    throw new Error(`traceSteps: steps must be an integer >= 0, got ${steps}`);
  if (!(Number.isInteger(points) && points >= 2))
    throw new Error(`traceSteps: points must be an integer >= 2, got ${points}`);
  if (steps + 1 <= points) return Array.from({ length: steps + 1 }, (_, k) => k);
  const out: number[] = [];
  const ratio = Math.log(steps + 1) / (points - 1);
  for (let j = 0; j < points; j++) {
    const k = j === points - 1 ? steps : Math.round(Math.exp(j * ratio)) - 1;
    if (out.length === 0 || k > out[out.length - 1]) out.push(k);
  }
  return out;
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** One run's values at its kept steps. */
export interface TracePoint {
  readonly residual: number;
  readonly distance: number;
  readonly metricDistance: number;
  readonly lyapunov?: number;
}

/** Collects a run's history at the kept steps (see traceSteps); `last` closes it at the step the run ended on. */
export class TraceRecorder {
  private readonly steps: number[];
  private next = 0;
  private readonly k: number[] = [];
  private readonly residual: (number | null)[] = [];
  private readonly distance: (number | null)[] = [];
  private readonly metricDistance: (number | null)[] = [];
  private readonly lyapunov: (number | null)[] = [];

  constructor(
    budget: number,
    points: number,
    private readonly withLyapunov: boolean,
  ) {
    this.steps = traceSteps(budget, points);
  }

  /** Whether step k is kept (call with increasing k). */
  wants(k: number): boolean {
    while (this.next < this.steps.length && this.steps[this.next] < k) this.next++;
    return this.steps[this.next] === k;
  }

  record(k: number, p: TracePoint): void {
    if (this.k.length > 0 && this.k[this.k.length - 1] >= k) return;
    this.k.push(k);
    this.residual.push(finiteOrNull(p.residual));
    this.distance.push(finiteOrNull(p.distance));
    this.metricDistance.push(finiteOrNull(p.metricDistance));
    if (this.withLyapunov) this.lyapunov.push(p.lyapunov === undefined ? null : finiteOrNull(p.lyapunov));
  }

  /** The last step recorded so far (-1: none). */
  get lastStep(): number {
    return this.k.length ? this.k[this.k.length - 1] : -1;
  }

  result(): RunTrace {
    return {
      k: this.k,
      residual: this.residual,
      distance: this.distance,
      metricDistance: this.metricDistance,
      lyapunov: this.withLyapunov ? this.lyapunov : null,
    };
  }
}
