/** Reading stored results back: filtered cell results and band maps. */
import { Prisma, type PrismaClient } from '../db/client.js';
import { InputError } from '../sgn/util/errors.js';
import { axisValueNear, gameParamName, type Axis } from './axes.js';

export interface ResultRow {
  cellIndex: number;
  cellKey: string;
  /** Axis name -> value (the file axis: the file's name). */
  params: Record<string, number | string>;
  certified: boolean;
  alpha: number | null;
  beta: number | null;
  eulerStep: number | null;
  rk4Step: number | null;
  weights: number[];
  alphaTrue: number | null;
  gammaEuclidean: number | null;
  optimalAlpha: number | null;
  optimalRatio: number | null;
  bandMinus: number | null;
  bandPlus: number | null;
  hStabEuler: number | null;
  hStabRk4: number | null;
  mu: number[];
  L: unknown;
  error: string | null;
}

export const RESULT_CSV_HEADER = [
  'cellIndex',
  'cellKey',
  'certified',
  'alpha',
  'beta',
  'eulerStep',
  'rk4Step',
  'alphaTrue',
  'gammaEuclidean',
  'optimalAlpha',
  'optimalRatio',
  'bandMinus',
  'bandPlus',
  'hStabEuler',
  'hStabRk4',
  'weights',
  'mu',
  'L',
  'params',
  'error',
] as const;

/** A result's values in RESULT_CSV_HEADER's order. */
export function resultCsvCells(r: ResultRow): unknown[] {
  return RESULT_CSV_HEADER.map((k) => r[k]);
}

export const BAND_CSV_HEADER = [
  'param',
  'paramValue',
  'ratio',
  'alpha',
  'rMinus',
  'rPlus',
  'optimalRatio',
  'alphaMax',
];

export interface WhereClause {
  key: string;
  value: string;
}

/** `--where key=value`: key is `certified`, `cellKey`, `ratio`, `error`, or any sweep parameter (e.g. lambda). */
export function parseWhere(items: readonly string[]): WhereClause[] {
  return items.map((item, i) => {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new InputError(`--where[${i}]`, `must look like key=value, got "${item}"`);
    return { key: item.slice(0, eq).trim(), value: item.slice(eq + 1).trim() };
  });
}

/** What a `--where` on one of the sweep's parameters needs: its indexed column, if any, and its axis. */
interface SweepParam {
  column: Prisma.Sql | null;
  axis: Axis | null;
  /** The file axis: its files' names (the params hold the name, compared as text). */
  files: string[] | null;
}

const isNumber = (x: unknown): x is number => typeof x === 'number';
const isTriple = (x: unknown): x is [number, number, number] =>
  Array.isArray(x) && x.length === 3 && x.every(isNumber);

/** An axis as the resolved spec stores it (`{linspace: [a, b, n]}`, ...), or null. */
function storedAxis(x: unknown): Axis | null {
  if (typeof x !== 'object' || x === null) return null;
  const o = x as Record<string, unknown>;
  if (Array.isArray(o.values) && o.values.every(isNumber)) return { values: o.values };
  if (isTriple(o.linspace)) return { linspace: o.linspace };
  if (isTriple(o.geomspace)) return { geomspace: o.geomspace };
  if (isTriple(o.range)) return { range: o.range };
  return null;
}

/**
 * The sweep's parameters (its axes), read from its spec; null when the spec names no axes list
 * (then any key filters the params document). Two also live in indexed columns (index
 * (sweep_id, game_param, ratio)): the swept game parameter (see gameParamName) in game_param,
 * the weight ratio in ratio.
 */
function sweepParams(axes: unknown): Map<string, SweepParam> | null {
  if (!Array.isArray(axes)) return null;
  const named = axes.filter(
    (a): a is { name: string; target: string; axis?: unknown; files?: unknown } =>
      typeof a === 'object' && a !== null && typeof a.name === 'string' && typeof a.target === 'string',
  );
  const main = gameParamName({ axes: named });
  const params = new Map<string, SweepParam>();
  for (const a of named) {
    const column =
      a.name === main
        ? Prisma.sql`game_param`
        : a.name === 'ratio' && a.target === 'weights'
          ? Prisma.sql`ratio`
          : null;
    const files =
      Array.isArray(a.files) && a.files.every((f) => typeof f === 'string') ? (a.files as string[]) : null;
    params.set(a.name, { column: files ? null : column, axis: storedAxis(a.axis), files });
  }
  return params;
}

/**
 * SQL conditions for the clauses. A number given for a parameter stands for the axis value it
 * agrees with to 6 significant digits (axisValueNear: `lambda=0.3` finds linspace's
 * 0.30000000000000004), and is compared as float8 from text: Prisma's JSON filters round numbers
 * to 16 digits (see db/exact-writes.ts), which would miss cells. A parameter with a column of its
 * own (the same double as in params) is compared there, where the index finds it; any other is
 * read from params.
 */
function conditions(
  sweepId: string,
  clauses: readonly WhereClause[],
  params: Map<string, SweepParam> | null,
): Prisma.Sql {
  const parts: Prisma.Sql[] = [Prisma.sql`sweep_id = ${sweepId}`];
  for (const { key, value } of clauses) {
    if (key === 'certified') {
      if (value !== 'true' && value !== 'false')
        throw new InputError(`--where ${key}`, 'must be true or false');
      parts.push(Prisma.sql`certified = ${value === 'true'}`);
    } else if (key === 'cellKey') {
      parts.push(Prisma.sql`cell_key = ${value}`);
    } else if (key === 'error') {
      // any: every failed cell; none: every cell computed; other text: failed cells whose error contains it.
      parts.push(
        value === 'none'
          ? Prisma.sql`error IS NULL`
          : value === 'any' || value === ''
            ? Prisma.sql`error IS NOT NULL`
            : Prisma.sql`strpos(error, ${value}) > 0`,
      );
    } else {
      const param = params?.get(key);
      if (params && !param) {
        const names = [...params.keys()];
        throw new InputError(
          `--where ${key}`,
          `is not a parameter of sweep "${sweepId}" (${names.length ? `its parameters: ${names.join(', ')}` : 'it has none'}; also certified, cellKey, error)`,
        );
      }
      if (param?.files) {
        if (!param.files.includes(value)) {
          const shown = param.files.slice(0, 5).join(', ');
          throw new InputError(
            `--where ${key}`,
            `"${value}" is not one of the sweep's ${param.files.length} files (${shown}${param.files.length > 5 ? ', ...' : ''})`,
          );
        }
        parts.push(Prisma.sql`params ->> ${key} = ${value}`);
        continue;
      }
      const v = Number(value);
      if (value === '' || !Number.isFinite(v))
        throw new InputError(`--where ${key}`, `must be a number, got "${value}"`);
      const stored = String((param?.axis && axisValueNear(param.axis, v)) ?? v);
      parts.push(
        param?.column
          ? Prisma.sql`${param.column} = ${stored}::float8`
          : Prisma.sql`(params ->> ${key})::float8 = ${stored}::float8`,
      );
    }
  }
  return Prisma.join(parts, ' AND ');
}

interface RawResult {
  cell_index: number;
  cell_key: string;
  params: Record<string, number>;
  certified: boolean;
  alpha: number | null;
  beta: number | null;
  euler_step: number | null;
  rk4_step: number | null;
  weights: number[] | null;
  alpha_true: number | null;
  gamma_euclidean: number | null;
  optimal_alpha: number | null;
  optimal_ratio: number | null;
  band_minus: number | null;
  band_plus: number | null;
  h_stab_euler: number | null;
  h_stab_rk4: number | null;
  mu: number[] | null;
  coupling_l: unknown;
  error: string | null;
}

/** Rows per page when results are read through a cursor (FETCH takes no parameter: see FETCH_PAGE). */
export const RESULTS_PAGE = 5000;
const FETCH_PAGE = Prisma.sql`FETCH FORWARD 5000 FROM sgn_results`;

/** How long an export may hold its read transaction (a slow reader of a large export). */
const EXPORT_TIMEOUT_MS = 6 * 3600_000;

/**
 * The WHERE clause of a results query, checked against the sweep's parameters (read once);
 * InputError when there is no such sweep or a filter is not valid.
 */
async function resultsFilter(
  prisma: PrismaClient,
  sweepId: string,
  where: readonly WhereClause[],
): Promise<Prisma.Sql> {
  const [sweep] = await prisma.$queryRaw<{ axes: unknown }[]>`
    SELECT spec -> 'axes' AS axes FROM sweeps WHERE id = ${sweepId}`;
  if (!sweep) throw new InputError('sweep', `no sweep with id "${sweepId}" (see: sgn sweep list)`);
  return conditions(sweepId, where, sweepParams(sweep.axes));
}

function selectResults(filter: Prisma.Sql, limit?: number): Prisma.Sql {
  return Prisma.sql`
    SELECT cell_index, cell_key, params, certified, alpha, beta, euler_step, rk4_step, weights, alpha_true,
      gamma_euclidean, optimal_alpha, optimal_ratio, band_minus, band_plus, h_stab_euler, h_stab_rk4, mu, coupling_l, error
    FROM cell_results WHERE ${filter}
    ORDER BY cell_index
    ${limit !== undefined ? Prisma.sql`LIMIT ${limit}` : Prisma.empty}`;
}

/** The query behind resultPages (for EXPLAIN in tests); InputError when there is no such sweep. */
export async function resultsQuery(
  prisma: PrismaClient,
  sweepId: string,
  where: readonly WhereClause[],
  limit?: number,
): Promise<Prisma.Sql> {
  return selectResults(await resultsFilter(prisma, sweepId, where), limit);
}

/** How many cells the filter matches. */
export async function countResults(
  prisma: PrismaClient,
  sweepId: string,
  where: readonly WhereClause[],
): Promise<number> {
  const filter = await resultsFilter(prisma, sweepId, where);
  const [{ n }] = await prisma.$queryRaw<
    { n: number }[]
  >`SELECT count(*)::int AS n FROM cell_results WHERE ${filter}`;
  return n;
}

/**
 * Hands the matching results, in cell order and at most `limit`, to `onPage` a page of
 * RESULTS_PAGE rows at a time, awaiting it before the next: memory stays bounded whatever the size
 * of the sweep (one query for the 1,000,000 rows of a large sweep held 4 GB). One query through
 * a cursor, in one read transaction: one plan for the whole export, and one snapshot (a running
 * sweep's later rows are not in it). Keyset pages instead re-planned each page and, with the
 * statistics of a table just filled, sorted the rest of the sweep for every one of them.
 */
export async function forEachResultPage(
  prisma: PrismaClient,
  sweepId: string,
  where: readonly WhereClause[],
  onPage: (rows: ResultRow[]) => void | Promise<void>,
  { limit }: { limit?: number } = {},
): Promise<void> {
  const filter = await resultsFilter(prisma, sweepId, where);
  await prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw`DECLARE sgn_results NO SCROLL CURSOR FOR ${selectResults(filter, limit)}`;
      for (;;) {
        const page = await tx.$queryRaw<RawResult[]>(FETCH_PAGE);
        if (page.length > 0) await onPage(page.map(resultRow));
        if (page.length < RESULTS_PAGE) return;
      }
    },
    { timeout: EXPORT_TIMEOUT_MS },
  );
}

/** All matching results (at most `limit`) in one array: for what fits in memory. */
export async function resultRows(
  prisma: PrismaClient,
  sweepId: string,
  where: readonly WhereClause[],
  limit?: number,
): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  await forEachResultPage(
    prisma,
    sweepId,
    where,
    (page) => {
      for (const r of page) rows.push(r);
    },
    { limit },
  );
  return rows;
}

function resultRow(r: RawResult): ResultRow {
  return {
    cellIndex: r.cell_index,
    cellKey: r.cell_key,
    params: r.params,
    certified: r.certified,
    alpha: r.alpha,
    beta: r.beta,
    eulerStep: r.euler_step,
    rk4Step: r.rk4_step,
    weights: r.weights ?? [],
    alphaTrue: r.alpha_true,
    gammaEuclidean: r.gamma_euclidean,
    optimalAlpha: r.optimal_alpha,
    optimalRatio: r.optimal_ratio,
    bandMinus: r.band_minus,
    bandPlus: r.band_plus,
    hStabEuler: r.h_stab_euler,
    hStabRk4: r.h_stab_rk4,
    mu: r.mu ?? [],
    L: r.coupling_l,
    error: r.error,
  };
}

export async function bandMapRows(prisma: PrismaClient, sweepId: string) {
  return prisma.bandMap.findMany({
    where: { sweepId },
    orderBy: [{ paramName: 'asc' }, { paramValue: 'asc' }],
    select: {
      paramName: true,
      paramValue: true,
      ratios: true,
      alphas: true,
      rMinus: true,
      rPlus: true,
      optimalRatio: true,
      alphaMax: true,
      certifiedFraction: true,
    },
  });
}

/** How many cells (games, for step-size runs) of a sweep failed with one error text. */
export interface FailureKind {
  readonly error: string;
  readonly cells: number;
}

/**
 * A sweep's failed cells grouped by their error text, most frequent first (at most `limit`
 * kinds): certify cells, and step-size games (whose runs all carry the game's error).
 */
export async function failureKinds(prisma: PrismaClient, sweepId: string, limit = 5): Promise<FailureKind[]> {
  const rows = await prisma.$queryRaw<{ error: string; cells: number }[]>`
    SELECT error, count(*)::int AS cells FROM (
      SELECT error FROM cell_results WHERE sweep_id = ${sweepId} AND error IS NOT NULL
      UNION ALL
      SELECT DISTINCT ON (cell_index) error FROM stepsize_results
      WHERE sweep_id = ${sweepId} AND error IS NOT NULL
    ) failed
    GROUP BY error ORDER BY cells DESC, error LIMIT ${limit}`;
  return rows;
}

/** One line for people: `1 of 6 cells failed: 1 x game: H is singular, ..., 2 x timeout after 5 s`. */
export function failureSummary(failed: number, total: number, kinds: readonly FailureKind[]): string {
  const shown = kinds.reduce((s, k) => s + k.cells, 0);
  const parts = kinds.map(
    (k) => `${k.cells} x ${k.error.length > 100 ? `${k.error.slice(0, 97)}...` : k.error}`,
  );
  if (failed > shown) parts.push(`${failed - shown} other`);
  return `${failed} of ${total} cells failed: ${parts.join(', ')}`;
}

/** Every sweep, newest first, as `sgn sweep list` shows them. */
export function listSweeps(prisma: PrismaClient) {
  return prisma.sweep.findMany({
    orderBy: { createdAt: 'desc' },
    select: {
      id: true,
      name: true,
      kind: true,
      status: true,
      totalCells: true,
      doneCells: true,
      failedCells: true,
      createdAt: true,
    },
  });
}

/** Sweep `id`'s stored status (null: no such sweep). */
export async function storedStatus(prisma: PrismaClient, id: string): Promise<string | null> {
  return (await prisma.sweep.findUnique({ where: { id }, select: { status: true } }))?.status ?? null;
}

/** What a sweep's recently stored rows say about its pace and who computes it. */
export interface SweepActivity {
  readonly sweepId: string;
  /** Work items (certify cells, step-size games) stored in the window. */
  readonly recentCells: number;
  /** recentCells per second over the window (or since the sweep was created, if later). */
  readonly cellsPerSecond: number;
  /** Distinct worker identities on the window's cell rows (computed_by). */
  readonly workers: string[];
  /** When the newest row was stored (ISO), null when none is. */
  readonly lastStoredAt: string | null;
}

/**
 * Pace and workers of the given sweeps over the last `windowSeconds`, from the rows' own
 * timestamps (a batch's rows share one): the sweep_id index finds each sweep's rows.
 */
export async function recentActivity(
  prisma: PrismaClient,
  sweepIds: readonly string[],
  windowSeconds = 60,
): Promise<SweepActivity[]> {
  if (sweepIds.length === 0) return [];
  const ids = [...sweepIds];
  const rows = await prisma.$queryRaw<
    { sweep_id: string; n: number; seconds: number; workers: string[]; last: Date | null }[]
  >`
    WITH recent AS (
      SELECT sweep_id, created_at, computed_by FROM cell_results
      WHERE sweep_id = ANY(${ids}) AND created_at > now() - make_interval(secs => ${windowSeconds})
      UNION ALL
      SELECT sweep_id, min(created_at), NULL FROM stepsize_results
      WHERE sweep_id = ANY(${ids}) AND created_at > now() - make_interval(secs => ${windowSeconds})
      GROUP BY sweep_id, cell_index
    ), last AS (
      SELECT s.id, greatest(
        (SELECT max(created_at) FROM cell_results c WHERE c.sweep_id = s.id),
        (SELECT max(created_at) FROM stepsize_results r WHERE r.sweep_id = s.id)) AS last,
        least(${windowSeconds}::float8, greatest(extract(epoch FROM now() - s.created_at)::float8, 1)) AS seconds
      FROM sweeps s WHERE s.id = ANY(${ids})
    )
    SELECT l.id AS sweep_id, count(r.created_at)::int AS n, l.seconds, l.last,
      coalesce(array_agg(DISTINCT r.computed_by) FILTER (WHERE r.computed_by IS NOT NULL), '{}') AS workers
    FROM last l LEFT JOIN recent r ON r.sweep_id = l.id
    GROUP BY l.id, l.seconds, l.last`;
  return rows.map((r) => ({
    sweepId: r.sweep_id,
    recentCells: r.n,
    cellsPerSecond: r.n / r.seconds,
    workers: r.workers,
    lastStoredAt: r.last?.toISOString() ?? null,
  }));
}
