/**
 * The sweep worker's hot write path: certify rows and the sweep's counters, through Prisma's
 * parameterised raw queries. Each statement is a data-modifying CTE (rows, and with the last one
 * the counters): `CellBatchStream` sends a batch's rows while it computes, inside the batch's
 * transaction; `writeCellBatch` writes rows at hand in one statement (or one transaction). Columns
 * travel as array literals (one text parameter a column): column arrays parsed by float8in cost
 * the server less than jsonb_to_recordset (which goes numeric -> text -> float8 per value).
 *
 * Exactness: every double travels as JavaScript's shortest round-trip text, which float8in
 * rounds back to the same double (and -0 is spelled "-0"). NaN and +-Infinity are stored as
 * NULL, as db/exact-writes.ts does.
 *
 * Text is what costs: Prisma hands each parameter through its query compiler as JSON, twice
 * escaped (~30 ns a character here, ~55 with quotes), and PostgreSQL parses it. So the common
 * shapes travel as bare number arrays: weights one float8[] per position when every row has as
 * many (else one array literal per row), params one float8[] per axis, rebuilt by
 * jsonb_build_object (PostgreSQL prints a float8 shortest round-trip, so the JSON numbers are the
 * same; rows whose params have other keys travel as a JSON document), and keys unquoted where
 * array syntax allows. coupling_l travels as one JSON document per run of rows. A column equal to
 * one already sent is not sent again (RowFloats), consecutive cell indices go as a series.
 *
 * Integrity without per-row checks: each statement checks and key-share locks the sweep once
 * (no foreign key on cell_results), and a batch with nothing stored yet inserts without
 * ON CONFLICT (CellBatchStream's `fresh`); the unique (sweep_id, cell_key) still holds either way.
 */
import { Prisma } from '../generated/prisma/client.js';
import type { PrismaClient } from './client.js';
import type { CellInsert } from './exact-writes.js';

/** A PrismaClient or an interactive transaction. */
export interface RawQueryable {
  $queryRaw<T = unknown>(query: Prisma.Sql): Prisma.PrismaPromise<T>;
}

/**
 * The statement as a Prisma.Sql: its text split at the $n placeholders, each occurrence bound
 * to values[n - 1] (a parameter used twice is bound twice). No value enters the SQL text.
 */
function bind(text: string, values: readonly unknown[]): Prisma.Sql {
  const strings: string[] = [];
  const bound: unknown[] = [];
  let last = 0;
  for (const m of text.matchAll(/\$(\d+)/g)) {
    strings.push(text.slice(last, m.index));
    bound.push(values[Number(m[1]) - 1]);
    last = m.index + m[0].length;
  }
  strings.push(text.slice(last));
  return Prisma.sql(strings, ...bound);
}

function num(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return 'NULL';
  return Object.is(x, -0) ? '-0' : String(x);
}

/** A float8[] (or int[]) literal of these values. */
function floatArray(values: readonly (number | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) out += (i ? ',' : '') + num(values[i]);
  return `${out}}`;
}

/** A float8[] literal of one column. */
function floats(rows: readonly CellInsert[], pick: (r: CellInsert) => number | null): string {
  return floatArray(rows.map(pick));
}

/** A text[] literal whose elements are float8[] literals (one array per row). */
function floatArrays(rows: readonly CellInsert[], pick: (r: CellInsert) => readonly number[]): string {
  let out = '{';
  for (let i = 0; i < rows.length; i++) {
    const xs = pick(rows[i]);
    let a = '{';
    for (let j = 0; j < xs.length; j++) a += (j ? ',' : '') + num(xs[j]);
    out += `${i ? ',' : ''}"${a}}"`;
  }
  return `${out}}`;
}

/** Array elements that need no quotes: cell keys are hex (and never the word NULL). */
const BARE = /^[0-9A-Za-z_.:+-]+$/;

/** A text[] literal; NUL (which PostgreSQL text cannot hold) becomes U+FFFD. */
function texts(rows: readonly CellInsert[], pick: (r: CellInsert) => string | null): string {
  let out = '{';
  for (let i = 0; i < rows.length; i++) {
    const s = pick(rows[i]);
    const v =
      s === null
        ? 'NULL'
        : BARE.test(s) && s.toUpperCase() !== 'NULL'
          ? s
          : `"${s.replace(/\0/g, '\uFFFD').replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
    out += (i ? ',' : '') + v;
  }
  return `${out}}`;
}

function finiteJson(values: readonly unknown[]): string {
  return JSON.stringify(values, (_k, v: unknown) =>
    typeof v === 'number' && !Number.isFinite(v) ? null : v,
  );
}

/**
 * Columns that hold the game's values, not the cell's (bounds, optimum, band, exact thresholds):
 * equal for every cell of a game group, e.g. the 160 ratios of one lambda. They travel once per
 * run of consecutive rows with equal values and are joined back to their rows in SQL: half the
 * text to encode, send and parse (measured: ~40% less server CPU per row).
 */
const GAME_FLOATS = [
  ['game_param', 'gameParam'],
  ['region_radius', 'regionRadius'],
  ['gamma_euclidean', 'gammaEuclidean'],
  ['optimal_alpha', 'optimalAlpha'],
  ['optimal_ratio', 'optimalRatio'],
  ['band_minus', 'bandMinus'],
  ['band_plus', 'bandPlus'],
  ['h_stab_euler', 'hStabEuler'],
  ['h_stab_rk4', 'hStabRk4'],
] as const satisfies readonly (readonly [string, keyof CellInsert])[];

/** The cell's own float columns. */
const CELL_FLOATS = [
  ['ratio', 'ratio'],
  ['alpha', 'alpha'],
  ['beta', 'beta'],
  ['euler_step', 'eulerStep'],
  ['rk4_step', 'rk4Step'],
  ['alpha_true', 'alphaTrue'],
] as const satisfies readonly (readonly [string, keyof CellInsert])[];

/** The parameters of one statement: each value added is bound to the next $n. */
class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

/** Whether two doubles are stored alike: bit for bit, and every non-finite value as NULL. */
function storedAlike(a: number | null, b: number | null): boolean {
  const fa = a !== null && Number.isFinite(a);
  const fb = b !== null && Number.isFinite(b);
  return fa && fb ? Object.is(a, b) : fa === fb;
}

/**
 * The float columns of a statement's rows, each sent at most once: a column whose values equal,
 * row for row, those of a column already sent, or its run's value of a game column, is read from
 * that one in SQL. (In a ratio sweep the ratio travels as the ratio column, a weight and a
 * parameter, and the game parameter as a game value and a parameter: a third of the text.)
 */
class RowFloats {
  private readonly sent: { values: (number | null)[]; expr: string }[] = [];

  constructor(
    private readonly p: Params,
    private readonly sources: string[],
    private readonly names: string[],
    /** Game columns: one value per run, and the SQL that reads it. */
    private readonly game: readonly { values: (number | null)[]; expr: string }[],
    private readonly runOf: Int32Array,
  ) {}

  /** The SQL expression that reads this column of the rows (sending it if need be). */
  column(values: (number | null)[], name: string): string {
    const alike = (other: (number | null)[], at: (i: number) => number) =>
      values.every((v, i) => storedAlike(v, other[at(i)]));
    for (const s of this.sent) if (alike(s.values, (i) => i)) return s.expr;
    for (const g of this.game) if (alike(g.values, (i) => this.runOf[i] - 1)) return g.expr;
    this.sources.push(`unnest(${this.p.add(floatArray(values))}::float8[])`);
    this.names.push(name);
    this.sent.push({ values, expr: `u.${name}` });
    return `u.${name}`;
  }
}

/** Most positions a weights vector may have to travel as one float8[] per position. */
const WEIGHT_COLUMNS = 16;

/** The length every row's weights have, when they all have the same (small) one; else null. */
function uniformWeights(rows: readonly CellInsert[]): number | null {
  const k = rows[0]?.weights.length ?? 0;
  if (k > WEIGHT_COLUMNS) return null;
  for (const r of rows) if (r.weights.length !== k) return null;
  return k;
}

/** The params keys, in order, when every row has exactly these and all are numbers; else null. */
function uniformParams(rows: readonly CellInsert[]): string[] | null {
  const names = Object.keys(rows[0]?.params ?? {});
  for (const r of rows) {
    const keys = Object.keys(r.params);
    if (keys.length !== names.length) return null;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== names[i]) return null;
    // A file axis' names travel in the JSON document (the columns are float8).
    for (let i = 0; i < keys.length; i++) if (typeof r.params[keys[i]] !== 'number') return null;
  }
  return names;
}

/** The CTE moving the sweep's counters by the rows inserted (`n`) plus `prior`. */
function countersCte(p: Params, sweep: string, prior: BatchWrite): string {
  const inserted = p.add(prior.inserted);
  const failed = p.add(prior.failed);
  return `, counters AS (
  UPDATE sweeps SET done_cells = done_cells + n.inserted + ${inserted}::int,
    failed_cells = failed_cells + n.failed + ${failed}::int, updated_at = now()
  FROM n WHERE sweeps.id = ${sweep} AND n.inserted + ${inserted}::int > 0
)`;
}

/**
 * One insert statement: the rows' runs of game values (g) joined to the rows (u), inserted
 * unless stored; with `prior`, also the sweep's counters, moved by these rows plus `prior`.
 * Rows go in only if their sweep exists (s), whose row stays locked FOR KEY SHARE until the
 * transaction ends: what a foreign key would check for every row, checked once (see the
 * migration 20261203000000_cell_results_key). `fresh`: without ON CONFLICT (see CellBatchStream).
 */
function insertStatement(
  sweepId: string,
  computedBy: string,
  rows: readonly CellInsert[],
  prior: BatchWrite | null,
  fresh: boolean,
): Prisma.Sql {
  const p = new Params();
  const { firsts, runOf } = gameRuns(rows);
  const sweep = p.add(sweepId);
  const worker = p.add(computedBy);

  // Game values, one element per run.
  const gameSources = [
    `unnest(${p.add(floats(firsts, (r) => r.seed))}::int[])`,
    `unnest(${p.add(floatArrays(firsts, (r) => r.mu))}::text[])`,
    `jsonb_array_elements(${p.add(finiteJson(firsts.map((r) => r.couplingL)))}::jsonb)`,
    ...GAME_FLOATS.map(([, f]) => `unnest(${p.add(floats(firsts, (r) => r[f]))}::float8[])`),
  ];
  const gameNames = ['sd', 'mu', 'cl', ...GAME_FLOATS.map((_, i) => `g${i}`)];

  // The rows' own values, one element per row. Cell indices usually run consecutively.
  const first = rows[0]?.cellIndex ?? 0;
  const consecutive = rows.every((r, i) => r.cellIndex === first + i);
  const rowSources = [
    consecutive
      ? `generate_series(${p.add(first)}::int, ${p.add(first + rows.length - 1)}::int)`
      : `unnest(${p.add(floats(rows, (r) => r.cellIndex))}::int[])`,
    `unnest(${p.add(texts(rows, (r) => r.cellKey))}::text[])`,
    `unnest(${p.add(`{${rows.map((r) => (r.certified ? 't' : 'f')).join(',')}}`)}::bool[])`,
    `unnest(${p.add(`{${runOf.join(',')}}`)}::int[])`,
  ];
  const rowNames = ['ci', 'ck', 'ce', 'run'];
  let error = 'NULL::text';
  if (rows.some((r) => r.error !== null)) {
    rowSources.push(`unnest(${p.add(texts(rows, (r) => r.error))}::text[])`);
    rowNames.push('er');
    error = 'u.er';
  }
  const gameColumns = GAME_FLOATS.map(([, f], i) => ({ values: firsts.map((r) => r[f]), expr: `g.g${i}` }));
  const columns = new RowFloats(p, rowSources, rowNames, gameColumns, runOf);
  const cellFloats = CELL_FLOATS.map(([, f], i) =>
    columns.column(
      rows.map((r) => r[f]),
      `c${i}`,
    ),
  );

  let weights: string;
  const k = uniformWeights(rows);
  if (k === null) {
    rowSources.push(`unnest(${p.add(floatArrays(rows, (r) => r.weights))}::text[])`);
    rowNames.push('we');
    weights = 'u.we::float8[]';
  } else {
    const positions = Array.from({ length: k }, (_, j) =>
      columns.column(
        rows.map((r) => r.weights[j]),
        `w${j}`,
      ),
    );
    weights = `ARRAY[${positions.join(', ')}]::float8[]`;
  }

  let params: string;
  const names = uniformParams(rows);
  if (names === null) {
    rowSources.push(`jsonb_array_elements(${p.add(finiteJson(rows.map((r) => r.params)))}::jsonb)`);
    rowNames.push('pa');
    params = 'u.pa';
  } else {
    const pairs = names.map((name, j) => {
      const value = columns.column(
        rows.map((r) => r.params[name] as number),
        `p${j}`,
      );
      return `${p.add(name)}::text, ${value}`;
    });
    params = `jsonb_build_object(${pairs.join(', ')})`;
  }

  const counters = prior === null ? '' : countersCte(p, sweep, prior);

  const text = `
WITH s AS (
  SELECT id FROM sweeps WHERE id = ${sweep} FOR KEY SHARE
), g AS (
  SELECT * FROM ROWS FROM (${gameSources.join(', ')}) WITH ORDINALITY AS g(${gameNames.join(', ')}, run)
), ins AS (
  INSERT INTO cell_results (sweep_id, computed_by, cell_index, cell_key, certified, error, weights, params,
    ${CELL_FLOATS.map(([c]) => c).join(', ')}, seed, mu, coupling_l, ${GAME_FLOATS.map(([c]) => c).join(', ')})
  SELECT ${sweep}, ${worker}, u.ci, u.ck, u.ce, ${error}, ${weights}, ${params},
    ${cellFloats.join(', ')},
    g.sd, g.mu::float8[], NULLIF(g.cl, 'null'::jsonb), ${GAME_FLOATS.map((_, i) => `g.g${i}`).join(', ')}
  FROM ROWS FROM (${rowSources.join(', ')}) AS u(${rowNames.join(', ')})
  JOIN g ON g.run = u.run
  WHERE EXISTS (SELECT FROM s)
  ${fresh ? '' : 'ON CONFLICT (sweep_id, cell_key) DO NOTHING'}
  RETURNING error IS NOT NULL AS failed
), n AS (
  SELECT count(*)::int AS inserted, (count(*) FILTER (WHERE failed))::int AS failed FROM ins
)${counters}
SELECT inserted, failed, (SELECT count(*) FROM s)::int AS sweeps FROM n`;
  return bind(text, p.values);
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** Whether two rows carry the same game values (bit for bit: -0 differs from 0, NaN equals NaN). */
function sameGame(a: CellInsert, b: CellInsert): boolean {
  if (!Object.is(a.seed, b.seed)) return false;
  for (const [, f] of GAME_FLOATS) if (!Object.is(a[f], b[f])) return false;
  if (!sameNumbers(a.mu, b.mu)) return false;
  const la = a.couplingL;
  const lb = b.couplingL;
  if (la === lb) return true;
  if (la === null || lb === null || la.length !== lb.length) return false;
  return la.every((row, i) => sameNumbers(row, lb[i]));
}

/** Runs of consecutive rows with the same game values: each run's first row, and every row's run (1-based). */
export function gameRuns(rows: readonly CellInsert[]): { firsts: CellInsert[]; runOf: Int32Array } {
  const firsts: CellInsert[] = [];
  const runOf = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    if (i === 0 || !sameGame(rows[i - 1], rows[i])) firsts.push(rows[i]);
    runOf[i] = firsts.length;
  }
  return { firsts, runOf };
}

/**
 * A fresh batch (see CellBatchStream) found one of its cells stored: another attempt at the same
 * batch (one taken for dead, say) committed it first. Retryable: the next attempt finds the
 * batch stored and skips it.
 */
export class BatchStoredMeanwhileError extends Error {
  override readonly name = 'BatchStoredMeanwhile';
  constructor(
    readonly sweepId: string,
    cause: unknown,
  ) {
    super(`cells of this batch of sweep ${sweepId} were stored meanwhile by another attempt at it`, {
      cause,
    });
  }
}

/**
 * Whether `e` is PostgreSQL's unique violation (23505) on a cell result, as Prisma reports a raw
 * query's (P2010, the driver's error in meta).
 */
function isUniqueViolation(e: unknown): boolean {
  const cause = (
    e as { meta?: { driverAdapterError?: { cause?: { originalCode?: unknown; table?: unknown } } } }
  )?.meta?.driverAdapterError?.cause;
  return cause?.originalCode === '23505' && cause.table === 'cell_results';
}

/** Rows written for a sweep that is not (or no longer) in the database. */
export class SweepNotFoundError extends Error {
  // The error type Temporal reports (contracts/failures.ts): the sweep workflow does not retry it.
  override readonly name = 'SweepNotFound';
  constructor(
    readonly sweepId: string,
    consequence = 'its cell results are not written',
  ) {
    super(`sweep ${sweepId} is not in the database: ${consequence}`);
  }
}

export interface BatchWrite {
  /** Rows inserted now (cells already stored are skipped). */
  inserted: number;
  /** Of those, rows with `error` set. */
  failed: number;
}

/** Rows per statement: bounds the parameters (~0.75 kB a row) to a few MB. */
const CHUNK = 5000;

/**
 * Inserts cell results, skipping cells already stored (unique (sweep_id, cell_key)), and moves
 * the sweep's done/failed counters by exactly what was inserted, atomically with the rows: one
 * statement, or one transaction when the batch is larger than a statement's chunk.
 */
export async function writeCellBatch(
  prisma: PrismaClient,
  sweepId: string,
  computedBy: string,
  rows: readonly CellInsert[],
): Promise<BatchWrite> {
  if (rows.length <= CHUNK) return writeChunk(prisma, sweepId, computedBy, rows);
  return prisma.$transaction(
    (tx) => {
      const stream = new CellBatchStream(tx, sweepId, computedBy);
      stream.push(rows);
      return stream.finish();
    },
    { timeout: 300_000 },
  );
}

/**
 * One statement: the rows, and with `prior` the sweep's counters, moved by these rows plus
 * `prior` (what the same batch inserted before, in the same transaction).
 */
async function writeChunk(
  db: RawQueryable,
  sweepId: string,
  computedBy: string,
  rows: readonly CellInsert[],
  prior: BatchWrite | null = { inserted: 0, failed: 0 },
  fresh = false,
): Promise<BatchWrite> {
  if (rows.length === 0 && (prior === null || prior.inserted === 0)) return { inserted: 0, failed: 0 };
  let r: BatchWrite & { sweeps: number };
  try {
    [r] = await db.$queryRaw<(BatchWrite & { sweeps: number })[]>(
      insertStatement(sweepId, computedBy, rows, prior, fresh),
    );
  } catch (e) {
    throw fresh && isUniqueViolation(e) ? new BatchStoredMeanwhileError(sweepId, e) : e;
  }
  if (r.sweeps === 0) throw new SweepNotFoundError(sweepId);
  return { inserted: r.inserted, failed: r.failed };
}

/**
 * A batch's rows written while the batch is still computing, inside the batch's transaction:
 * `push` hands rows over and returns at once; they go out as soon as the statement before them
 * is done (one statement in flight; rows pushed meanwhile are coalesced, up to CHUNK a
 * statement). `finish` writes what is left together with the sweep's counters, moved by
 * everything the batch inserted, so rows and counters still commit together. A statement that
 * fails makes `finish` throw (the caller's transaction then rolls back).
 *
 * `fresh`: none of the batch's cells was stored when it began (the caller counted them), so rows
 * go in without ON CONFLICT's check, a quarter of the server's insert work (~2 us a row). Should
 * another attempt at the same batch commit first, the unique key fails the statement with
 * BatchStoredMeanwhileError (nothing is stored twice either way).
 */
export class CellBatchStream {
  private queue: CellInsert[] = [];
  private inFlight: Promise<void> | null = null;
  private readonly written: BatchWrite = { inserted: 0, failed: 0 };
  private failure: unknown = null;

  private readonly fresh: boolean;

  constructor(
    private readonly tx: RawQueryable,
    private readonly sweepId: string,
    private readonly computedBy: string,
    opts: { fresh?: boolean } = {},
  ) {
    this.fresh = opts.fresh ?? false;
  }

  /** One statement of this batch's rows (with `prior`, the counters too). */
  private write(rows: readonly CellInsert[], prior: BatchWrite | null): Promise<BatchWrite> {
    return writeChunk(this.tx, this.sweepId, this.computedBy, rows, prior, this.fresh);
  }

  push(rows: readonly CellInsert[]): void {
    for (const r of rows) this.queue.push(r);
    if (this.inFlight === null && this.failure === null) this.send();
  }

  private send(): void {
    const rows = this.queue.splice(0, CHUNK);
    this.inFlight = this.write(rows, null).then(
      (w) => {
        this.written.inserted += w.inserted;
        this.written.failed += w.failed;
        this.inFlight = null;
        if (this.queue.length > 0) this.send();
      },
      (e: unknown) => {
        this.failure = e;
        this.inFlight = null;
      },
    );
  }

  /** Writes the rest with the counters; resolves to what the whole batch inserted. */
  async finish(): Promise<BatchWrite> {
    while (this.inFlight !== null) await this.inFlight;
    if (this.failure !== null) throw this.failure;
    while (this.queue.length > CHUNK) {
      const w = await this.write(this.queue.splice(0, CHUNK), null);
      this.written.inserted += w.inserted;
      this.written.failed += w.failed;
    }
    const last = await this.write(this.queue.splice(0), this.written);
    return { inserted: this.written.inserted + last.inserted, failed: this.written.failed + last.failed };
  }
}

/** Cells of [start, end) already stored (the idempotency check before computing a batch). */
export function storedCells(
  prisma: PrismaClient,
  sweepId: string,
  start: number,
  end: number,
): Promise<number> {
  return prisma.cellResult.count({ where: { sweepId, cellIndex: { gte: start, lt: end } } });
}
