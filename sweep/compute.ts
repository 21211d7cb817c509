/**
 * Turning cells into stored rows: the certificate of a cell, and the step-size experiments
 * of a cell. Pure computation (no I/O): activities call it and write what it returns.
 * Consecutive cells of one game share the game analysis and warm-start the kernels.
 */
import type { Game } from '../sgn/games/game.js';
import { certifyWeights, type GameAnalysis } from '../sgn/certificate.js';
import { twoPlayerBand } from '../sgn/band.js';
import { markovCertificateAt } from '../sgn/games/markov/fisher.js';
import { runTrajectory } from '../sgn/integrators.js';
import { drawStarts } from '../sgn/experiments/start-distribution.js';
import type { RunTrace } from '../sgn/experiments/trace.js';
import { eulerFactorBound } from '../sgn/stability.js';
import { stepSpectralRadius } from '../sgn/step-radius.js';
import { gameParamName } from './axes.js';
import { cellAt, cellsInRange, gameGroupKey, ratioLength, type Cell } from './cells.js';
import { GameGroups, type GroupAnalysis } from './groups.js';
import { nonlinearStepsizeRows } from './nonlinear-stepsize.js';
import type { ResolvedSweep } from './resolved.js';
import { convergenceText, gameStarts, runOptionsOf } from './run-options.js';
import type { Integrator } from './spec.js';
import { findEquilibrium } from '../sgn/games/equilibrium.js';
import type { CellInsert, StepsizeInsert, StepsizeTraceInsert } from '../db/exact-writes.js';

/** One certificate row and one step-size row: the shapes the database layer stores. */
export type CellRow = CellInsert;
/** `traces`: one per start, in start order, when the sweep records them (stepsize.trace). */
export type StepsizeRow = StepsizeInsert & { integrator: Integrator; traces?: RunTrace[] };

/** A batch's rows as the two tables take them: the results without their traces, and one trace per run. */
export function splitTraces(rows: readonly StepsizeRow[]): {
  results: StepsizeInsert[];
  traces: StepsizeTraceInsert[];
} {
  const results: StepsizeInsert[] = [];
  const traces: StepsizeTraceInsert[] = [];
  for (const { traces: runs, ...row } of rows) {
    results.push(row);
    runs?.forEach((t, run) =>
      traces.push({
        cellIndex: row.cellIndex,
        cellKey: row.cellKey,
        integrator: row.integrator,
        multiplier: row.multiplier,
        run,
        step: row.step ?? 0,
        ...t,
      }),
    );
  }
  return { results, traces };
}

/** Non-finite numbers (an unbounded band edge) are stored as null. */
function finiteOrNull(x: number | null | undefined): number | null {
  return x === null || x === undefined || !Number.isFinite(x) ? null : x;
}

/** One radius for the region_radius column (per-player radii that differ: null, they stay in the spec). */
function radiusOf(cell: Cell): number | null {
  const r = cell.radii;
  return r && r.every((v) => v === r[0]) ? r[0] : null;
}

/** game_param: the swept parameter's value, the file axis' position in its list (paramNumber). */
function gameParamValue(
  resolved: ResolvedSweep,
  name: string,
  value: number | string | undefined,
): number | null {
  if (value === undefined) return null;
  if (typeof value === 'number') return value;
  let index = fileIndex.get(resolved);
  if (!index) {
    index = new Map((resolved.axes.find((a) => a.name === name)?.files ?? []).map((f, k) => [f, k]));
    fileIndex.set(resolved, index);
  }
  return index.get(value) ?? null;
}
const fileIndex = new WeakMap<ResolvedSweep, Map<string, number>>();

function emptyRow(resolved: ResolvedSweep, cell: Cell, paramName: string | null): CellRow {
  return {
    cellIndex: cell.index,
    cellKey: cell.key,
    params: cell.params,
    gameParam: paramName !== null ? gameParamValue(resolved, paramName, cell.params[paramName]) : null,
    ratio: cell.weights.kind === 'ratio' ? cell.weights.ratio : null,
    regionRadius: radiusOf(cell),
    seed: typeof cell.params.seed === 'number' ? cell.params.seed : null,
    certified: false,
    gammaEuclidean: null,
    alpha: null,
    beta: null,
    eulerStep: null,
    rk4Step: null,
    weights: [],
    mu: [],
    couplingL: null,
    optimalAlpha: null,
    optimalRatio: null,
    bandMinus: null,
    bandPlus: null,
    alphaTrue: null,
    hStabEuler: null,
    hStabRk4: null,
    error: null,
  };
}

/** Rows of cells [start, end) stored as failed with `error` (a batch given up on). */
export function failedCellRows(
  resolved: ResolvedSweep,
  start: number,
  end: number,
  error: string,
): CellRow[] {
  const paramName = gameParamName(resolved);
  const rows: CellRow[] = [];
  for (const cell of cellsInRange(resolved, start, end)) {
    const row = emptyRow(resolved, cell, paramName);
    row.error = error;
    rows.push(row);
  }
  return rows;
}

function weightsFor(cell: Cell, analysis: { readonly optimal: { readonly weights: number[] } }): number[] {
  switch (cell.weights.kind) {
    case 'optimal':
      return analysis.optimal.weights;
    case 'fixed':
      return cell.weights.values;
    case 'ratio':
      return [1, cell.weights.ratio];
  }
}

/**
 * Certificates of cells [start, end). Calls `tick` after every cell so the caller can
 * heartbeat and yield. A cell whose computation throws is returned with `error` set.
 */
export async function certifyRange(
  resolved: ResolvedSweep,
  start: number,
  end: number,
  tick: (done: number) => Promise<void> = async () => {},
): Promise<CellRow[]> {
  const all: CellRow[] = [];
  await certifyCells(resolved, start, end, tick, (rows) => {
    for (const r of rows) all.push(r);
  });
  return all;
}

/**
 * Where a range's computation is, as it goes: the compute thread's watchdog reads it to tell
 * which cell outlasted its time budget or killed the thread, and whether it died in the game's
 * analysis (shared by the game's cells) or in the cell's own certificate.
 */
export type CellStage = 'analysis' | 'cell';

/** Cells (certify) or games (stepsize) stored as failed with this text instead of computed. */
export type SkippedCells = ReadonlyMap<number, string>;

/** How certifyCells hands rows over. */
export interface EmitOptions {
  /**
   * Rows handed over at a time (default 2000)... Each becomes (at most) one insert statement, and a
   * statement costs ~1.5 ms of CPU beyond its rows (Prisma's query compiler, PostgreSQL's planning),
   * so not too few.
   */
  readonly every?: number;
  /** ...or whatever is computed after this long (ms, default 1000), so slow cells still stream. */
  readonly afterMs?: number;
  /**
   * Towards the end of the range, rows go as soon as there are as many as cells left to compute
   * (halving chunks), down to this many (default 64): the range then ends with a small chunk to
   * write, not a full one.
   */
  readonly smallest?: number;
  /** Not computed: stored failed with the given text (a cell that outlasted or killed an earlier try). */
  readonly skip?: SkippedCells;
  /** Called before each cell's analysis and before its certificate (see CellStage). */
  readonly onCell?: (index: number, stage: CellStage) => void;
}

/**
 * As certifyRange, handing the rows over as they are computed (see EmitOptions; the rest at the
 * end), so the caller can write them while the next ones are computed. (A batch's transaction
 * stays open meanwhile: with expensive cells, the time bound keeps it from sitting idle for
 * minutes, which servers with an idle-in-transaction timeout end.)
 */
export async function certifyCells(
  resolved: ResolvedSweep,
  start: number,
  end: number,
  tick: (done: number) => Promise<void>,
  emit: (rows: CellRow[]) => void,
  { every = 2000, afterMs = 1000, smallest = 64, skip, onCell }: EmitOptions = {},
): Promise<void> {
  const groups = new GameGroups(resolved);
  const paramName = gameParamName(resolved);
  let rows: CellRow[] = [];
  let done = 0;
  let emittedAt = performance.now();
  const next = async (row: CellRow): Promise<void> => {
    rows.push(row);
    done++;
    const left = end - start - done;
    if (
      rows.length >= every ||
      rows.length >= Math.max(smallest, left) ||
      performance.now() - emittedAt >= afterMs
    ) {
      emit(rows);
      rows = [];
      emittedAt = performance.now();
    }
    await tick(done);
  };
  for (const cell of cellsInRange(resolved, start, end)) {
    const row = emptyRow(resolved, cell, paramName);
    const skipped = skip?.get(cell.index);
    if (skipped !== undefined) {
      row.error = skipped;
      await next(row);
      continue;
    }
    try {
      onCell?.(cell.index, 'analysis');
      const group = groups.get(cell);
      onCell?.(cell.index, 'cell');
      if (group.family === 'markov') Object.assign(row, markovRow(resolved, cell, group));
      else certifiedRow(resolved, cell, group.analysis, groups, row);
    } catch (e) {
      row.error = e instanceof Error ? e.message : String(e);
    }
    // Outside the cell's try: a tick that throws (cancellation) ends the range, not the cell.
    await next(row);
  }
  if (rows.length > 0) emit(rows);
}

/** A quadratic/nonlinear cell's certificate, written into its row. */
function certifiedRow(
  resolved: ResolvedSweep,
  cell: Cell,
  analysis: GameAnalysis,
  groups: GameGroups,
  row: CellRow,
): void {
  const c = certifyWeights(analysis, weightsFor(cell, analysis), {
    c4: resolved.certify.c4,
    warm: groups.warm,
  });
  Object.assign(row, {
    certified: c.certified,
    gammaEuclidean: analysis.gammaEuclidean,
    alpha: c.alpha,
    beta: c.beta,
    eulerStep: c.eulerStep,
    rk4Step: c.rk4Step,
    weights: c.weights,
    mu: analysis.mu,
    couplingL: analysis.L,
    optimalAlpha: analysis.optimal.alpha,
    optimalRatio: analysis.mu.length === 2 ? analysis.optimal.weights[1] : null,
    bandMinus: finiteOrNull(analysis.band?.rMinus),
    bandPlus: finiteOrNull(analysis.band?.rPlus),
    alphaTrue: c.alphaTrue,
    hStabEuler: analysis.linear?.hStabEuler ?? null,
    hStabRk4: analysis.linear?.hStabRk4 ?? null,
  } satisfies Partial<CellRow>);
  if (analysis.band && !Number.isFinite(analysis.band.rPlus)) row.bandPlus = null;
}

/**
 * A Markov cell: the Fisher-geometry certificate at the cell's weights. eulerStep is eta_max
 * (2 alpha / beta^2, the safe NPG step), rk4Step C4 / beta as `sgn certify` reports; the band
 * is the two-player closed form on the Fisher mu and L. No Euclidean margin or ground truth.
 */
function markovRow(
  resolved: ResolvedSweep,
  cell: Cell,
  group: Extract<GroupAnalysis, { family: 'markov' }>,
): Partial<CellRow> {
  const b = group.bounds.fisher;
  const c = markovCertificateAt(b, cell.weights.kind === 'optimal' ? undefined : weightsFor(cell, b));
  const band = twoPlayerBand(b.mu, b.L, 0);
  return {
    certified: c.certified,
    alpha: c.alpha,
    beta: c.beta,
    eulerStep: c.etaMax,
    rk4Step: c.certified ? resolved.certify.c4 / c.beta : 0,
    weights: c.weights,
    mu: b.mu,
    couplingL: b.L,
    optimalAlpha: b.optimal.alpha,
    optimalRatio: b.optimal.weights[1],
    bandMinus: finiteOrNull(band?.rMinus),
    bandPlus: finiteOrNull(band?.rPlus),
  };
}

/** Seed for a cell's initial points: derived from its key, so any worker draws the same points. */
export function cellSeed(key: string): number {
  return Number.parseInt(key.slice(0, 8), 16); // 32 bits, non-negative (a NumPy seed)
}

/** Equilibrium of a linear game: H x* = -c (a singular H fails the game's runs, naming it). */
function linearEquilibrium(game: Game): Float64Array {
  if (!game.linear) throw new Error('step-size experiments need a linear game (the quadratic family)');
  if (game.linear.c.every((v) => v === 0)) return new Float64Array(game.blocks.dim);
  return findEquilibrium(game, { field: 'game', centreHint: false }).x;
}

/**
 * Step-size experiments of game groups [start, end) (a sweep's ratio axis does not matter
 * here: runs use the optimal weights, so one row set per game). For each integrator and
 * value c of the step axis, runs trajectories at h = c * (certified step), c * (exact threshold)
 * or h = c (absolute: stepsize.base) from `seeds` points at M-distance `spread` from the
 * equilibrium. When a game is not certified its certified step is 0 and multiples of the
 * certified step scale the exact stability threshold instead (so the phase diagram still shows
 * where play converges); absolute steps run as given. Linear games also store rho of the step
 * matrix at h, from the eigenvalues of H found once per game (GameGroups).
 */
export async function stepsizeRange(
  resolved: ResolvedSweep,
  start: number,
  end: number,
  tick: (done: number) => Promise<void> = async () => {},
  { skip, onCell }: Pick<EmitOptions, 'skip' | 'onCell'> = {},
): Promise<StepsizeRow[]> {
  if (!resolved.stepsize) throw new Error('this sweep has no stepsize section');
  const groups = new GameGroups(resolved);
  const R = ratioLength(resolved);
  const rows: StepsizeRow[] = [];
  let done = 0;
  for (let g = start; g < end; g++) {
    const key = gameGroupKey(resolved, g * R);
    const skipped = skip?.get(g);
    if (skipped !== undefined) rows.push(...failedGameRuns(resolved, g, key, skipped));
    else {
      try {
        onCell?.(g, 'analysis');
        rows.push(...gameRuns(resolved, groups, g, key));
      } catch (e) {
        // The game's own failure (a singular system, a non-finite value): its runs are stored
        // with the error and the range goes on.
        rows.push(...failedGameRuns(resolved, g, key, e instanceof Error ? e.message : String(e)));
      }
    }
    // Outside the game's try: a tick that throws (cancellation) ends the range, not the game.
    await tick(++done);
  }
  return rows;
}

/** One failed row per run of game group `g` (every integrator and multiplier), with `error`. */
function failedGameRuns(resolved: ResolvedSweep, g: number, key: string, error: string): StepsizeRow[] {
  const opts = resolved.stepsize;
  if (!opts) throw new Error('this sweep has no stepsize section');
  return opts.integrators.flatMap((integrator) =>
    opts.multipliers.map((multiplier) => ({
      cellIndex: g,
      cellKey: key,
      integrator,
      multiplier,
      step: null,
      certifiedStep: null,
      exactThreshold: null,
      stableExact: null,
      convergedFraction: null,
      empiricalFactor: null,
      predictedFactor: null,
      spectralRadius: null,
      gammaEuclidean: null,
      error,
      convergence: null,
    })),
  );
}

/** Step-size rows of game groups [start, end) stored as failed with `error` (a batch given up on). */
export function failedStepsizeRows(
  resolved: ResolvedSweep,
  start: number,
  end: number,
  error: string,
): StepsizeRow[] {
  const R = ratioLength(resolved);
  const rows: StepsizeRow[] = [];
  for (let g = start; g < end; g++)
    rows.push(...failedGameRuns(resolved, g, gameGroupKey(resolved, g * R), error));
  return rows;
}

/** The runs of one game group: every integrator and multiplier. */
function gameRuns(resolved: ResolvedSweep, groups: GameGroups, g: number, key: string): StepsizeRow[] {
  const opts = resolved.stepsize!;
  const cell = cellAt(resolved, g * ratioLength(resolved));
  const group = groups.get(cell);
  if (group.family === 'markov' || !group.game.linear) {
    const xStar = groups.equilibriumOf(cell);
    return nonlinearStepsizeRows(resolved, group, xStar, g, key, cellSeed(key));
  }
  const rows: StepsizeRow[] = [];
  const { game, analysis } = group;
  const w = analysis.optimal.weights;
  const cert = certifyWeights(analysis, w, {
    c4: resolved.certify.c4,
    warm: groups.warm,
    alphaTrue: false,
  });
  const xStar = linearEquilibrium(game);
  // Default: on the M(w)-sphere of radius spread around x*.
  const starts = gameStarts(opts, cellSeed(key), xStar, game.blocks, w, () =>
    drawStarts(
      { distribution: 'm-sphere', scale: opts.spread },
      xStar,
      game.blocks,
      w,
      opts.seeds,
      cellSeed(key),
    ),
  );
  const runOptions = runOptionsOf(opts);
  const eig = analysis.linear?.eigenvalues ?? null;
  const convergence = convergenceText(opts, true);
  for (const integrator of opts.integrators) {
    // resolve.ts refuses npg / epg outside the markov family.
    if (integrator !== 'euler' && integrator !== 'rk4') throw new Error(`${integrator} needs a markov game`);
    const certifiedStep = integrator === 'euler' ? cert.eulerStep : cert.rk4Step;
    const exact =
      integrator === 'euler' ? (analysis.linear?.hStabEuler ?? null) : (analysis.linear?.hStabRk4 ?? null);
    if (opts.base === 'threshold' && exact === null)
      throw new Error(
        'multiples of the exact threshold need it, and this game has none (too large for groundTruth: auto?)',
      );
    const base =
      opts.base === 'absolute'
        ? 1
        : opts.base === 'threshold'
          ? (exact ?? 0)
          : certifiedStep > 0
            ? certifiedStep
            : (exact ?? 0);
    for (const multiplier of opts.multipliers) {
      const h = multiplier * base;
      let converged = 0;
      const factors: number[] = [];
      const traces: RunTrace[] = [];
      // h = 0 (no certificate and no stable step, or asked for) moves nothing: there is nothing to run.
      const runs = h > 0 ? starts : [];
      for (const x0 of runs) {
        const r = runTrajectory(
          integrator,
          game.F,
          x0,
          xStar,
          h,
          opts.steps,
          opts.tolerance,
          game.blocks,
          w,
          runOptions,
        );
        if (r.converged) converged++;
        if (r.factor !== null && Number.isFinite(r.factor)) factors.push(r.factor);
        if (r.trace) traces.push(r.trace);
      }
      factors.sort((a, b) => a - b);
      rows.push({
        cellIndex: g,
        cellKey: key,
        integrator,
        multiplier,
        step: h,
        certifiedStep,
        exactThreshold: exact,
        stableExact: exact === null ? null : h < exact,
        // No runs asked for (seeds: 0): nothing converged or not; h = 0 with starts: none converge.
        convergedFraction: starts.length ? (runs.length ? converged / runs.length : 0) : null,
        empiricalFactor: factors.length ? factors[Math.floor(factors.length / 2)] : null,
        predictedFactor:
          integrator === 'euler' && cert.certified ? eulerFactorBound(h, cert.alpha, cert.beta) : null,
        spectralRadius: eig ? stepSpectralRadius(eig, h, integrator) : null,
        gammaEuclidean: analysis.gammaEuclidean,
        error: null,
        convergence,
        ...(opts.trace ? { traces } : {}),
      });
    }
  }
  return rows;
}
