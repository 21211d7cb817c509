/**
 * The `--small` scale: any sweep spec at a reduced size, for smoke runs and CI (every
 * examples/paper/*.yaml runs this way in test/paper-examples.test.ts). A pure function on the raw
 * spec (before resolution, so the game file, the checks and the hash apply to the small spec as to
 * any other): every axis keeps at most SMALL_AXIS_VALUES values, spread evenly over its index range
 * with both ends kept; seed axes, perturbation trials and step-size seeds keep at most 2; step-size
 * runs at most SMALL_STEPS iterations. The id (or the name) gains `-small`, so a small sweep never
 * resumes, nor is taken for, the full one.
 */
import { axisLength, axisValue, type Axis } from './axes.js';
import { GAME_AXIS_FIELDS, isAxisObject, parseSweepSpec } from './spec.js';

export const SMALL_AXIS_VALUES = 5;
/** Seeds, trials, initial points: two keep a pooled statistic (median, quartiles) meaningful. */
export const SMALL_SEEDS = 2;
export const SMALL_STEPS = 500;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** At most k values of the axis: indices round(i (n - 1) / (k - 1)), both ends kept. */
export function spreadAxis(axis: Axis, k: number): Axis {
  const n = axisLength(axis);
  if (n <= k) return axis;
  const idx = k === 1 ? [0] : Array.from({ length: k }, (_, i) => Math.round((i * (n - 1)) / (k - 1)));
  return { values: idx.map((i) => axisValue(axis, i)) };
}

/** The first k values (trials of a shared stream must stay 0 .. k-1). */
export function prefixAxis(axis: Axis, k: number): Axis {
  const n = axisLength(axis);
  if (n <= k) return axis;
  return { values: Array.from({ length: k }, (_, i) => axisValue(axis, i)) };
}

const shrink = (v: unknown, k: number, how: typeof spreadAxis = spreadAxis): unknown =>
  isAxisObject(v) ? how(v as Axis, k) : v;

/**
 * The spec at the small scale. It is validated first (parseSweepSpec), so a bad spec is refused
 * with the message the full one gets; the result is again a raw spec for resolveSpec.
 */
export function smallSpec(raw: unknown): unknown {
  parseSweepSpec(raw);
  const spec = structuredClone(raw) as Json;
  const k = SMALL_AXIS_VALUES;
  if (typeof spec.id === 'string') spec.id = `${spec.id.slice(0, 58)}-small`;
  spec.name = `${typeof spec.name === 'string' ? spec.name : 'sweep'} (small)`;

  const game = spec.game as Json;
  for (const key of GAME_AXIS_FIELDS)
    if (key in game) game[key] = shrink(game[key], key === 'seed' ? SMALL_SEEDS : k);
  if (isObject(game.perturbation)) {
    const p = game.perturbation;
    p.eps = shrink(p.eps, k);
    p.trial = shrink(p.trial, SMALL_SEEDS, prefixAxis);
  }
  if (isObject(spec.region)) spec.region.radius = shrink(spec.region.radius, k);
  if (isObject(spec.weights) && 'ratio' in spec.weights) spec.weights.ratio = shrink(spec.weights.ratio, k);

  if (isObject(spec.stepsize)) {
    const s = spec.stepsize;
    if (Array.isArray(s.multipliers)) s.multipliers = spreadAxis({ values: s.multipliers as number[] }, k);
    else s.multipliers = shrink(s.multipliers, k);
    s.h = shrink(s.h, k);
    // Defaults (4 seeds, 400 steps) are above or at the small caps: write the caps out.
    s.seeds = Math.min(typeof s.seeds === 'number' ? s.seeds : 4, SMALL_SEEDS);
    s.steps = Math.min(typeof s.steps === 'number' ? s.steps : 400, SMALL_STEPS);
    for (const f of ['multipliers', 'h']) if (s[f] === undefined) delete s[f];
  }
  return spec;
}
