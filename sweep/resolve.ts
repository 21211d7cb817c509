/**
 * Turns a raw sweep spec into a ResolvedSweep: validated, game file inlined, base game checked,
 * axes ordered, cell count bounded, hashed. The result is plain JSON (stored in the database and
 * re-read by workers elsewhere), so it holds no functions, class instances or undefined values.
 */
import { dirname, resolve as resolvePath } from 'node:path';
import { readDataFile } from '../cli/input.js';
import { parseGameSpec, playerCount, type GameSpec } from '../sgn/games/spec.js';
import { InputError } from '../sgn/util/errors.js';
import { axisLength, axisValue, axisValues, firstNonInteger, type Axis } from './axes.js';
import { canonicalJson, sha256Hex } from './canonical.js';
import {
  GAME_AXIS_FIELDS,
  SPEC_ROOT,
  isAxisObject,
  parseSweepSpec,
  type GameAxisField,
  type Integrator,
  type SweepKind,
} from './spec.js';

export const SWEEP_FORMAT = 'sgn-sweep/1';
export const DEFAULT_MAX_CELLS = 5_000_000;
/** Multipliers are run inside every cell, so their count is kept small. */
export const MAX_MULTIPLIERS = 1000;

export interface SweepAxis {
  /** Parameter name in cell params: the game field ('lambda', 'seed', ...) or 'ratio'. */
  name: string;
  target: 'game' | 'weights';
  /** Where the axis is written in the spec, for messages. */
  field: string;
  axis: Axis;
  length: number;
}

export type ResolvedWeights = { kind: 'optimal' } | { kind: 'fixed'; values: number[] } | { kind: 'ratio' };

export interface ResolvedStepsize {
  integrators: Integrator[];
  multipliers: number[];
  steps: number;
  seeds: number;
  spread: number;
  tolerance: number;
  weights: 'optimal';
}

export interface ResolvedSweep {
  format: typeof SWEEP_FORMAT;
  id?: string;
  name?: string;
  kind: SweepKind;
  /** The spec's game.file as written (informational: its content is inlined in `game`). */
  gameFile?: string;
  /** Base game, defaults applied, every swept field at its axis' first value. */
  game: GameSpec;
  players: number;
  /** Game axes in spec order, then the ratio axis (fastest-varying: consecutive cells share a game). */
  axes: SweepAxis[];
  weights: ResolvedWeights;
  certify: { c4: number; groundTruth: 'auto' | 'always' | 'never' };
  stepsize?: ResolvedStepsize;
  execution: { batchSize: number; concurrency: number };
  totalCells: number;
  /** Number of distinct games (totalCells / ratio-axis length). */
  gameCells: number;
  /** The cell limit that was applied, and where it came from. */
  cellLimit: number;
  cellLimitSource: string;
  /** sha256 of the canonical JSON of everything that determines results (see hashedPart). */
  specHash: string;
}

export interface ResolveOptions {
  /** Directory that relative paths in the spec (game.file) are resolved against. */
  baseDir: string;
  /** Overrides spec.maxCells and SGN_MAX_CELLS. */
  maxCells?: number;
}

const GAME_ROOT = `${SPEC_ROOT}.game`;

export function resolveSpec(raw: unknown, opts: ResolveOptions): ResolvedSweep {
  const spec = parseSweepSpec(raw);
  const rawGame = (raw as Record<string, unknown>).game as Record<string, unknown>;

  // Merge: the game file's fields are the base, the spec's own fields override them.
  const { file, ...specFields } = spec.game;
  const own: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(specFields)) if (v !== undefined) own[k] = v;
  const fromFile = file === undefined ? undefined : loadGameFile(file, opts.baseDir);
  const merged: Record<string, unknown> = { ...fromFile, ...own };

  // Game axes in the order the user wrote them (zod's output follows the schema's order).
  const gameAxes: SweepAxis[] = [];
  for (const key of Object.keys(rawGame)) {
    if (!(GAME_AXIS_FIELDS as readonly string[]).includes(key) || !isAxisObject(rawGame[key])) continue;
    const axis = own[key] as Axis;
    gameAxes.push({
      name: key,
      target: 'game',
      field: `${GAME_ROOT}.${key}`,
      axis,
      length: axisLength(axis),
    });
  }

  const first: Record<string, unknown> = { ...merged };
  for (const a of gameAxes) first[a.name] = axisValue(a.axis, 0);
  const game = parseBaseGame(first, fromFile, own, file);
  // Sweeps have no region axis yet: a nonlinear game would be certified at x = 0 only.
  if (game.family !== 'quadratic')
    throw new InputError(
      `${GAME_ROOT}.family`,
      `sweeps support the quadratic family only (a ${game.family} game's bounds need a region; certify it with sgn certify --region)`,
    );
  const players = playerCount(game);

  for (const a of gameAxes) checkGameAxis(a, game);

  const axes = [...gameAxes];
  let weights: ResolvedWeights = { kind: 'optimal' };
  if (spec.weights !== 'optimal' && 'fixed' in spec.weights) {
    const values = spec.weights.fixed;
    if (values.length !== players) {
      throw new InputError(
        `${SPEC_ROOT}.weights.fixed`,
        `has ${values.length} weights but the game has ${players} players`,
      );
    }
    weights = { kind: 'fixed', values };
  } else if (spec.weights !== 'optimal') {
    if (players !== 2) {
      throw new InputError(
        `${SPEC_ROOT}.weights.ratio`,
        `needs a 2-player game (r = w2/w1), but the game has ${players} players; use {fixed: [...]} or 'optimal'`,
      );
    }
    const axis = spec.weights.ratio;
    axes.push({
      name: 'ratio',
      target: 'weights',
      field: `${SPEC_ROOT}.weights.ratio`,
      axis,
      length: axisLength(axis),
    });
    weights = { kind: 'ratio' };
  }

  const { limit, source } = cellLimit(opts, spec.maxCells);
  const totalCells = boundedProduct(axes, limit, source);
  const ratioLength = weights.kind === 'ratio' ? axes[axes.length - 1].length : 1;

  // Integrality of a seed axis needs every value; the cell bound above keeps this loop bounded.
  const seedAxis = gameAxes.find((a) => a.name === 'seed');
  if (seedAxis) {
    const k = firstNonInteger(seedAxis.axis);
    if (k >= 0) {
      throw new InputError(
        seedAxis.field,
        `value ${axisValue(seedAxis.axis, k)} (index ${k}) is not an integer; seeds must be integers`,
      );
    }
  }

  let stepsize: ResolvedStepsize | undefined;
  if (spec.stepsize) {
    const s = spec.stepsize;
    const n = axisLength(s.multipliers);
    if (n > MAX_MULTIPLIERS) {
      throw new InputError(
        `${SPEC_ROOT}.stepsize.multipliers`,
        `has ${n} values; at most ${MAX_MULTIPLIERS} (every cell runs all of them)`,
      );
    }
    stepsize = {
      integrators: s.integrators,
      multipliers: axisValues(s.multipliers),
      steps: s.steps,
      seeds: s.seeds,
      spread: s.spread,
      tolerance: s.tolerance,
      weights: s.weights,
    };
  }

  // Optional keys are left out rather than set to undefined: the object must survive JSON.
  const resolved: ResolvedSweep = {
    format: SWEEP_FORMAT,
    ...(spec.id !== undefined ? { id: spec.id } : {}),
    ...(spec.name !== undefined ? { name: spec.name } : {}),
    kind: spec.kind,
    ...(file !== undefined ? { gameFile: file } : {}),
    game,
    players,
    axes,
    weights,
    certify: { c4: spec.certify.c4, groundTruth: spec.certify.groundTruth },
    ...(stepsize ? { stepsize } : {}),
    execution: { batchSize: spec.execution.batchSize, concurrency: spec.execution.concurrency },
    totalCells,
    gameCells: totalCells / ratioLength,
    cellLimit: limit,
    cellLimitSource: source,
    specHash: '',
  };
  resolved.specHash = sha256Hex(canonicalJson(hashedPart(resolved)));
  return resolved;
}

/** Reads and resolves a spec file; game.file paths are relative to the spec's directory. */
export function resolveSpecFile(path: string, opts: Omit<ResolveOptions, 'baseDir'> = {}): ResolvedSweep {
  return resolveSpec(readDataFile(path), { ...opts, baseDir: dirname(resolvePath(path)) });
}

/**
 * What the hash covers: everything that determines the cells and their results. Not id, name,
 * gameFile (the content is inlined), execution or the cell limit: changing those must not turn
 * a resumable sweep into a new one.
 */
export function hashedPart(r: ResolvedSweep): unknown {
  return {
    format: r.format,
    kind: r.kind,
    game: r.game,
    axes: r.axes.map((a) => ({ name: a.name, target: a.target, axis: a.axis })),
    weights: r.weights,
    certify: r.certify,
    stepsize: r.stepsize ?? null,
  };
}

/** spec.id, or `<slug of name, or 'sweep'>-<first 10 hex of specHash>`. */
export function sweepIdFor(resolved: ResolvedSweep): string {
  if (resolved.id) return resolved.id;
  const slug = (resolved.name ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return `${slug || 'sweep'}-${resolved.specHash.slice(0, 10)}`;
}

/** The applicable cell limit: opts.maxCells ?? spec.maxCells ?? SGN_MAX_CELLS ?? 5,000,000. */
export function cellLimit(
  opts: { maxCells?: number },
  specMaxCells?: number,
): { limit: number; source: string } {
  if (opts.maxCells !== undefined) {
    if (!Number.isSafeInteger(opts.maxCells) || opts.maxCells < 1) {
      throw new InputError('maxCells', `must be a positive integer, got ${opts.maxCells}`);
    }
    return { limit: opts.maxCells, source: 'the maxCells option' };
  }
  if (specMaxCells !== undefined) return { limit: specMaxCells, source: `${SPEC_ROOT}.maxCells` };
  const env = process.env.SGN_MAX_CELLS;
  if (env !== undefined && env.trim() !== '') {
    const v = Number(env);
    if (!Number.isSafeInteger(v) || v < 1)
      throw new InputError('SGN_MAX_CELLS', `must be a positive integer, got "${env}"`);
    return { limit: v, source: 'SGN_MAX_CELLS' };
  }
  return { limit: DEFAULT_MAX_CELLS, source: 'the default limit' };
}

function boundedProduct(axes: SweepAxis[], limit: number, source: string): number {
  // BigInt so that the message is exact even when the product overflows doubles.
  const total = axes.reduce((p, a) => p * BigInt(a.length), 1n);
  if (total > BigInt(limit)) {
    const shape = axes.map((a) => `${a.name} ${a.length}`).join(' x ');
    throw new InputError(
      SPEC_ROOT,
      `the sweep has ${total.toLocaleString('en-US')} cells (${shape}), over the limit of ${limit.toLocaleString('en-US')} ` +
        `set by ${source}; shrink the axes or raise maxCells / SGN_MAX_CELLS`,
    );
  }
  return Number(total);
}

function loadGameFile(file: string, baseDir: string): Record<string, unknown> {
  const path = resolvePath(baseDir, file);
  let data: unknown;
  try {
    data = readDataFile(path);
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`${GAME_ROOT}.file`, `${file}: ${e.problem}`);
    throw e;
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new InputError(`${GAME_ROOT}.file`, `${file} must hold a game object`);
  }
  return data as Record<string, unknown>;
}

function parseBaseGame(
  game: Record<string, unknown>,
  fromFile: Record<string, unknown> | undefined,
  own: Record<string, unknown>,
  file: string | undefined,
): GameSpec {
  try {
    return parseGameSpec(game, GAME_ROOT);
  } catch (e) {
    if (!(e instanceof InputError) || !fromFile) throw e;
    // Point at the file when the offending field came from it.
    const key = e.field.slice(GAME_ROOT.length + 1).split(/[.[]/)[0];
    if (key && key in fromFile && !(key in own))
      throw new InputError(e.field, `${e.problem} (in the game file ${file})`);
    throw e;
  }
}

function checkGameAxis(a: SweepAxis, game: GameSpec): void {
  const name = a.name as GameAxisField;
  if (name === 'mu0' && 'Q1' in game) {
    throw new InputError(
      a.field,
      'is informational in the Q1/Q2 form (Q1 and Q2 fix the curvature), so it cannot be swept',
    );
  }
}
