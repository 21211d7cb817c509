/**
 * Reading step-size runs back (stepsize_results: one row per game, integrator and step), as
 * `sgn sweep results` lists them for step-size sweeps: filtered by the `--where` language
 * (query.ts RUN_OUTPUTS), page by page, with each run's game parameters. A run stores no
 * parameters of its own: they follow from its game's index and the sweep's axes, so conditions
 * on parameters become the list of matching game indices, and the rest is SQL.
 */
import { Prisma, type PrismaClient } from '../db/client.js';
import type { StepsizeInsert } from '../db/exact-writes.js';
import { InputError } from '../sgn/util/errors.js';
import { paramsAt, ratioLength, type ParamValue } from './cells.js';
import { parseWhere, paramHolds, RUN_OUTPUTS, type Condition, type QueryParams } from './query.js';
import { whereSql } from './query-sql.js';
import { paramHint } from './queries.js';
import { collectPages, forEachCursorPage } from './cursor.js';
import type { ResolvedSweep } from './resolved.js';
import { column, type ColumnOf } from './tidy.js';

/** A stored run as it was written (db/exact-writes.ts), with its game's parameters. */
export interface RunRow extends StepsizeInsert {
  /** The run's game among the sweep's games (the games' first cells are cellIndex x ratios). */
  cellIndex: number;
  /** The game's parameters (the sweep's axes but the weight ratio). */
  params: Record<string, ParamValue>;
}

interface RawRun {
  cell_index: number;
  cell_key: string;
  integrator: string;
  multiplier: number;
  step: number | null;
  certified_step: number | null;
  exact_threshold: number | null;
  stable_exact: boolean | null;
  converged_fraction: number | null;
  empirical_factor: number | null;
  predicted_factor: number | null;
  spectral_radius: number | null;
  gamma_euclidean: number | null;
  convergence: string | null;
  error: string | null;
}

/** A step-size sweep as its runs are read: its spec, the runs' parameters and their axes. */
export interface RunQueryContext {
  readonly sweepId: string;
  readonly resolved: ResolvedSweep;
  /** The runs' parameter names, in the spec's order. */
  readonly paramNames: readonly string[];
  readonly params: QueryParams;
}

/** Reads the sweep's spec; InputError when there is no such sweep or it has no step-size runs. */
export async function runQueryContext(prisma: PrismaClient, sweepId: string): Promise<RunQueryContext> {
  const [row] = await prisma.$queryRaw<{ spec: unknown; kind: string }[]>`
    SELECT spec, kind FROM sweeps WHERE id = ${sweepId}`;
  if (!row) throw new InputError('sweep', `no sweep with id "${sweepId}" (see: sgn sweep list)`);
  const resolved = row.spec as ResolvedSweep;
  if (!resolved.stepsize)
    throw new InputError('--runs', `sweep "${sweepId}" has no step-size runs (it is a ${row.kind} sweep)`);
  const axes = resolved.axes.filter((a) => a.target !== 'weights');
  return {
    sweepId,
    resolved,
    paramNames: axes.map((a) => a.name),
    params: new Map(axes.map((a) => [a.name, a.files ? { files: a.files } : a.axis])),
  };
}

/** The game parameters of run rows, worked out once per game (a game's runs are consecutive). */
function runParams(q: RunQueryContext): (game: number) => Record<string, ParamValue> {
  const R = ratioLength(q.resolved);
  let last = -1;
  let params: Record<string, ParamValue> = {};
  return (game) => {
    if (game !== last) {
      const all = paramsAt(q.resolved, game * R);
      params = Object.fromEntries(q.paramNames.map((n) => [n, all[n]]));
      last = game;
    }
    return params;
  };
}

/**
 * The games whose parameters meet every condition on parameters, scanning the sweep's games
 * (bounded by its cell count, checked when it was started).
 */
export function matchingGames(q: RunQueryContext, onParams: readonly Condition[]): number[] {
  const R = ratioLength(q.resolved);
  const games = q.resolved.totalCells / R;
  const out: number[] = [];
  for (let g = 0; g < games; g++) {
    const params = paramsAt(q.resolved, g * R);
    if (onParams.every((c) => paramHolds(c, params))) out.push(g);
  }
  return out;
}

const onParameter = (c: Condition): boolean => c.kind === 'param' || c.kind === 'file';

/** The WHERE clause of these conditions over the sweep's runs. */
export function runFilterSql(q: RunQueryContext, conditions: readonly Condition[]): Prisma.Sql {
  const onParams = conditions.filter(onParameter);
  const filter = whereSql(
    q.sweepId,
    conditions.filter((c) => !onParameter(c)),
    null,
  );
  if (onParams.length === 0) return filter;
  return Prisma.sql`${filter} AND cell_index = ANY(${matchingGames(q, onParams)}::int[])`;
}

export async function runsFilter(
  prisma: PrismaClient,
  sweepId: string,
  where: readonly string[],
): Promise<{ q: RunQueryContext; filter: Prisma.Sql }> {
  const q = await runQueryContext(prisma, sweepId);
  return { q, filter: runFilterSql(q, parseWhere(where, q.params, RUN_OUTPUTS)) };
}

export async function countRuns(prisma: PrismaClient, filter: Prisma.Sql): Promise<number> {
  const [{ n }] = await prisma.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM stepsize_results WHERE ${filter}`;
  return n;
}

/**
 * Hands the matching runs, in game, integrator and step order and at most `limit`, to `onPage`
 * a page at a time (sweep/cursor.ts: bounded memory, one snapshot).
 */
export async function forEachRunPage(
  prisma: PrismaClient,
  sweepId: string,
  where: readonly string[],
  onPage: (rows: RunRow[]) => void | Promise<void>,
  { limit }: { limit?: number } = {},
): Promise<void> {
  const { q, filter } = await runsFilter(prisma, sweepId, where);
  const paramsOf = runParams(q);
  const query = Prisma.sql`
    SELECT cell_index, cell_key, integrator, multiplier, step, certified_step, exact_threshold,
      stable_exact, converged_fraction, empirical_factor, predicted_factor, spectral_radius,
      gamma_euclidean, convergence, error
    FROM stepsize_results WHERE ${filter}
    ORDER BY cell_index, integrator, multiplier
    ${limit !== undefined ? Prisma.sql`LIMIT ${limit}` : Prisma.empty}`;
  await forEachCursorPage<RawRun>(prisma, query, (page) =>
    onPage(page.map((r) => runRow(r, paramsOf(r.cell_index)))),
  );
}

/** All matching runs (at most `limit`) in one array: for what fits in memory. */
export function runRows(
  prisma: PrismaClient,
  sweepId: string,
  where: readonly string[],
  limit?: number,
): Promise<RunRow[]> {
  return collectPages((onPage) => forEachRunPage(prisma, sweepId, where, onPage, { limit }));
}

function runRow(r: RawRun, params: Record<string, ParamValue>): RunRow {
  return {
    cellIndex: r.cell_index,
    cellKey: r.cell_key,
    params,
    integrator: r.integrator,
    multiplier: r.multiplier,
    step: r.step,
    certifiedStep: r.certified_step,
    exactThreshold: r.exact_threshold,
    stableExact: r.stable_exact,
    convergedFraction: r.converged_fraction,
    empiricalFactor: r.empirical_factor,
    predictedFactor: r.predicted_factor,
    spectralRadius: r.spectral_radius,
    gammaEuclidean: r.gamma_euclidean,
    convergence: r.convergence,
    error: r.error,
  };
}

/** A tidy column of runs (CSV and Parquet, as sweep/tidy.ts lays out cells). */
export type RunColumn = ColumnOf<RunRow>;

const NUMBERS = [
  'multiplier',
  'step',
  'certifiedStep',
  'exactThreshold',
  'convergedFraction',
  'empiricalFactor',
  'predictedFactor',
  'spectralRadius',
  'gammaEuclidean',
] as const;

const col = column<RunRow>;

/** One column per game parameter and per output; a file axis is text. */
export function runColumns(q: Pick<RunQueryContext, 'paramNames' | 'params'>): RunColumn[] {
  const isFile = (p: string): boolean => {
    const domain = q.params?.get(p);
    return domain !== null && domain !== undefined && 'files' in domain;
  };
  return [
    col('cellIndex', 'INT32', (r) => r.cellIndex),
    col('cellKey', 'STRING', (r) => r.cellKey),
    ...q.paramNames.map((p) => col(p, isFile(p) ? 'STRING' : 'DOUBLE', (r) => r.params[p] ?? null)),
    col('integrator', 'STRING', (r) => r.integrator),
    ...NUMBERS.map((k) => col(k, 'DOUBLE', (r) => r[k])),
    col('stableExact', 'BOOLEAN', (r) => r.stableExact),
    col('convergence', 'STRING', (r) => r.convergence),
    col('error', 'STRING', (r) => r.error),
  ];
}

/**
 * Why a filter matched no run, a line per reason (for stderr): the sweep has none stored yet, or
 * the conditions that alone match none.
 */
export async function noRunMatchHints(
  prisma: PrismaClient,
  sweepId: string,
  where: readonly string[],
): Promise<string[]> {
  const q = await runQueryContext(prisma, sweepId);
  const conditions = parseWhere(where, q.params, RUN_OUTPUTS);
  const count = (cs: readonly Condition[]): Promise<number> => countRuns(prisma, runFilterSql(q, cs));
  const lines = [
    `no step-size run of sweep ${sweepId} matches ${where.map((w) => `--where ${w}`).join(' ')}`,
  ];
  if ((await count([])) === 0) return [...lines, `sweep ${sweepId} has no stored step-size runs yet`];
  let alone = 0;
  for (const c of conditions) {
    if ((await count([c])) > 0) continue;
    alone++;
    lines.push(paramHint(c, 'run'));
  }
  if (alone === 0) lines.push('each condition matches some runs, but no run matches them all');
  return lines;
}
