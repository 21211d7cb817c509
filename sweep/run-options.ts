/**
 * The user's choices for step-size runs (stepsize.start, .converged, .trace) as the runs take
 * them, with each path's defaults when absent: the starts and criterion sweeps used before these
 * options existed, so their results stay the same.
 */
import type { Blocks } from '../sgn/games/blocks.js';
import { criterionText, type ConvergenceCriterion } from '../sgn/experiments/convergence.js';
import { drawStarts } from '../sgn/experiments/start-distribution.js';
import type { ResolvedStepsize } from './resolved.js';

/** What convergedFraction counts by: the chosen criterion, else the path's own default. */
export function convergenceText(opts: ResolvedStepsize, linear: boolean): string {
  if (opts.converged) return criterionText(opts.converged);
  return linear
    ? `residual-ratio <= ${opts.tolerance} or contracting`
    : criterionText({ criterion: 'residual', tol: opts.tolerance });
}

/** The criterion and trace length the runs take (absent: the path's defaults, no trace). */
export function runOptionsOf(opts: ResolvedStepsize): {
  criterion?: ConvergenceCriterion;
  tracePoints?: number;
} {
  return {
    ...(opts.converged ? { criterion: opts.converged } : {}),
    ...(opts.trace ? { tracePoints: opts.trace.points } : {}),
  };
}

/**
 * A game's starts: stepsize.start when given (seed: its own, else the game's `seed`), else
 * `fallback()`. `weights` define the M(w)-sphere.
 */
export function gameStarts(
  opts: ResolvedStepsize,
  seed: number,
  xStar: Float64Array,
  blocks: Blocks,
  weights: readonly number[],
  fallback: () => Float64Array[],
): Float64Array[] {
  const s = opts.start;
  if (!s) return fallback();
  const centre = s.centre === 'origin' ? new Float64Array(xStar.length) : xStar;
  return drawStarts(s, centre, blocks, weights, opts.seeds, s.seed ?? seed);
}
