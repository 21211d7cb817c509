/**
 * Memory and work budgets of one cell, checked before anything runs (`sgn sweep start` in
 * resolveSpec, `sgn certify`, `sgn simulate`): from the game's shape alone (family, block sizes,
 * how it is built), the region's sampler and the step-size runs, never by building the game.
 * Pure: the settings (SgnConfig's limits) and the machine's memory are parameters.
 *
 * Memory: an upper bound of what one cell adds to a process (dense d x d matrices of 8-byte
 * doubles, counted one by one below, plus CELL_OVERHEAD_BYTES), calibrated against the peak RSS of
 * `sgn certify` in docs/budgets.md. Work: estimated floating-point operations (a multiply and an
 * add count as two) of the cell's first cell of a game (building it, its bounds, one weighting,
 * and its step-size runs); the kernels here run ~1e9 of them a second, so the default limit
 * (1e12) is some 10-20 minutes of one core. Both are refused with one line naming the field that
 * drives the estimate and the limit (InputError: exit 2).
 *
 * Limits: SGN_MAX_CELL_MEMORY (bytes, or 512MB, 4GB, 1.5GiB, 2G; default min(4 GiB, half of the
 * machine's memory)) and SGN_MAX_CELL_WORK (operations; default 1e12), parsed by config/config.ts
 * and passed in as BudgetSettings. ResolveOptions may override both (maxCellMemory, maxCellWork).
 */
import { totalmem } from 'node:os';
import type { GameSpec } from '../sgn/games/spec.js';
import { markovDefaultSampler } from '../sgn/games/markov/region-setup.js';
import {
  MAX_JACOBIAN_ENTRIES,
  MAX_SAMPLE_POINTS,
  defaultSampler,
  parseSamplerText,
  samplerPointCount,
  type SamplerSpec,
} from '../sgn/regions/samplers.js';
import { InputError } from '../sgn/util/errors.js';
import { DEFAULT_MAX_CELL_MEMORY, DEFAULT_MAX_CELL_WORK, type SgnConfig } from '../config/config.js';
import { GiB, KiB, MiB } from '../config/units.js';
import type { ResolvedSweep } from './resolved.js';
import { maxOf } from '../sgn/util/extremes.js';

// Byte sizes and the limits' defaults have their home in config/, where the settings are parsed;
// re-exported for this module's users.
export { GiB, KiB, MiB, parseByteSize } from '../config/units.js';
export { DEFAULT_MAX_CELL_MEMORY, DEFAULT_MAX_CELL_WORK } from '../config/config.js';
/** What a cell adds besides its matrices: JIT code, closures, vectors, the V8 heap's growth. */
export const CELL_OVERHEAD_BYTES = 64 * MiB;
/** Ground truth ('auto') computes all eigenvalues of H up to this dimension (certificate.ts). */
const AUTO_GROUND_TRUTH_MAX_DIM = 1024;
/** Dense symmetric kernels below this size; Lanczos above (spectral-norm.ts). */
const DENSE_MAX_N = 256;
/** Above this size Lanczos runs without its dense fallback (spectral-norm.ts). */
const DENSE_FALLBACK_MAX_N = 4096;
/** Lanczos steps assumed above DENSE_FALLBACK_MAX_N (uncapped there; ~300-400 observed at d = 2048). */
const LANCZOS_STEPS_LARGE = 500;
/** Operations per evaluation of F besides its matrix products (calls, loops, the metric norm). */
const EVALUATION_OVERHEAD = 200;

export type BudgetFamily = 'quadratic' | 'tanh' | 'markov' | 'sampled-jacobians';

/** A game's size and how it is built, read from its spec. */
export interface GameShape {
  readonly family: BudgetFamily;
  /** Block sizes (markov: states x actions for each player). */
  readonly dims: readonly number[];
  /** explicit: matrices from the file; random / clean: the quadratic generators; tanh; markov. */
  readonly build: 'explicit' | 'random' | 'clean' | 'tanh' | 'markov';
  /** Field of the spec that sets the size, under the game root ('dims', 'Q1', 'states', 'H'). */
  readonly sizeField: string;
  /** Markov: the number of states (its evaluations solve S x S systems). */
  readonly states?: number;
  /** Sampled Jacobians: how many the file gives (each one is kept, like a sampler's points). */
  readonly samples?: number;
}

/** One cell's shape: the game, what its bounds are taken over, and its step-size runs. */
export interface CellShape {
  readonly game: GameShape;
  /** Jacobians kept for the bounds: 1 for linear games, else the sampler's points. */
  readonly points: number;
  /** Rigorous mode: one more d x d matrix (the Lipschitz bound of J). */
  readonly rigorous: boolean;
  /** All eigenvalues of H (the exact stability thresholds of a linear game). */
  readonly groundTruth: boolean;
  /** Trajectories the cell (or command) runs. */
  readonly runs?: {
    readonly steps: number;
    readonly seeds: number;
    /** Evaluations of F per step, summed over the integrators, times the multipliers. */
    readonly evaluationsPerStep: number;
    /** For messages, e.g. 'integrators euler, rk4 x 8 multipliers'. */
    readonly what: string;
    /** Runs that record a trace (seeds x integrators x multipliers) and the points each keeps. */
    readonly traces?: { readonly runs: number; readonly points: number };
  };
}

export interface Estimate {
  /** Bytes (memory) or floating-point operations (work). */
  readonly amount: number;
  /** What drives it, for messages: 'size', 'sampler', 'groundTruth', 'runs' or 'starts' (the seeds). */
  readonly driver: 'size' | 'sampler' | 'groundTruth' | 'runs' | 'starts' | 'traces';
  /** A few words on where it comes from. */
  readonly detail: string;
}

export interface Limit {
  readonly value: number;
  /** Where it came from: 'SGN_MAX_CELL_MEMORY', 'the maxCellMemory option', 'the default limit (...)'. */
  readonly source: string;
}

// ---- sizes and units ------------------------------------------------------------------------

/** 4 GiB, 512 MiB, 1.5 GiB, 320 GiB, 3.4e+6 GiB: three significant digits, binary units. */
export function formatBytes(bytes: number): string {
  const units: [number, string][] = [
    [GiB, 'GiB'],
    [MiB, 'MiB'],
    [KiB, 'KiB'],
  ];
  for (const [size, name] of units) if (bytes >= size) return `${sig(bytes / size)} ${name}`;
  return `${Math.round(bytes)} bytes`;
}

/** 1e12, 3.2e16, 45000: operations counts in messages. */
export function formatCount(n: number): string {
  return n < 1e6
    ? String(Math.round(n))
    : n
        .toExponential(2)
        .replace(/\.?0+e/, 'e')
        .replace('e+', 'e');
}

function sig(x: number): string {
  return x >= 1e4 ? x.toExponential(2).replace('e+', 'e') : String(Number(x.toPrecision(3)));
}

/** The limits' settings (SGN_MAX_CELL_MEMORY, SGN_MAX_CELL_WORK), as config/config.ts parsed them. */
export type BudgetSettings = Pick<SgnConfig, 'maxCellMemory' | 'maxCellWork'>;

/** The cell memory limit: override ?? SGN_MAX_CELL_MEMORY ?? min(4 GiB, half of the machine's memory). */
export function cellMemoryLimit(
  settings: BudgetSettings = {},
  machineBytes: number = totalmem(),
  override?: number,
): Limit {
  if (override !== undefined) {
    if (!(Number.isFinite(override) && override >= 1))
      throw new InputError('maxCellMemory', `must be a positive number of bytes, got ${override}`);
    return { value: override, source: 'the maxCellMemory option' };
  }
  if (settings.maxCellMemory !== undefined)
    return { value: settings.maxCellMemory, source: 'SGN_MAX_CELL_MEMORY' };
  const half = Math.floor(machineBytes / 2);
  return half < DEFAULT_MAX_CELL_MEMORY
    ? { value: half, source: "the default limit, half of the machine's memory (SGN_MAX_CELL_MEMORY)" }
    : { value: DEFAULT_MAX_CELL_MEMORY, source: 'the default limit (SGN_MAX_CELL_MEMORY)' };
}

/** The cell work limit: override ?? SGN_MAX_CELL_WORK ?? 1e12 floating-point operations. */
export function cellWorkLimit(settings: BudgetSettings = {}, override?: number): Limit {
  if (override !== undefined) {
    if (!(Number.isFinite(override) && override >= 1))
      throw new InputError('maxCellWork', `must be a positive number of operations, got ${override}`);
    return { value: override, source: 'the maxCellWork option' };
  }
  if (settings.maxCellWork !== undefined) return { value: settings.maxCellWork, source: 'SGN_MAX_CELL_WORK' };
  return { value: DEFAULT_MAX_CELL_WORK, source: 'the default limit (SGN_MAX_CELL_WORK)' };
}

// ---- shapes ---------------------------------------------------------------------------------

/** The shape of a validated game spec (nothing is built). */
export function gameShape(spec: GameSpec): GameShape {
  switch (spec.family) {
    case 'markov': {
      const S = spec.states ?? spec.P?.length ?? 2;
      const A = spec.actions ?? spec.P?.[0]?.length ?? 2;
      return { family: 'markov', dims: [S * A, S * A], build: 'markov', sizeField: 'states', states: S };
    }
    case 'tanh':
      return { family: 'tanh', dims: spec.dims, build: 'tanh', sizeField: 'dims' };
    case 'sampled-jacobians':
      return {
        family: 'sampled-jacobians',
        dims: spec.dims,
        build: 'explicit',
        sizeField: 'jacobians',
        samples: spec.jacobians.length,
      };
    case 'quadratic':
      if ('preset' in spec)
        return { family: 'quadratic', dims: [1, 1], build: 'explicit', sizeField: 'preset' };
      if ('H' in spec) return { family: 'quadratic', dims: spec.dims, build: 'explicit', sizeField: 'H' };
      if ('Q1' in spec)
        return {
          family: 'quadratic',
          dims: [spec.Q1.length, spec.Q2.length],
          build: 'explicit',
          sizeField: 'Q1',
        };
      // paper-random builds like random (two Gram products, a coupling's norm; one coupling, not
      // two): its estimate is random's, an upper bound.
      return {
        family: 'quadratic',
        dims: spec.dims,
        build: spec.generator === 'paper-random' ? 'random' : spec.generator,
        sizeField: 'dims',
      };
  }
}

/** Dimension d of the joint state (the sum of the block sizes). */
export function gameDimension(spec: GameSpec): number {
  return gameShape(spec).dims.reduce((s, k) => s + k, 0);
}

/**
 * Jacobians a sampler keeps in dimension d, at most what checkSampler lets through (it refuses
 * more, with its own message): MAX_SAMPLE_POINTS and MAX_JACOBIAN_ENTRIES (one is always allowed).
 */
export function keptJacobians(sampler: SamplerSpec, d: number): number {
  const count = Math.min(samplerPointCount(sampler, d), MAX_SAMPLE_POINTS);
  return Math.max(1, Math.min(count, Math.floor(MAX_JACOBIAN_ENTRIES / (d * d))));
}

/** Evaluations of F per step: Euler and the policy-gradient steps 1, RK4 4. */
export function evaluationsPerStep(integrator: string): number {
  return integrator === 'rk4' ? 4 : 1;
}

// ---- estimates ------------------------------------------------------------------------------

const DOUBLE = 8;
/** A trace value's memory in doubles (a JS array element and its boxed number). */
const TRACE_VALUE_DOUBLES = 3;
/** Trace points (runs x points) a step-size batch may hold before it is written. */
export const MAX_BATCH_TRACE_POINTS = 2_000_000;

/**
 * Memory one cell adds to a process, an upper bound (docs/budgets.md compares it with measured
 * peak RSS). In d x d matrices of doubles (d the joint dimension, d_i the largest block):
 *   quadratic: H; while building, the generator's d_i x d_i temporaries; while analysing, sym(J),
 *     the metric's work matrix, the SIMD copy of J, the Lanczos basis (up to d/5 vectors and their
 *     images, at most 820 each), the blocks' copies, up to d = 4096 two more for the dense path;
 *     and with ground truth a copy of H for the eigenvalues;
 *   tanh: Qb and Aoff, one Jacobian per sample point and its SIMD copy (all kept), the analysis as
 *     above, and in the rigorous mode one more matrix;
 *   markov: Fisher and Euclidean reduced Jacobians at every point and their SIMD copies (the
 *     tables are at most 256 x 256);
 * plus CELL_OVERHEAD_BYTES and, for step-size runs, the starts (seeds x d).
 */
export function estimateCellMemory(shape: CellShape): Estimate {
  const { game } = shape;
  const d = game.dims.reduce((s, k) => s + k, 0);
  const big = Math.max(...game.dims);
  const square = d * d;
  // Largest off-diagonal block (d_i x d_j): at most the largest block times the rest.
  const cross = big * Math.min(big, d - big);
  // Lanczos keeps its basis and the images: up to d/5 vectors each below 4096 (then the dense path
  // takes over); uncapped above, where ~300-400 steps are typical: as many as at 4096 assumed.
  const lanczos = 2 * d * Math.ceil(Math.min(d, DENSE_FALLBACK_MAX_N) / 5);
  const blocks = 2 * big * big + cross;
  // Up to 4096 an eigenvalue problem on d x d may end on the dense path: a copy to reduce and the
  // accumulated transformations for the eigenvector (measured: the clean generator's d = 4000).
  const dense = d <= DENSE_FALLBACK_MAX_N ? 2 * square : 0;
  const analysis = 3 * square + lanczos + blocks + dense;
  let matrices: number;
  let sampled = 0;
  // Every kept Jacobian also gets a copy in the SIMD kernels' memory (metric.ts); markov keeps
  // two sets (Fisher and Euclidean geometry).
  if (game.family === 'markov') {
    sampled = 4 * shape.points * square;
    matrices = analysis;
  } else if (game.family === 'tanh' || game.family === 'sampled-jacobians') {
    sampled = 2 * shape.points * square;
    matrices = 2 * square + analysis + (shape.rigorous ? square : 0);
  } else {
    const build = game.build === 'random' ? 2 * big * big + cross : game.build === 'clean' ? cross : 0;
    matrices = square + Math.max(build, analysis + (shape.groundTruth ? square : 0));
  }
  // The starts (and as many current points) of the runs.
  const runs = shape.runs ? shape.runs.seeds * d * 2 : 0;
  const t = shape.runs?.traces;
  // Traces: 5 arrays a run in plain JS arrays (with nulls: ~24 bytes a value, 3 doubles' worth).
  const traces = t ? t.runs * t.points * 5 * TRACE_VALUE_DOUBLES : 0;
  const bytes = CELL_OVERHEAD_BYTES + DOUBLE * (matrices + sampled + runs + traces);
  const n = (x: number): string => x.toLocaleString('en-US');
  if (t && traces > matrices + sampled + runs)
    return {
      amount: bytes,
      driver: 'traces',
      detail: `${n(t.runs)} runs keep traces of ${n(t.points)} points`,
    };
  if (runs > matrices + sampled)
    return { amount: bytes, driver: 'starts', detail: `${n(shape.runs?.seeds ?? 0)} starts of d = ${n(d)}` };
  if (sampled > matrices)
    return {
      amount: bytes,
      driver: 'sampler',
      detail: `${n(shape.points)} sample points keep ${game.family === 'markov' ? 4 : 2} x ${n(shape.points)} Jacobians of ${n(d)} x ${n(d)}`,
    };
  return { amount: bytes, driver: 'size', detail: `d = ${n(d)}: dense ${n(d)} x ${n(d)} matrices` };
}

/**
 * Operations of an extreme eigenvalue (or spectral norm) of an n x n symmetric matrix: dense up to
 * 256, else Lanczos (matrix products and full reorthogonalisation) for up to n/5 steps, at most
 * LANCZOS_STEPS_LARGE; `fallback`: then the dense path too (up to 4096; the random generator's
 * Gram blocks, whose spectra cluster at the bottom, take it).
 */
function eigenWork(n: number, fallback = false): number {
  if (n <= DENSE_MAX_N) return 3 * n ** 3;
  const k = Math.min(Math.ceil(n / 5), LANCZOS_STEPS_LARGE);
  return k * (2 * n * n + 4 * k * n) + (fallback && n <= DENSE_FALLBACK_MAX_N ? 3 * n ** 3 : 0);
}

/**
 * Operations of a game's first cell: building the game, its block bounds at every sample point
 * (own blocks' smallest eigenvalue, couplings' norms, the Euclidean margin), one weighting (beta
 * and the true margin: two Lanczos runs on d x d), the exact eigenvalues when asked (~25 d^3),
 * and the step-size runs: steps x seeds x evaluations per step x (2 d^2 + overhead) (tanh: two
 * products per evaluation; markov: the S x S policy evaluations besides).
 */
export function estimateCellWork(shape: CellShape): Estimate {
  const { game } = shape;
  const d = game.dims.reduce((s, k) => s + k, 0);
  const N = game.dims.length;
  let build = d * d;
  for (let i = 0; i < N; i++) {
    const di = game.dims[i];
    if (game.build === 'random') build += 2 * di ** 3;
    for (let j = 0; j < N; j++) {
      if (i === j) continue;
      const dj = game.dims[j];
      if (game.build === 'random') build += 2 * eigenWork(Math.min(di, dj)) + 2 * di * dj;
      if (game.build === 'clean') build += 8 * Math.min(di, dj) ** 2 * Math.max(di, dj);
    }
  }
  let bounds = eigenWork(d);
  for (let i = 0; i < N; i++) {
    bounds += eigenWork(game.dims[i], game.build === 'random');
    for (let j = 0; j < N; j++) if (i !== j) bounds += 2 * eigenWork(Math.min(game.dims[i], game.dims[j]));
  }
  const sampled = shape.points * (bounds + d * d);
  const weighting = 2 * eigenWork(d);
  const exact = shape.groundTruth ? 25 * d ** 3 : 0;
  const perEvaluation =
    (game.family === 'tanh' ? 4 : 2) * d * d +
    (game.family === 'markov' ? 4 * (game.states ?? 1) ** 3 + 16 * d * d : 0) +
    EVALUATION_OVERHEAD;
  const r = shape.runs;
  const runs = r ? r.steps * r.seeds * r.evaluationsPerStep * perEvaluation : 0;
  const total = build + sampled + weighting + exact + runs;
  if (r && runs >= total / 2)
    return {
      amount: total,
      driver: 'runs',
      detail: `steps ${formatCount(r.steps)} x seeds ${formatCount(r.seeds)} x ${r.what}, d = ${d}`,
    };
  if (exact >= total / 2)
    return { amount: total, driver: 'groundTruth', detail: `all eigenvalues of the ${d} x ${d} H` };
  return {
    amount: total,
    driver: shape.points > 1 && sampled >= total / 2 ? 'sampler' : 'size',
    detail:
      shape.points > 1
        ? `d = ${d}, bounds at ${shape.points.toLocaleString('en-US')} sample points`
        : `d = ${d}: building the game and its bounds`,
  };
}

// ---- checks ---------------------------------------------------------------------------------

/** Fields (and how to fix) named in refusals, per driver; `size` is required. */
export interface BudgetFields {
  readonly size: string;
  readonly sampler?: string;
  readonly groundTruth?: string;
  /** The run fields: steps and seeds (the larger of the two is named). */
  readonly steps?: string;
  readonly seeds?: string;
  /** stepsize.trace.points (the traces' memory). */
  readonly tracePoints?: string;
}

export interface BudgetLimits {
  readonly memory: Limit;
  readonly work: Limit;
}

/** The limits from the settings (and overrides, refused when not positive). */
export function budgetLimits(
  settings: BudgetSettings = {},
  overrides: { maxCellMemory?: number; maxCellWork?: number } = {},
  machineBytes: number = totalmem(),
): BudgetLimits {
  return {
    memory: cellMemoryLimit(settings, machineBytes, overrides.maxCellMemory),
    work: cellWorkLimit(settings, overrides.maxCellWork),
  };
}

const HINT: Record<Estimate['driver'], string> = {
  size: 'shrink the game',
  sampler: 'use fewer sample points',
  groundTruth: "use groundTruth 'auto' or 'never'",
  runs: 'lower steps or seeds',
  starts: 'lower seeds',
  traces: 'lower stepsize.trace.points or seeds',
};

function fieldFor(e: Estimate, fields: BudgetFields, shape: CellShape): string {
  switch (e.driver) {
    case 'sampler':
      return fields.sampler ?? fields.size;
    case 'groundTruth':
      return fields.groundTruth ?? fields.size;
    case 'runs': {
      const r = shape.runs;
      const steps = !r || r.steps >= r.seeds;
      return (steps ? fields.steps : fields.seeds) ?? fields.steps ?? fields.seeds ?? fields.size;
    }
    case 'starts':
      return fields.seeds ?? fields.size;
    case 'traces':
      return fields.tracePoints ?? fields.seeds ?? fields.size;
    case 'size':
      return fields.size;
  }
}

function hintFor(e: Estimate, field: string): string {
  if (e.driver !== 'size') return HINT[e.driver];
  const name = field.split('.').pop() ?? field;
  return name === 'dims' ? 'shrink dims' : `shrink the game (${name})`;
}

/**
 * Refuses a cell whose memory or work estimate is above its limit: one InputError naming the field
 * that drives the estimate, the estimate, the limit and where the limit comes from.
 */
export function checkCellBudget(shape: CellShape, limits: BudgetLimits, fields: BudgetFields): void {
  const memory = estimateCellMemory(shape);
  if (memory.amount > limits.memory.value) {
    const field = fieldFor(memory, fields, shape);
    throw new InputError(
      field,
      `a cell needs ~${formatBytes(memory.amount)} (${memory.detail}), above the cell memory limit ` +
        `${formatBytes(limits.memory.value)} set by ${limits.memory.source}; ${hintFor(memory, field)} or raise SGN_MAX_CELL_MEMORY`,
    );
  }
  const work = estimateCellWork(shape);
  if (work.amount > limits.work.value) {
    const field = fieldFor(work, fields, shape);
    throw new InputError(
      field,
      `a cell needs ~${formatCount(work.amount)} floating-point operations (${work.detail}), above the cell work limit ` +
        `${formatCount(limits.work.value)} set by ${limits.work.source}; ${hintFor(work, field)} or raise SGN_MAX_CELL_WORK`,
    );
  }
}

// ---- sweeps ---------------------------------------------------------------------------------

/** The shape of a resolved sweep's heaviest cell (the first cell of a game, with its runs). */
export function sweepCellShape(resolved: ResolvedSweep): CellShape {
  const game = gameShape(resolved.game);
  const d = game.dims.reduce((s, k) => s + k, 0);
  const region = resolved.region;
  const linear = game.family === 'quadratic';
  const points = game.samples ?? (linear || !region ? 1 : keptJacobians(region.sampler, d));
  const gt = resolved.certify.groundTruth;
  const s = resolved.stepsize;
  return {
    game,
    points,
    rigorous: region?.rigorous === true,
    groundTruth: linear && (gt === 'always' || (gt === 'auto' && d <= AUTO_GROUND_TRUTH_MAX_DIM)),
    ...(s
      ? {
          runs: {
            steps: s.steps,
            seeds: s.seeds,
            evaluationsPerStep:
              s.integrators.reduce((k, i) => k + evaluationsPerStep(i), 0) * s.multipliers.length,
            what: `integrators ${s.integrators.join(', ')} x ${s.multipliers.length} ${s.base === 'absolute' ? 'step' : 'multiplier'}${s.multipliers.length === 1 ? '' : 's'}`,
            ...(s.trace ? { traces: { runs: traceRuns(s), points: s.trace.points } } : {}),
          },
        }
      : {}),
  };
}

/** Runs of one game that record a trace: seeds x integrators x multipliers. */
function traceRuns(s: NonNullable<ResolvedSweep['stepsize']>): number {
  return s.seeds * s.integrators.length * s.multipliers.length;
}

/**
 * A step-size batch holds its games' traces until it writes them: refuses (naming
 * stepsize.trace.points) a sweep whose batches would hold more than MAX_BATCH_TRACE_POINTS.
 */
export function checkTraceBatch(resolved: ResolvedSweep, field: string): void {
  const s = resolved.stepsize;
  if (!s?.trace) return;
  const games = Math.min(resolved.execution.batchSize, resolved.gameCells);
  const points = games * traceRuns(s) * s.trace.points;
  if (points > MAX_BATCH_TRACE_POINTS)
    throw new InputError(
      field,
      `a batch of ${formatCount(games)} games would hold ${formatCount(points)} trace points (${formatCount(traceRuns(s))} runs a game x ${s.trace.points} points), above ${formatCount(MAX_BATCH_TRACE_POINTS)}; lower the points, the seeds or execution.batchSize`,
    );
}

/**
 * Bytes one cell of this sweep may take (an upper bound, CELL_OVERHEAD_BYTES included): what a
 * worker's compute thread needs on top of its baseline. Note that typed arrays' memory and the
 * SIMD kernels' WebAssembly memory are outside V8's old generation (resourceLimits.maxOldGenerationSizeMb
 * does not bound them); the JS heap holds the spec's arrays and small objects.
 */
export function estimateSweepCellMemory(resolved: ResolvedSweep): number {
  // A file axis: the largest of its games.
  const games = resolved.files?.map((f) => f.game) ?? [resolved.game];
  return maxOf(games.map((game) => estimateCellMemory(sweepCellShape({ ...resolved, game })).amount));
}

// ---- game files (sgn certify / sgn simulate) ------------------------------------------------

export interface GameFileBudgetOptions {
  /** The --sampler flag's text, if given. */
  readonly sampler?: string;
  /** Whether --region was given. */
  readonly region?: boolean;
  /** The game file's region section, if any. */
  readonly regionSection?: unknown;
  readonly rigorous?: boolean;
  readonly groundTruth?: 'auto' | 'always' | 'never';
  /** sgn simulate's trajectories. */
  readonly runs?: { readonly steps: number; readonly seeds: number; readonly integrator: string };
}

/** The sampler text of a region section (without validating it: the command does that later). */
function sectionSampler(section: unknown): string | undefined {
  if (typeof section !== 'object' || section === null || Array.isArray(section)) return undefined;
  const s = (section as Record<string, unknown>).sampler;
  return typeof s === 'string' ? s : undefined;
}

/**
 * The cell shape of `sgn certify` / `sgn simulate` on a game file: the sampler from --sampler,
 * else the file's region section, else the default for d. A sampler that does not parse counts as
 * the most the samplers allow (the command refuses it afterwards with its own message).
 */
export function gameFileShape(spec: GameSpec, o: GameFileBudgetOptions): CellShape {
  const game = gameShape(spec);
  const d = game.dims.reduce((s, k) => s + k, 0);
  const hasRegion = game.family === 'markov' || o.region === true || o.regionSection !== undefined;
  let points = game.samples ?? 1;
  if (game.family !== 'quadratic' && game.samples === undefined && hasRegion) {
    const text = o.sampler ?? sectionSampler(o.regionSection);
    let sampler: SamplerSpec;
    try {
      sampler =
        text !== undefined
          ? parseSamplerText(text, '--sampler')
          : game.family === 'markov'
            ? markovDefaultSampler(d)
            : defaultSampler(d);
    } catch {
      sampler = { kind: 'random', count: MAX_SAMPLE_POINTS, seed: 0 };
    }
    points = keptJacobians(sampler, d);
  }
  const gt = o.groundTruth ?? 'auto';
  return {
    game,
    points,
    rigorous: o.rigorous === true,
    groundTruth:
      game.family === 'quadratic' && (gt === 'always' || (gt === 'auto' && d <= AUTO_GROUND_TRUTH_MAX_DIM)),
    ...(o.runs
      ? {
          runs: {
            steps: o.runs.steps,
            seeds: o.runs.seeds,
            evaluationsPerStep: evaluationsPerStep(o.runs.integrator),
            what: o.runs.integrator,
          },
        }
      : {}),
  };
}

/**
 * `sgn certify` / `sgn simulate`: refuses a game file whose cell does not fit, before the game is
 * built. Fields: `game.<size field>`, --sampler (or game.region.sampler), --ground-truth, --steps
 * and --seeds.
 */
export function checkGameFileBudget(
  spec: GameSpec,
  o: GameFileBudgetOptions,
  settings: BudgetSettings = {},
  machineBytes: number = totalmem(),
): void {
  const limits = budgetLimits(settings, {}, machineBytes);
  const shape = gameFileShape(spec, o);
  checkCellBudget(shape, limits, {
    size: `game.${shape.game.sizeField}`,
    sampler:
      o.sampler === undefined && sectionSampler(o.regionSection) !== undefined
        ? 'game.region.sampler'
        : '--sampler',
    groundTruth: '--ground-truth',
    steps: '--steps',
    seeds: '--seeds',
  });
}
