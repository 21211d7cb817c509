/**
 * The perturbation section of a sweep's game: eps and the trial number as axes (target
 * 'perturbation', in cell params as `eps` and `trial`), and which draw of which NumPy stream a
 * trial takes (the game's perturbation, sgn/games/perturbation.ts):
 *
 * - stream `per-trial`: trial t draws from default_rng(seed + t), its first draw; the same E at
 *   every eps, so one trial's curve against eps is smooth (common random numbers).
 * - stream `shared`: one stream default_rng(seed) through the eps grid, eps-major: the cell at
 *   eps index i, trial t takes draw i * trials + t, the order in which the paper's noise study
 *   draws (trial values must then be 0 .. trials - 1).
 *
 * Both are functions of the cell's axis indices alone, so every worker builds the same game.
 */
import { InputError } from '../sgn/util/errors.js';
import { axisLength, axisValue, firstNonInteger, type Axis } from './axes.js';
import type { ResolvedPerturbation, SweepAxis } from './resolved.js';
import type { PerturbationSection } from './spec.js';

export const EPS_AXIS = 'eps';
export const TRIAL_AXIS = 'trial';

/** The game's perturbation fields that vary by cell. */
export interface CellPerturbation {
  eps: number;
  seed: number;
  draw: number;
}

export function perturbationAt(
  p: ResolvedPerturbation,
  eps: number,
  epsIndex: number,
  trial: number,
): CellPerturbation {
  return p.stream === 'per-trial'
    ? { eps, seed: p.seed + trial, draw: 0 }
    : { eps, seed: p.seed, draw: epsIndex * p.trials + trial };
}

export interface PerturbationAxes {
  axes: SweepAxis[];
  resolved: ResolvedPerturbation;
  /** The game's perturbation at the first cell (structure and mode as written, checked with the game). */
  first: Record<string, unknown>;
  /** The eps values and draws whose games must be checked besides the first: the ends of each axis. */
  extremes: { eps: number; epsField: string; epsIndex: number }[];
  lastTrial: { trial: number; epsIndex: number } | null;
}

/** Orders the section's axes (eps, then trial) and checks the trial numbers. */
export function perturbationAxes(section: PerturbationSection, root: string): PerturbationAxes {
  const axes: SweepAxis[] = [];
  const add = (name: string, axis: Axis): void => {
    axes.push({ name, target: 'perturbation', field: `${root}.${name}`, axis, length: axisLength(axis) });
  };
  if (typeof section.eps !== 'number') add(EPS_AXIS, section.eps);
  if (typeof section.trial !== 'number') add(TRIAL_AXIS, section.trial);
  const trialAxis = typeof section.trial === 'number' ? null : section.trial;
  const trials = trialAxis ? axisLength(trialAxis) : 1;
  const trialField = `${root}.${TRIAL_AXIS}`;

  let maxTrial = typeof section.trial === 'number' ? section.trial : 0;
  if (trialAxis) {
    const k = firstNonInteger(trialAxis);
    if (k >= 0)
      throw new InputError(
        trialField,
        `value ${axisValue(trialAxis, k)} (index ${k}) is not an integer; trials are numbered 0, 1, ...`,
      );
    // Integer axes are short (the cell limit bounds them): every value is read once.
    for (let k = 0; k < trials; k++) {
      const t = axisValue(trialAxis, k);
      if (t < 0) throw new InputError(trialField, `value ${t} (index ${k}) must be >= 0`);
      if (section.stream === 'shared' && t !== k)
        throw new InputError(
          trialField,
          `value ${t} (index ${k}): with stream shared the trials must be 0, 1, ..., ${trials - 1} (e.g. {range: [0, ${trials}, 1]})`,
        );
      maxTrial = Math.max(maxTrial, t);
    }
  } else if (section.stream === 'shared' && section.trial !== 0) {
    throw new InputError(trialField, 'must be 0 with stream shared and one trial (or an axis 0, 1, ...)');
  }
  if (section.stream === 'per-trial' && !Number.isSafeInteger(section.seed + maxTrial))
    throw new InputError(trialField, `seed + trial ${maxTrial} must be below 2^53 (a NumPy seed)`);

  const trial0 = trialAxis ? axisValue(trialAxis, 0) : (section.trial as number);
  const resolved: ResolvedPerturbation = {
    stream: section.stream,
    seed: section.seed,
    trials,
    trial: trial0,
  };
  const eps0 = typeof section.eps === 'number' ? section.eps : axisValue(section.eps, 0);
  const written = Object.fromEntries(
    (['structure', 'mode'] as const).filter((k) => section[k] !== undefined).map((k) => [k, section[k]]),
  );
  const first = { ...written, ...perturbationAt(resolved, eps0, 0, trial0) };

  const extremes: PerturbationAxes['extremes'] = [];
  if (typeof section.eps !== 'number') {
    const axis = section.eps;
    const n = axisLength(axis);
    const indices = 'values' in axis ? axis.values.map((_v, k) => k) : [n - 1];
    for (const k of indices)
      if (k > 0) extremes.push({ eps: axisValue(axis, k), epsField: `${root}.${EPS_AXIS}`, epsIndex: k });
  }
  const epsCount = typeof section.eps === 'number' ? 1 : axisLength(section.eps);
  // The latest draw: the last eps with the highest trial (shared), or any eps (per-trial: draw 0).
  const lastTrial = section.stream === 'shared' ? { trial: maxTrial, epsIndex: epsCount - 1 } : null;
  return { axes, resolved, first, extremes, lastTrial };
}
