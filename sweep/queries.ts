/** Reading stored results back: filtered cell results and band maps. */
import { Prisma, type PrismaClient } from '../db/client.js';
import { InputError } from '../sgn/util/errors.js';
import { axisLength, axisValue, type Axis } from './axes.js';
import { nearbyAxisValues, parseWhere, printed, type Condition, type QueryParams } from './query.js';
import { gridSql, paramColumns, whereSql, type ParamColumns } from './query-sql.js';
import { collectPages, CURSOR_PAGE, forEachCursorPage, WIDE_CURSOR_PAGE } from './cursor.js';

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

/** A sweep's axes as its stored spec lists them (`spec -> 'axes'`), or null (no list). */
function storedAxes(
  axes: unknown,
): { name: string; target: string; axis?: unknown; files?: unknown }[] | null {
  if (!Array.isArray(axes)) return null;
  return axes.filter(
    (a): a is { name: string; target: string; axis?: unknown; files?: unknown } =>
      typeof a === 'object' && a !== null && typeof a.name === 'string' && typeof a.target === 'string',
  );
}

/** A file axis' names (a string list), or null. */
function storedFiles(files: unknown): { files: string[] } | null {
  return Array.isArray(files) && files.every((f) => typeof f === 'string') ? { files } : null;
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

/** What `--where` needs to know of a sweep: its parameters, their axes and columns. */
export interface SweepQueryContext {
  readonly sweepId: string;
  /** Parameter names in the spec's order (empty when the spec lists no axes). */
  readonly paramNames: readonly string[];
  readonly params: QueryParams;
  readonly columns: ParamColumns | null;
}

/** Reads the sweep's axes once; InputError when there is no such sweep. */
export async function sweepQueryContext(prisma: PrismaClient, sweepId: string): Promise<SweepQueryContext> {
  const [sweep] = await prisma.$queryRaw<{ axes: unknown }[]>`
    SELECT spec -> 'axes' AS axes FROM sweeps WHERE id = ${sweepId}`;
  if (!sweep) throw new InputError('sweep', `no sweep with id "${sweepId}" (see: sgn sweep list)`);
  const axes = storedAxes(sweep.axes);
  if (!axes) return { sweepId, paramNames: [], params: null, columns: null };
  return {
    sweepId,
    paramNames: axes.map((a) => a.name),
    params: new Map(axes.map((a) => [a.name, storedFiles(a.files) ?? storedAxis(a.axis)])),
    columns: paramColumns(axes),
  };
}

/**
 * The WHERE clause of a results query (query.ts's language, query-sql.ts's SQL), checked
 * against the sweep's parameters; InputError when there is no such sweep or a condition is not
 * valid.
 */
export async function resultsFilter(
  prisma: PrismaClient,
  sweepId: string,
  where: readonly string[],
): Promise<Prisma.Sql> {
  const q = await sweepQueryContext(prisma, sweepId);
  return whereSql(sweepId, parseWhere(where, q.params), q.columns);
}

/** The tidy export's columns for a sweep: its parameters, and its longest vectors stored. */
export async function exportLayout(
  prisma: PrismaClient,
  sweepId: string,
): Promise<{ params: readonly string[]; weights: number; mu: number; coupling: number }> {
  const q = await sweepQueryContext(prisma, sweepId);
  // A sweep whose spec lists no axes: the parameters of its first cell.
  const params =
    q.params !== null
      ? q.paramNames
      : Object.keys(
          (
            await prisma.$queryRaw<{ params: Record<string, number> }[]>`
              SELECT params FROM cell_results WHERE sweep_id = ${sweepId} ORDER BY cell_index LIMIT 1`
          )[0]?.params ?? {},
        );
  const [dims] = await prisma.$queryRaw<{ weights: number; mu: number; coupling: number }[]>`
    SELECT coalesce(max(cardinality(weights)), 0)::int AS weights, coalesce(max(cardinality(mu)), 0)::int AS mu,
      coalesce(max(jsonb_array_length(coupling_l)), 0)::int AS coupling
    FROM cell_results WHERE sweep_id = ${sweepId}`;
  return { params, ...dims };
}

/**
 * Why a filter matched no cell, a line per reason, for stderr: the conditions that alone match
 * nothing (a parameter value that is not on its axis names the axis values either side; an
 * error text lists the errors stored), or that the conditions match cells only apart.
 */
export async function noMatchHints(
  prisma: PrismaClient,
  sweepId: string,
  where: readonly string[],
): Promise<string[]> {
  const q = await sweepQueryContext(prisma, sweepId);
  const conditions = parseWhere(where, q.params);
  const count = async (cs: readonly Condition[]): Promise<number> => {
    const [{ n }] = await prisma.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM cell_results WHERE ${whereSql(sweepId, cs, q.columns)}`;
    return n;
  };
  const lines = [`no cell of sweep ${sweepId} matches ${where.map((w) => `--where ${w}`).join(' ')}`];
  if ((await count([])) === 0) return [...lines, `sweep ${sweepId} has no stored cells yet`];
  let alone = 0;
  for (const c of conditions) {
    if ((await count([c])) > 0) continue;
    alone++;
    if (c.kind === 'param' && c.axis) lines.push(paramHint(c, 'cell'));
    else if (c.kind === 'error' && 'contains' in c.value && c.op === '=') {
      const kinds = await failureKinds(prisma, sweepId, 3);
      lines.push(
        kinds.length
          ? `${c.text}: no cell's error contains "${c.value.contains}" (${failureSummary(
              kinds.reduce((s, k) => s + k.cells, 0),
              await count([]),
              kinds,
            )}; error=any lists them)`
          : `${c.text}: no cell of the sweep failed`,
      );
    } else lines.push(`${c.text}: matches no cell`);
  }
  if (alone === 0) lines.push('each condition matches some cells, but no cell matches them all');
  return lines;
}

/** Why a condition on a swept parameter matches nothing: the axis values near it, or its range. */
export function paramHint(c: Condition, noun: 'cell' | 'run'): string {
  if (c.kind !== 'param' || !c.axis) return `${c.text}: matches no ${noun}`;
  const near = nearbyAxisValues(c.axis, c.value).map(printed);
  const first = printed(axisValue(c.axis, 0));
  const last = printed(axisValue(c.axis, axisLength(c.axis) - 1));
  return c.op === '=' && near.length
    ? `${c.text}: ${printed(c.value)} is not a value of axis ${c.name} (nearby: ${near.join(', ')})`
    : `${c.text}: matches no ${noun} (axis ${c.name} runs from ${first} to ${last})`;
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

/** Rows per page of a results read (the cursor's page). */
export const RESULTS_PAGE = CURSOR_PAGE;

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
  where: readonly string[],
  limit?: number,
): Promise<Prisma.Sql> {
  return selectResults(await resultsFilter(prisma, sweepId, where), limit);
}

/** How many cells the filter matches. */
export async function countResults(
  prisma: PrismaClient,
  sweepId: string,
  where: readonly string[],
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
 * of the sweep (sweep/cursor.ts).
 */
export async function forEachResultPage(
  prisma: PrismaClient,
  sweepId: string,
  where: readonly string[],
  onPage: (rows: ResultRow[]) => void | Promise<void>,
  { limit }: { limit?: number } = {},
): Promise<void> {
  const filter = await resultsFilter(prisma, sweepId, where);
  await forEachCursorPage<RawResult>(prisma, selectResults(filter, limit), (page) =>
    onPage(page.map(resultRow)),
  );
}

/**
 * The matching results on a drawn grid (drawn-grid.ts: the sub-grid a figure reads from a sweep
 * too large to draw whole), in one array; `axes` are the sweep's.
 */
export async function gridResultRows(
  prisma: PrismaClient,
  sweepId: string,
  where: readonly string[],
  axes: readonly { length: number }[],
  grid: { strides: readonly number[]; held: readonly (number | null)[] },
): Promise<ResultRow[]> {
  const filter = Prisma.sql`${await resultsFilter(prisma, sweepId, where)} AND ${gridSql(axes, grid)}`;
  return collectPages((onPage) =>
    forEachCursorPage<RawResult>(prisma, selectResults(filter), (page) => onPage(page.map(resultRow))),
  );
}

/** All matching results (at most `limit`) in one array: for what fits in memory. */
export function resultRows(
  prisma: PrismaClient,
  sweepId: string,
  where: readonly string[],
  limit?: number,
): Promise<ResultRow[]> {
  return collectPages((onPage) => forEachResultPage(prisma, sweepId, where, onPage, { limit }));
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

/** One cell of two sweeps: as each stores it, null where it does not (yet). */
export interface CellPair {
  readonly a: ResultRow | null;
  readonly b: ResultRow | null;
}

type Side = Omit<RawResult, 'cell_index' | 'cell_key' | 'params' | 'weights' | 'mu' | 'coupling_l'>;
type RawPair = { cell_index: number; params: Record<string, number>; in_a: boolean; in_b: boolean } & {
  [K in keyof Side as `a_${K}` | `b_${K}`]: Side[K];
};

function side(r: RawPair, s: 'a' | 'b'): ResultRow {
  const v = <K extends keyof Side>(k: K): Side[K] => (r as unknown as Record<string, Side[K]>)[`${s}_${k}`];
  return resultRow({
    cell_index: r.cell_index,
    cell_key: '',
    params: r.params,
    certified: v('certified'),
    alpha: v('alpha'),
    beta: v('beta'),
    euler_step: v('euler_step'),
    rk4_step: v('rk4_step'),
    weights: null,
    alpha_true: v('alpha_true'),
    gamma_euclidean: v('gamma_euclidean'),
    optimal_alpha: v('optimal_alpha'),
    optimal_ratio: v('optimal_ratio'),
    band_minus: v('band_minus'),
    band_plus: v('band_plus'),
    h_stab_euler: v('h_stab_euler'),
    h_stab_rk4: v('h_stab_rk4'),
    mu: null,
    coupling_l: null,
    error: v('error'),
  });
}

/**
 * The cells of two sweeps side by side, by cell index (one cursor over a merge join: memory of a
 * page whatever their size), each with its certificate's scalar outputs (not weights, mu, L).
 */
export async function forEachCellPairPage(
  prisma: PrismaClient,
  sweepA: string,
  sweepB: string,
  onPage: (pairs: CellPair[]) => void | Promise<void>,
): Promise<void> {
  const query = Prisma.sql`
    SELECT coalesce(a.cell_index, b.cell_index) AS cell_index, coalesce(a.params, b.params) AS params,
      a.cell_index IS NOT NULL AS in_a, b.cell_index IS NOT NULL AS in_b,
      a.certified AS a_certified, a.alpha AS a_alpha, a.beta AS a_beta, a.euler_step AS a_euler_step,
      a.rk4_step AS a_rk4_step, a.alpha_true AS a_alpha_true, a.gamma_euclidean AS a_gamma_euclidean,
      a.optimal_alpha AS a_optimal_alpha, a.optimal_ratio AS a_optimal_ratio, a.band_minus AS a_band_minus,
      a.band_plus AS a_band_plus, a.h_stab_euler AS a_h_stab_euler, a.h_stab_rk4 AS a_h_stab_rk4, a.error AS a_error,
      b.certified AS b_certified, b.alpha AS b_alpha, b.beta AS b_beta, b.euler_step AS b_euler_step,
      b.rk4_step AS b_rk4_step, b.alpha_true AS b_alpha_true, b.gamma_euclidean AS b_gamma_euclidean,
      b.optimal_alpha AS b_optimal_alpha, b.optimal_ratio AS b_optimal_ratio, b.band_minus AS b_band_minus,
      b.band_plus AS b_band_plus, b.h_stab_euler AS b_h_stab_euler, b.h_stab_rk4 AS b_h_stab_rk4, b.error AS b_error
    FROM (SELECT * FROM cell_results WHERE sweep_id = ${sweepA}) a
    FULL JOIN (SELECT * FROM cell_results WHERE sweep_id = ${sweepB}) b ON a.cell_index = b.cell_index
    ORDER BY 1`;
  await forEachCursorPage<RawPair>(prisma, query, (page) =>
    onPage(page.map((r) => ({ a: r.in_a ? side(r, 'a') : null, b: r.in_b ? side(r, 'b') : null }))),
  );
}

/**
 * A sweep's band-map rows, in the order of their parameter. Read in SQL, not through the Prisma
 * model: a failed cell's alpha is a NULL inside `alphas`, which the model's float[] refuses.
 */
export async function bandMapRows(prisma: PrismaClient, sweepId: string): Promise<BandMapRow[]> {
  return collectPages((onPage) => forEachBandMapPage(prisma, sweepId, onPage));
}

/** A game's band-map row (band_maps): its ratios and margins, edges and optimum. */
export interface BandMapRow {
  readonly paramName: string;
  readonly paramValue: number;
  readonly ratios: readonly number[];
  /** alpha_* at each ratio; NULL (a PostgreSQL array keeps it) where the cell failed. */
  readonly alphas: readonly (number | null)[];
  readonly rMinus: number | null;
  /** NULL beside a stored rMinus: the band is unbounded above. */
  readonly rPlus: number | null;
  readonly optimalRatio: number | null;
  readonly alphaMax: number | null;
  readonly certifiedFraction: number;
}

interface RawBandMap {
  param_name: string;
  param_value: number;
  ratios: number[];
  alphas: (number | null)[];
  r_minus: number | null;
  r_plus: number | null;
  optimal_ratio: number | null;
  alpha_max: number | null;
  certified_fraction: number;
}

/**
 * A sweep's band-map rows in bandMapRows' order, handed to `onPage` a page of games at a time
 * (WIDE_CURSOR_PAGE, one snapshot through a cursor): a million-cell map in the memory of 100 games.
 */
export async function forEachBandMapPage(
  prisma: PrismaClient,
  sweepId: string,
  onPage: (rows: BandMapRow[]) => void | Promise<void>,
): Promise<void> {
  await forEachCursorPage<RawBandMap>(
    prisma,
    Prisma.sql`SELECT param_name, param_value, ratios, alphas, r_minus, r_plus, optimal_ratio, alpha_max,
        certified_fraction
      FROM band_maps WHERE sweep_id = ${sweepId} ORDER BY param_name, param_value`,
    (page) =>
      onPage(
        page.map((r) => ({
          paramName: r.param_name,
          paramValue: r.param_value,
          ratios: r.ratios,
          alphas: r.alphas,
          rMinus: r.r_minus,
          rPlus: r.r_plus,
          optimalRatio: r.optimal_ratio,
          alphaMax: r.alpha_max,
          certifiedFraction: r.certified_fraction,
        })),
      ),
    WIDE_CURSOR_PAGE,
  );
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

/**
 * The commands that list a sweep's failures: `sweep results --where error=any` lists failed
 * certificates, and a step-size sweep's failed runs; a `both` sweep's failed runs need --runs.
 */
export async function failureListCommands(prisma: PrismaClient, sweepId: string): Promise<string[]> {
  const [row] = await prisma.$queryRaw<{ kind: string; cells: boolean; runs: boolean }[]>`
    SELECT kind,
      EXISTS (SELECT 1 FROM cell_results WHERE sweep_id = ${sweepId} AND error IS NOT NULL) AS cells,
      EXISTS (SELECT 1 FROM stepsize_results WHERE sweep_id = ${sweepId} AND error IS NOT NULL) AS runs
    FROM sweeps WHERE id = ${sweepId}`;
  const list = `sgn sweep results ${sweepId} --where error=any`;
  if (!row) return [list];
  const commands = [
    ...(row.cells || (row.kind !== 'both' && !row.runs) ? [list] : []),
    ...(row.runs
      ? [row.kind === 'both' ? `sgn sweep results ${sweepId} --runs --where error=any` : list]
      : []),
  ];
  return [...new Set(commands)];
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
