/**
 * Certified step sizes and the weights that maximise them. Euler: h < 2 alpha/beta^2.
 * RK4: h <= C4/beta (C4 = 2.5, the paper's guideline). Both are 0 without a certificate.
 */
import { scanThenBrent } from './optimize/brent.js';
import { nelderMead } from './optimize/nelder-mead.js';
import type { Band } from './band.js';

export const DEFAULT_C4 = 2.5;

export function eulerStep(alpha: number, beta: number): number {
  return alpha > 0 && beta > 0 ? (2 * alpha) / (beta * beta) : 0;
}

export function rk4Step(alpha: number, beta: number, c4 = DEFAULT_C4): number {
  return alpha > 0 && beta > 0 ? c4 / beta : 0;
}

export type StepObjective = 'euler' | 'rk4';

/** What each objective maximises: alpha/beta^2 (the Euler step) or alpha/beta (RK4 contraction per step). */
export function stepObjective(kind: StepObjective, alpha: number, beta: number): number {
  if (!(alpha > 0)) return alpha;
  return kind === 'euler' ? alpha / (beta * beta) : alpha / beta;
}

export interface StepOptimum {
  readonly weights: number[];
  readonly alpha: number;
  readonly beta: number;
  readonly objective: number;
  readonly evaluations: number;
}

/**
 * Maximises the step objective over weights. Two players: Brent in log r over the band
 * (outside it alpha <= 0); N players: Nelder-Mead in log-weights from the SGN optimum.
 */
export function optimiseStepWeights(
  kind: StepObjective,
  evaluate: (w: readonly number[]) => { alpha: number; beta: number },
  start: readonly number[],
  band: Band | null,
): StepOptimum | null {
  if (!band && start.length === 2) return null;
  const score = (w: readonly number[]): number => {
    const { alpha, beta } = evaluate(w);
    return stepObjective(kind, alpha, beta);
  };
  let weights: number[];
  let evaluations: number;
  if (start.length === 2 && band) {
    const lo = Math.log(Math.max(band.rMinus, start[1] * 1e-8));
    const hi = Math.log(Number.isFinite(band.rPlus) ? band.rPlus : start[1] * 1e8);
    const m = scanThenBrent((t) => -score([1, Math.exp(t)]), lo, hi, 24, 1e-12);
    weights = [1, Math.exp(m.x)];
    evaluations = m.evaluations;
  } else {
    const x0 = start.slice(1).map((v) => Math.log(v / start[0]));
    const m = nelderMead((x) => -score([1, ...x.map(Math.exp)]), x0, { step: 0.3, tol: 1e-12 });
    weights = [1, ...m.x.map(Math.exp)];
    evaluations = m.evaluations;
  }
  const { alpha, beta } = evaluate(weights);
  if (!(alpha > 0)) return null;
  return { weights, alpha, beta, objective: stepObjective(kind, alpha, beta), evaluations };
}
