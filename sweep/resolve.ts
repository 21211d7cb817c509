/**
 * Turns a raw sweep spec into a ResolvedSweep: validated, game file inlined, base game checked,
 * axes ordered, cell count bounded, hashed. The result is plain JSON (stored in the database and
 * re-read by workers elsewhere), so it holds no functions, class instances or undefined values.
 */
import { statSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import type { SgnConfig } from '../config/config.js';
import { DEFAULT_MAX_INPUT_BYTES, readDataFile } from '../formats/data-file.js';
import { readGameData } from '../formats/sampled-file.js';
import { expandGlob } from '../formats/glob.js';
import { playerCount, type GameSpec } from '../sgn/games/spec.js';
import { parseGameSpec } from '../formats/game-file.js';
import {
  MARKOV_DEFAULT_REGION,
  MARKOV_NO_RIGOROUS,
  markovDefaultSampler,
} from '../sgn/games/markov/region-setup.js';
import { parseRegionSection, splitGameFile } from '../formats/region-section.js';
import { checkSampler, defaultSampler } from '../sgn/regions/samplers.js';
import { InputError } from '../sgn/util/errors.js';
import { axisLength, axisValue, axisValues, firstNonInteger, type Axis } from './axes.js';
import { perturbationAt, perturbationAxes, type PerturbationAxes } from './perturbation.js';
import { budgetLimits, checkCellBudget, checkTraceBatch, gameDimension, sweepCellShape } from './budget.js';
import { canonicalJson, sha256Hex } from './canonical.js';
import {
  DEFAULT_MAX_CELLS,
  MAX_MULTIPLIERS,
  RADIUS_AXIS,
  REGION_ROOT,
  SWEEP_FORMAT,
  FILE_AXIS,
  type ResolvedGameFile,
  type ResolvedRegion,
  type ResolvedStepsize,
  type ResolvedSweep,
  type ResolvedWeights,
  type SweepAxis,
} from './resolved.js';
import {
  GAME_AXIS_FIELDS,
  SPEC_ROOT,
  isAxisObject,
  parseSweepSpec,
  type GameAxisField,
  type StepsizeSection,
  type GameFileSection,
  type SweepRegionSection,
} from './spec.js';
import type { ConvergenceCriterion } from '../sgn/experiments/convergence.js';

/** The settings resolving reads (config/config.ts): the input, cell count and cell budget limits. */
export type ResolveSettings = Pick<SgnConfig, 'maxInputBytes' | 'maxCells' | 'maxCellMemory' | 'maxCellWork'>;

export interface ResolveOptions {
  /** Directory that relative paths in the spec (game.file) are resolved against. */
  baseDir: string;
  /** The settings (the CLI passes its SgnConfig); absent: every limit at its default. */
  settings?: ResolveSettings;
  /** Overrides spec.maxCells and SGN_MAX_CELLS. */
  maxCells?: number;
  /** Overrides SGN_MAX_CELL_MEMORY (bytes a cell may take; see budget.ts). */
  maxCellMemory?: number;
  /** Overrides SGN_MAX_CELL_WORK (floating-point operations a cell may take; see budget.ts). */
  maxCellWork?: number;
}

const GAME_ROOT = `${SPEC_ROOT}.game`;

export function resolveSpec(raw: unknown, opts: ResolveOptions): ResolvedSweep {
  const spec = parseSweepSpec(raw);
  const rawGame = (raw as Record<string, unknown>).game as Record<string, unknown>;

  // Merge: the game file's fields are the base, the spec's own fields override them.
  const { file: fileSection, ...specFields } = spec.game;
  const own: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(specFields)) if (v !== undefined) own[k] = v;
  // A file axis: every file is read now and its game inlined, so that every worker sees the same list.
  const fileNames = fileSection === undefined ? undefined : gameFileList(fileSection, opts.baseDir);
  const fileAxis = fileSection !== undefined && typeof fileSection !== 'string';
  if (fileAxis && fileNames) checkFileAxisSize(fileNames, opts, spec.maxCells);
  const loadedAll = fileNames?.map((f) => loadGameFile(f, opts.baseDir, opts.settings));
  const loaded = loadedAll?.[0];
  const file = fileNames?.[0];
  const fromFile = loaded?.game;
  const merged: Record<string, unknown> = { ...fromFile, ...own };

  // Game axes in the order the user wrote them (zod's output follows the schema's order).
  const gameAxes: SweepAxis[] = [];
  for (const key of Object.keys(rawGame)) {
    if (key === 'file' && fileAxis && fileNames) {
      gameAxes.push({
        name: FILE_AXIS,
        target: 'game',
        field: `${GAME_ROOT}.file`,
        axis: { values: fileNames.map((_f, k) => k) },
        length: fileNames.length,
        files: fileNames,
      });
      continue;
    }
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
  for (const a of gameAxes) if (!a.files) first[a.name] = axisValue(a.axis, 0);
  const perturbation = spec.game.perturbation
    ? perturbationAxes(spec.game.perturbation, `${GAME_ROOT}.perturbation`)
    : undefined;
  if (perturbation) first.perturbation = perturbation.first;
  const game = parseBaseGame(first, fromFile, own, file);
  const players = playerCount(game);

  for (const a of gameAxes) {
    if (a.files) continue;
    checkGameAxis(a, game);
    checkAxisValues(a, first);
  }
  if (perturbation) checkPerturbationValues(perturbation, first);
  const files =
    fileAxis && fileNames && loadedAll ? resolveFileAxis(fileNames, loadedAll, first, own, game) : undefined;
  if (game.family === 'sampled-jacobians') checkSampledSweep(spec, loaded?.region, file);

  const { region, axis: radiusAxis } = resolveRegionSection(spec.region, loaded?.region, file, game);
  const axes = [...gameAxes, ...(perturbation?.axes ?? []), ...(radiusAxis ? [radiusAxis] : [])];
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
    s.integrators.forEach((integrator, k) => {
      if ((integrator === 'npg' || integrator === 'epg') && game.family !== 'markov')
        throw new InputError(
          `${SPEC_ROOT}.stepsize.integrators[${k}]`,
          `${integrator} (policy gradient) is for the markov family only; the ${game.family} family takes euler or rk4`,
        );
    });
    const stepAxis = s.h ?? s.multipliers!;
    const stepField = `${SPEC_ROOT}.stepsize.${s.h ? 'h' : 'multipliers'}`;
    const n = axisLength(stepAxis);
    if (n > MAX_MULTIPLIERS) {
      throw new InputError(
        stepField,
        `has ${n} values; at most ${MAX_MULTIPLIERS} (every cell runs all of them)`,
      );
    }
    if (s.of === 'threshold') {
      if (game.family !== 'quadratic')
        throw new InputError(
          `${SPEC_ROOT}.stepsize.of`,
          `threshold needs the exact stability threshold of a linear game (the quadratic family); the ${game.family} family has none: use multipliers of the certified step or absolute h`,
        );
      if (spec.certify.groundTruth === 'never')
        throw new InputError(
          `${SPEC_ROOT}.stepsize.of`,
          'threshold needs the exact thresholds, which certify.groundTruth: never skips',
        );
    }
    const base = s.h ? 'absolute' : s.of === 'threshold' ? 'threshold' : undefined;
    stepsize = {
      integrators: s.integrators,
      multipliers: axisValues(stepAxis),
      // Only when not the certified step, so the hashes of earlier sweeps stay what they were.
      ...(base ? { base } : {}),
      steps: s.steps,
      seeds: s.seeds,
      spread: s.spread,
      tolerance: s.tolerance,
      weights: s.weights,
      // Optional keys only when given, so the hashes of earlier sweeps stay what they were.
      ...(s.start ? { start: s.start } : {}),
      ...(s.converged ? { converged: resolvedCriterion(s.converged, s.tolerance) } : {}),
      ...(s.trace ? { trace: s.trace } : {}),
    };
  }

  // Optional keys are left out rather than set to undefined: the object must survive JSON.
  const resolved: ResolvedSweep = {
    format: SWEEP_FORMAT,
    ...(spec.id !== undefined ? { id: spec.id } : {}),
    ...(spec.name !== undefined ? { name: spec.name } : {}),
    kind: spec.kind,
    ...(typeof fileSection === 'string' ? { gameFile: fileSection } : {}),
    ...(files ? { files } : {}),
    game,
    ...(perturbation ? { perturbation: perturbation.resolved } : {}),
    players,
    axes,
    weights,
    ...(region ? { region } : {}),
    certify: { c4: spec.certify.c4, groundTruth: spec.certify.groundTruth },
    ...(stepsize ? { stepsize } : {}),
    execution: { ...spec.execution },
    totalCells,
    gameCells: totalCells / ratioLength,
    cellLimit: limit,
    cellLimitSource: source,
    specHash: '',
  };
  // Every cell must fit the worker's memory and a bounded amount of work (budget.ts), checked
  // here, before anything is stored or started.
  const limits = budgetLimits(opts.settings, {
    maxCellMemory: opts.maxCellMemory,
    maxCellWork: opts.maxCellWork,
  });
  for (const f of files ?? [{ name: file, game }]) {
    const shape = sweepCellShape({ ...resolved, game: f.game });
    try {
      checkCellBudget(shape, limits, {
        size: `${GAME_ROOT}.${shape.game.sizeField}`,
        sampler: `${REGION_ROOT}.sampler`,
        groundTruth: `${SPEC_ROOT}.certify.groundTruth`,
        steps: `${SPEC_ROOT}.stepsize.steps`,
        seeds: `${SPEC_ROOT}.stepsize.seeds`,
        tracePoints: `${SPEC_ROOT}.stepsize.trace.points`,
      });
    } catch (e) {
      if (e instanceof InputError && files)
        throw new InputError(e.field, `${e.problem} (the game file ${f.name})`);
      throw e;
    }
  }
  checkTraceBatch(resolved, `${SPEC_ROOT}.stepsize.trace.points`);
  resolved.specHash = sha256Hex(canonicalJson(hashedPart(resolved)));
  return resolved;
}

/** stepsize.converged with its tol (default: stepsize.tolerance) filled in. */
function resolvedCriterion(
  c: NonNullable<StepsizeSection['converged']>,
  tolerance: number,
): ConvergenceCriterion {
  const tol = c.tol ?? tolerance;
  return c.criterion === 'bounded'
    ? { criterion: 'bounded', tol, bound: c.bound as number }
    : { criterion: c.criterion, tol };
}

/** Reads and resolves a spec file; game.file paths are relative to the spec's directory. */
export function resolveSpecFile(path: string, opts: Omit<ResolveOptions, 'baseDir'> = {}): ResolvedSweep {
  return resolveSpec(readDataFile(path, opts.settings), { ...opts, baseDir: dirname(resolvePath(path)) });
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
    // Markov games: the Fisher convention in effect, written out, so that the sweeps run before
    // the default became the paper's (unregularised blocks; then every block had 1e-3 I) hash
    // differently from today's and are never resumed with cells of the other convention.
    game: hashedGame(r.game),
    axes: r.axes.map((a) => ({
      name: a.name,
      target: a.target,
      axis: a.axis,
      ...(a.files ? { files: a.files } : {}),
    })),
    // A file axis: every file's content (only when present, so other sweeps' hashes stay).
    ...(r.files ? { files: r.files.map((f) => ({ name: f.name, game: hashedGame(f.game) })) } : {}),
    // Only when present, like the region: how trials draw decides every perturbed game.
    ...(r.perturbation ? { perturbation: r.perturbation } : {}),
    weights: r.weights,
    certify: r.certify,
    stepsize: r.stepsize ?? null,
    // Only when present, so the hashes of region-less sweeps stay what they were.
    ...(r.region ? { region: { ...r.region, source: undefined } } : {}),
  };
}

function hashedGame(game: GameSpec): unknown {
  return game.family === 'markov'
    ? { ...game, fisher: { blockRegularisation: game.fisher?.blockRegularisation ?? 0 } }
    : game;
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
  opts: { maxCells?: number; settings?: Pick<SgnConfig, 'maxCells'> },
  specMaxCells?: number,
): { limit: number; source: string } {
  if (opts.maxCells !== undefined) {
    if (!Number.isSafeInteger(opts.maxCells) || opts.maxCells < 1) {
      throw new InputError('maxCells', `must be a positive integer, got ${opts.maxCells}`);
    }
    return { limit: opts.maxCells, source: 'the maxCells option' };
  }
  if (specMaxCells !== undefined) return { limit: specMaxCells, source: `${SPEC_ROOT}.maxCells` };
  const setting = opts.settings?.maxCells;
  if (setting !== undefined) return { limit: setting, source: 'SGN_MAX_CELLS' };
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

/** The files of game.file: the one file, the list as written, or the glob's matches (sorted). */
function gameFileList(section: GameFileSection, baseDir: string): string[] {
  if (typeof section === 'string') return [section];
  if ('values' in section) return section.values;
  const found = expandGlob(section.glob, baseDir);
  if (found.length === 0)
    throw new InputError(
      `${GAME_ROOT}.file.glob`,
      `"${section.glob}" matches no file (relative to ${baseDir})`,
    );
  return found;
}

/**
 * Before any file of an axis is read: no more files than the cell limit allows, and together no
 * more bytes than the input limit (SGN_MAX_INPUT_BYTES), since the resolved spec holds them all
 * and every worker reads it. A file that cannot be stat'ed is left to loadGameFile to report.
 */
function checkFileAxisSize(names: string[], opts: ResolveOptions, specMaxCells: number | undefined): void {
  const field = `${GAME_ROOT}.file`;
  const { limit, source } = cellLimit(opts, specMaxCells);
  if (names.length > limit)
    throw new InputError(
      field,
      `lists ${names.length} files, over the cell limit of ${limit} set by ${source}`,
    );
  const max = opts.settings?.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES;
  let total = 0;
  for (const name of names) {
    try {
      total += statSync(resolvePath(opts.baseDir, name)).size;
    } catch {
      continue;
    }
    if (total > max)
      throw new InputError(
        field,
        `the files up to ${name} hold ${total} bytes, over the input limit of ${max} (SGN_MAX_INPUT_BYTES) for a file axis together (the stored spec holds them all)`,
      );
  }
}

/**
 * Every file of a file axis as a game: the file's fields, the spec's own fields over them and the
 * other axes at their first value, checked. The files must be one family with as many players.
 */
function resolveFileAxis(
  names: string[],
  loaded: { game: Record<string, unknown>; region: unknown }[],
  first: Record<string, unknown>,
  own: Record<string, unknown>,
  base: GameSpec,
): ResolvedGameFile[] {
  const field = `${GAME_ROOT}.file`;
  const firstRegion = canonicalJson(loaded[0].region ?? null);
  return names.map((name, k) => {
    if (k === 0) return { name, game: base };
    const fromFile = loaded[k].game;
    const game = parseBaseGame({ ...fromFile, ...ownAtFirst(first, own) }, fromFile, own, name);
    if (game.family !== base.family)
      throw new InputError(
        field,
        `${name} is a ${game.family} game but ${names[0]} is ${base.family}; the files of an axis are one family`,
      );
    if (playerCount(game) !== playerCount(base))
      throw new InputError(
        field,
        `${name} has ${playerCount(game)} players but ${names[0]} has ${playerCount(base)}`,
      );
    if (canonicalJson(loaded[k].region ?? null) !== firstRegion)
      throw new InputError(
        field,
        `${name} has another region section than ${names[0]}; give the sweep's region in spec.region`,
      );
    return { name, game };
  });
}

/** The spec's own fields, each axis at its first value (as `first` holds them). */
function ownAtFirst(first: Record<string, unknown>, own: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(own).map((k) => [k, first[k]]));
}

/** A sampled-Jacobians game is certified over its samples: no region, no dynamics to run. */
function checkSampledSweep(
  spec: { kind: string; region?: unknown },
  fileRegion: unknown,
  file: string | undefined,
): void {
  if (spec.region !== undefined || fileRegion !== undefined)
    throw new InputError(
      spec.region !== undefined ? REGION_ROOT : `${GAME_ROOT}.file`,
      `${spec.region !== undefined ? 'does not apply' : `${file} has a region section, which does not apply`} to a sampled-jacobians game: its bounds are taken over the samples its file gives`,
    );
  if (spec.kind !== 'certify')
    throw new InputError(
      `${SPEC_ROOT}.kind`,
      `must be "certify" for a sampled-jacobians game: it is known at its samples only, so there are no trajectories to run`,
    );
}

/** A game file's game, and its `region` section if it has one (sgn certify reads the same files). */
function loadGameFile(
  file: string,
  baseDir: string,
  settings: ResolveSettings | undefined,
): { game: Record<string, unknown>; region: unknown } {
  const path = resolvePath(baseDir, file);
  let data: unknown;
  try {
    data = readGameData(path, settings);
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`${GAME_ROOT}.file`, `${file}: ${e.problem}`);
    throw e;
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new InputError(`${GAME_ROOT}.file`, `${file} must hold a game object`);
  }
  const { game, region } = splitGameFile(data);
  return { game: game as Record<string, unknown>, region };
}

const NONLINEAR_REGION_HINT =
  'e.g. region: {kind: box, radius: 0.5} or a radius axis {kind: box, radius: {linspace: [0.1, 2, 20]}}';

/**
 * The sweep's region: spec.region, else the game file's region section, else (markov) the paper's
 * logit cube. Checked here, before any cell runs: what the family can do with it, the radii per
 * player, the centre's length, the sampler against the region's kind and dimension.
 */
function resolveRegionSection(
  section: SweepRegionSection | undefined,
  fileSection: unknown,
  file: string | undefined,
  game: GameSpec,
): { region?: ResolvedRegion; axis?: SweepAxis } {
  const family = game.family;
  if (section === undefined && fileSection === undefined) {
    if (family === 'tanh')
      throw new InputError(
        REGION_ROOT,
        `is required for the tanh family (its bounds depend on the region; without one it would be certified at x = 0 only): ${NONLINEAR_REGION_HINT}`,
      );
    if (family !== 'markov') return {};
  }
  const fromFile = section === undefined && fileSection !== undefined;
  const source = fromFile ? `the region section of the game file ${file}` : REGION_ROOT;
  // A file's section is checked as if written at spec.region; the message says where it is.
  const inFile = (e: unknown): never => {
    if (e instanceof InputError && fromFile) throw new InputError(e.field, `${e.problem} (in ${source})`);
    throw e;
  };
  let axis: SweepAxis | undefined;
  let raw: unknown = section ?? fileSection ?? MARKOV_DEFAULT_REGION;
  if (section !== undefined && typeof section !== 'string') {
    const { radius, ...rest } = section;
    const fields = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
    if (!Array.isArray(radius) && typeof radius !== 'number') {
      axis = {
        name: RADIUS_AXIS,
        target: 'region',
        field: `${REGION_ROOT}.radius`,
        axis: radius,
        length: axisLength(radius),
      };
      raw = { ...fields, radius: axisValue(radius, 0) };
    } else raw = { ...fields, radius };
  }
  let parsed: ReturnType<typeof parseRegionSection>;
  try {
    parsed = parseRegionSection(raw, REGION_ROOT);
  } catch (e) {
    return inFile(e);
  }
  const players = playerCount(game);
  const { kind, radii, centre, start } = parsed.region;
  try {
    if (family === 'markov') {
      if (parsed.rigorous) throw new InputError(`${REGION_ROOT}.rigorous`, MARKOV_NO_RIGOROUS);
      if (centre !== undefined || start !== undefined)
        throw new InputError(
          `${REGION_ROOT}.${centre !== undefined ? 'centre' : 'start'}`,
          "is not used by the markov family: its region is the logit box around the regularised equilibrium (leave it out, or centre: 'equilibrium')",
        );
    }
    if (kind === 'ball' && radii.length !== 1)
      throw new InputError(`${REGION_ROOT}.radius`, 'a ball has one radius (per-player radii are for box)');
    if (radii.length !== 1 && radii.length !== players)
      throw new InputError(
        `${REGION_ROOT}.radius`,
        `has ${radii.length} radii, expected 1 or ${players} (one per player)`,
      );
    // Dimension of the joint state, from the spec: the game is not built here (it may not fit).
    const dim = gameDimension(game);
    for (const [name, p] of [
      ['centre', centre],
      ['start', start],
    ] as const) {
      if (p && p.length !== dim)
        throw new InputError(
          `${REGION_ROOT}.${name}`,
          `has ${p.length} entries, expected ${dim} (the joint state)`,
        );
    }
    const sampler = parsed.sampler ?? (family === 'markov' ? markovDefaultSampler(dim) : defaultSampler(dim));
    checkSampler(sampler, kind, dim, `${REGION_ROOT}.sampler`);
    const region: ResolvedRegion = {
      kind,
      ...(axis ? {} : { radii: [...radii] }),
      ...(centre ? { centre: [...centre] } : {}),
      ...(start ? { start: [...start] } : {}),
      sampler,
      rigorous: parsed.rigorous === true,
      source,
    };
    return { region, axis };
  } catch (e) {
    return inFile(e);
  }
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

/**
 * Every value of a game axis must make a valid game (gamma in [0, 1), tau >= 0, ...): generated
 * axes are monotone, so their ends are checked; value lists value by value.
 */
function checkAxisValues(a: SweepAxis, first: Record<string, unknown>): void {
  const n = a.length;
  const indices = 'values' in a.axis ? a.axis.values.map((_v, k) => k) : n > 1 ? [n - 1] : [];
  for (const k of indices) {
    if (k === 0) continue; // the base game was parsed with it
    const v = axisValue(a.axis, k);
    try {
      parseGameSpec({ ...first, [a.name]: v }, GAME_ROOT);
    } catch (e) {
      if (e instanceof InputError && e.field === `${GAME_ROOT}.${a.name}`)
        throw new InputError(a.field, `value ${v} (index ${k}): ${e.problem}`);
      throw e;
    }
  }
}

/**
 * The perturbation at the ends of its axes must make a valid game (eps >= 0, at most 1 for mix;
 * the latest draw within reach): checked as the game would be, reported at the axis.
 */
function checkPerturbationValues(p: PerturbationAxes, first: Record<string, unknown>): void {
  const at = `${GAME_ROOT}.perturbation`;
  const check = (
    values: ReturnType<typeof perturbationAt>,
    field: string,
    own: string,
    label: string,
  ): void => {
    try {
      parseGameSpec({ ...first, perturbation: { ...p.first, ...values } }, GAME_ROOT);
    } catch (e) {
      if (e instanceof InputError && e.field === `${at}.${own}`)
        throw new InputError(field, `${label}: ${e.problem}`);
      throw e;
    }
  };
  // The latest draw first: once it is within reach, every other cell's is.
  if (p.lastTrial) {
    const { trial, epsIndex } = p.lastTrial;
    const eps = p.first.eps as number;
    check(
      perturbationAt(p.resolved, eps, epsIndex, trial),
      `${at}.trial`,
      'draw',
      `trial ${trial} at eps index ${epsIndex}`,
    );
  }
  const trial0 = p.resolved.trial;
  for (const { eps, epsField, epsIndex } of p.extremes)
    check(
      perturbationAt(p.resolved, eps, epsIndex, trial0),
      epsField,
      'eps',
      `value ${eps} (index ${epsIndex})`,
    );
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
