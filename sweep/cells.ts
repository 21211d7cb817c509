/**
 * Cells of a resolved sweep, addressed by index with mixed-radix decoding (last axis fastest),
 * so any cell of a 10^7-cell sweep is found by arithmetic alone, never by expansion.
 */
import type { GameSpec, QuadraticSpec } from '../sgn/games/spec.js';
import type { Perturbation } from '../sgn/games/perturbation.js';
import { EPS_AXIS, TRIAL_AXIS, perturbationAt } from './perturbation.js';
import { axisValue, type Axis } from './axes.js';
import { canonicalJson, canonicalNumberRecord, sha256Hex } from './canonical.js';
import { RADIUS_AXIS, type ResolvedSweep } from './resolved.js';

export type CellWeights =
  { kind: 'optimal' } | { kind: 'fixed'; values: number[] } | { kind: 'ratio'; ratio: number };

/** A cell's parameter: a number, or (the file axis) the file's name. */
export type ParamValue = number | string;

export interface Cell {
  index: number;
  /** First 32 hex chars of sha256(canonicalJson(params)): stable across runs and machines. */
  key: string;
  /** Axis name -> value, in axis order (the file axis: the file's name). */
  params: Record<string, ParamValue>;
  /** Base game + this cell's game-axis values, ready for buildGame. Shares the base's matrices: treat as read-only. */
  game: GameSpec;
  weights: CellWeights;
  /** The region's radii (one, or one per player): the radius axis' value or the fixed radii; null without a region. */
  radii: number[] | null;
}

export function cellCount(resolved: ResolvedSweep): number {
  return resolved.totalCells;
}

/** Key of a params record (the same function keys cells and game groups). */
export function paramsKey(params: Record<string, ParamValue>): string {
  return sha256Hex(canonicalJson(params)).slice(0, 32);
}

/** Length of the ratio axis (the fastest one), or 1 when weights are not swept. */
export function ratioLength(resolved: ResolvedSweep): number {
  return resolved.weights.kind === 'ratio' ? resolved.axes[resolved.axes.length - 1].length : 1;
}

/** Index of the cell's game among the sweep's games: cells gameIndex*R .. gameIndex*R + R - 1 share it. */
export function gameIndex(resolved: ResolvedSweep, index: number): number {
  checkIndex(resolved, index);
  return Math.floor(index / ratioLength(resolved));
}

/**
 * Key of the cell's game- and region-axis params: equal for all cells that share a game analysis
 * (the bounds depend on the region, so a radius axis splits games into groups).
 */
export function gameGroupKey(resolved: ResolvedSweep, index: number): string {
  const { values } = decode(resolved, index);
  return keyOf(planFor(resolved).group, values, resolved);
}

/** Key of the cell's game-axis params alone: equal for all cells that share a game (and its equilibrium). */
export function gameKey(resolved: ResolvedSweep, index: number): string {
  const { values } = decode(resolved, index);
  return keyOf(planFor(resolved).game, values, resolved);
}

export function cellAt(resolved: ResolvedSweep, index: number): Cell {
  const { params, values, positions } = decode(resolved, index);
  // The base game (a file axis: the cell's file's) with this cell's axis values put in (resolveSpec
  // checked the game at every axis value).
  const fileAxis = resolved.files ? resolved.axes.findIndex((a) => a.files) : -1;
  const game: Record<string, unknown> = {
    ...(fileAxis >= 0 && resolved.files ? resolved.files[values[fileAxis]].game : resolved.game),
  };
  let weights: CellWeights;
  switch (resolved.weights.kind) {
    case 'fixed':
      weights = { kind: 'fixed', values: resolved.weights.values };
      break;
    case 'ratio':
      weights = { kind: 'ratio', ratio: values[values.length - 1] };
      break;
    default:
      weights = { kind: 'optimal' };
  }
  resolved.axes.forEach((a, i) => {
    if (a.target === 'game' && !a.files) game[a.name] = values[i];
  });
  if (resolved.perturbation) game.perturbation = cellPerturbation(resolved, values, positions);
  const region = resolved.region;
  const radii = !region ? null : region.radii ? region.radii : [params[RADIUS_AXIS] as number];
  return {
    index,
    key: keyOf(planFor(resolved).all, values, resolved),
    params,
    game: game as unknown as GameSpec,
    weights,
    radii,
  };
}

/** The parameters of cell `index` alone (cellAt without its game and key: cheap to scan). */
export function paramsAt(resolved: ResolvedSweep, index: number): Record<string, ParamValue> {
  return decode(resolved, index).params;
}

/** Cells start .. end - 1 (end clamped to the cell count), decoded one at a time. */
export function* cellsInRange(
  resolved: ResolvedSweep,
  start: number,
  end: number,
): Generator<Cell, void, undefined> {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new RangeError(`invalid cell range [${start}, ${end})`);
  }
  const stop = Math.min(end, resolved.totalCells);
  for (let i = start; i < stop; i++) yield cellAt(resolved, i);
}

function checkIndex(resolved: ResolvedSweep, index: number): void {
  if (!Number.isSafeInteger(index) || index < 0 || index >= resolved.totalCells) {
    throw new RangeError(`cell index ${index} outside [0, ${resolved.totalCells})`);
  }
}

/**
 * The game's perturbation at this cell: the base game's, with the eps and the stream's seed and
 * draw of this cell's eps and trial (perturbation.ts). Depends on the cell's axis positions only.
 */
function cellPerturbation(
  resolved: ResolvedSweep,
  values: readonly number[],
  positions: readonly number[],
): Perturbation {
  const base = (resolved.game as QuadraticSpec).perturbation;
  const p = resolved.perturbation;
  if (!base || !p) throw new Error('a perturbed sweep has no perturbation in its base game');
  let eps = base.eps;
  let epsIndex = 0;
  let trial = p.trial;
  resolved.axes.forEach((a, i) => {
    if (a.target !== 'perturbation') return;
    if (a.name === EPS_AXIS) {
      eps = values[i];
      epsIndex = positions[i];
    } else if (a.name === TRIAL_AXIS) trial = values[i];
  });
  return { ...base, ...perturbationAt(p, eps, epsIndex, trial) };
}

function decode(
  resolved: ResolvedSweep,
  index: number,
): { params: Record<string, ParamValue>; values: number[]; positions: number[] } {
  checkIndex(resolved, index);
  const { axes } = resolved;
  const values = new Array<number>(axes.length);
  const positions = new Array<number>(axes.length);
  let rest = index;
  for (let i = axes.length - 1; i >= 0; i--) {
    const len = axes[i].length;
    const k = rest % len;
    rest = (rest - k) / len;
    positions[i] = k;
    values[i] = cachedValue(axes[i].axis, k, len);
  }
  const params: Record<string, ParamValue> = {};
  axes.forEach((a, i) => (params[a.name] = a.files ? a.files[values[i]] : values[i]));
  return { params, values, positions };
}

// Per-sweep key plan: axis indices in canonical (sorted-name) order, computed once per object.
interface KeyPlan {
  names: string[];
  axisIndex: number[];
}
interface KeyPlans {
  all: KeyPlan;
  /** Game, perturbation and region axes: one game analysis. */
  group: KeyPlan;
  /** Game and perturbation axes: one game. */
  game: KeyPlan;
}
const plans = new WeakMap<ResolvedSweep, KeyPlans>();

function planFor(resolved: ResolvedSweep): KeyPlans {
  let plan = plans.get(resolved);
  if (!plan) {
    const make = (pick: (i: number) => boolean): KeyPlan => {
      const idx = resolved.axes.map((_, i) => i).filter(pick);
      idx.sort((i, j) => (resolved.axes[i].name < resolved.axes[j].name ? -1 : 1));
      return { names: idx.map((i) => resolved.axes[i].name), axisIndex: idx };
    };
    plan = {
      all: make(() => true),
      group: make((i) => resolved.axes[i].target !== 'weights'),
      // A perturbation's eps and trial change the game as its own fields do.
      game: make((i) => resolved.axes[i].target === 'game' || resolved.axes[i].target === 'perturbation'),
    };
    plans.set(resolved, plan);
  }
  return plan;
}

function keyOf(plan: KeyPlan, values: readonly number[], resolved: ResolvedSweep): string {
  if (resolved.files) {
    // A file axis keys by the file's name, as paramsKey(params) does.
    const record: Record<string, ParamValue> = {};
    for (const i of plan.axisIndex) {
      const files = resolved.axes[i].files;
      record[resolved.axes[i].name] = files ? files[values[i]] : values[i];
    }
    return paramsKey(record);
  }
  const ordered = plan.axisIndex.map((i) => values[i]);
  return sha256Hex(canonicalNumberRecord(plan.names, ordered)).slice(0, 32);
}

// geomspace values cost a double-double pow each; memoise per axis object (lazily, bounded).
const CACHE_MAX = 1 << 16;
const cache = new WeakMap<Axis, Float64Array>();

function cachedValue(axis: Axis, k: number, len: number): number {
  if (!('geomspace' in axis) || len > CACHE_MAX) return axisValue(axis, k);
  let memo = cache.get(axis);
  if (!memo) {
    memo = new Float64Array(len).fill(NaN);
    cache.set(axis, memo);
  }
  if (Number.isNaN(memo[k])) memo[k] = axisValue(axis, k);
  return memo[k];
}
