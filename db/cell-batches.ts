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
 * NULL, as db/exact-writes.ts does. params and coupling_l travel as one JSON document each.
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

/** A float8[] literal of one column. */
function floats(rows: readonly CellInsert[], pick: (r: CellInsert) => number | null): string {
  let out = '{';
  for (let i = 0; i < rows.length; i++) out += (i ? ',' : '') + num(pick(rows[i]));
  return `${out}}`;
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

/** A text[] literal; NUL (which PostgreSQL text cannot hold) becomes U+FFFD. */
function texts(rows: readonly CellInsert[], pick: (r: CellInsert) => string | null): string {
  let out = '{';
  for (let i = 0; i < rows.length; i++) {
    const s = pick(rows[i]);
    const v =
      s === null ? 'NULL' : `"${s.replace(/\0/g, '\uFFFD').replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
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

const cols = (prefix: string, n: number): string =>
  Array.from({ length: n }, (_, i) => `${prefix}${i}`).join(', ');
const unnests = (from: number, n: number, type: string): string =>
  Array.from({ length: n }, (_, i) => `unnest($${from + i}::${type})`).join(', ');

// $1 sweep id, $2 worker; then the runs' columns (seed, mu, coupling_l, GAME_FLOATS), then the
// rows' (cell index, key, certified, error, weights, params, run number, CELL_FLOATS), then (with
// counters) the batch's earlier inserted and failed counts.
const G0 = 3;
const C0 = G0 + 3 + GAME_FLOATS.length;
function insertSql(counters: boolean): string {
  return `
WITH g AS (
  SELECT * FROM ROWS FROM (unnest($${G0}::int[]), unnest($${G0 + 1}::text[]), jsonb_array_elements($${G0 + 2}::jsonb),
    ${unnests(G0 + 3, GAME_FLOATS.length, 'float8[]')})
    WITH ORDINALITY AS g(sd, mu, cl, ${cols('g', GAME_FLOATS.length)}, run)
), ins AS (
  INSERT INTO cell_results (sweep_id, computed_by, cell_index, cell_key, certified, error, weights, params,
    ${CELL_FLOATS.map(([c]) => c).join(', ')}, seed, mu, coupling_l, ${GAME_FLOATS.map(([c]) => c).join(', ')})
  SELECT $1, $2, u.ci, u.ck, u.ce, u.er, u.we::float8[], u.pa, ${cols('u.c', CELL_FLOATS.length)},
    g.sd, g.mu::float8[], NULLIF(g.cl, 'null'::jsonb), ${cols('g.g', GAME_FLOATS.length)}
  FROM ROWS FROM (unnest($${C0}::int[]), unnest($${C0 + 1}::text[]), unnest($${C0 + 2}::bool[]),
    unnest($${C0 + 3}::text[]), unnest($${C0 + 4}::text[]), jsonb_array_elements($${C0 + 5}::jsonb),
    unnest($${C0 + 6}::int[]), ${unnests(C0 + 7, CELL_FLOATS.length, 'float8[]')})
    AS u(ci, ck, ce, er, we, pa, run, ${cols('c', CELL_FLOATS.length)})
  JOIN g ON g.run = u.run
  ON CONFLICT (sweep_id, cell_key) DO NOTHING
  RETURNING error IS NOT NULL AS failed
), n AS (
  SELECT count(*)::int AS inserted, (count(*) FILTER (WHERE failed))::int AS failed FROM ins
)${
    counters
      ? `, counters AS (
  UPDATE sweeps SET done_cells = done_cells + n.inserted + $${PRIOR}::int, failed_cells = failed_cells + n.failed + $${PRIOR + 1}::int,
    updated_at = now()
  FROM n WHERE sweeps.id = $1 AND n.inserted + $${PRIOR}::int > 0
)`
      : ''
  }
SELECT inserted, failed FROM n`;
}

/** With counters, the rows inserted (and failed) by the same batch's earlier statements: $PRIOR, $PRIOR + 1. */
const PRIOR = C0 + 7 + CELL_FLOATS.length;
const INSERT_SQL = insertSql(true);
const INSERT_ROWS_ONLY_SQL = insertSql(false);

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
): Promise<BatchWrite> {
  if (rows.length === 0 && (prior === null || prior.inserted === 0)) return { inserted: 0, failed: 0 };
  const { firsts, runOf } = gameRuns(rows);
  const values: unknown[] = [
    sweepId,
    computedBy,
    floats(firsts, (r) => r.seed),
    floatArrays(firsts, (r) => r.mu),
    finiteJson(firsts.map((r) => r.couplingL)),
    ...GAME_FLOATS.map(([, f]) => floats(firsts, (r) => r[f])),
    floats(rows, (r) => r.cellIndex),
    texts(rows, (r) => r.cellKey),
    `{${rows.map((r) => (r.certified ? 't' : 'f')).join(',')}}`,
    texts(rows, (r) => r.error),
    floatArrays(rows, (r) => r.weights),
    finiteJson(rows.map((r) => r.params)),
    `{${runOf.join(',')}}`,
    ...CELL_FLOATS.map(([, f]) => floats(rows, (r) => r[f])),
  ];
  if (prior !== null) values.push(prior.inserted, prior.failed);
  const [r] = await db.$queryRaw<BatchWrite[]>(
    bind(prior !== null ? INSERT_SQL : INSERT_ROWS_ONLY_SQL, values),
  );
  return r;
}

/**
 * A batch's rows written while the batch is still computing, inside the batch's transaction:
 * `push` hands rows over and returns at once; they go out as soon as the statement before them
 * is done (one statement in flight; rows pushed meanwhile are coalesced, up to CHUNK a
 * statement). `finish` writes what is left together with the sweep's counters, moved by
 * everything the batch inserted, so rows and counters still commit together. A statement that
 * fails makes `finish` throw (the caller's transaction then rolls back).
 */
export class CellBatchStream {
  private queue: CellInsert[] = [];
  private inFlight: Promise<void> | null = null;
  private readonly written: BatchWrite = { inserted: 0, failed: 0 };
  private failure: unknown = null;

  constructor(
    private readonly tx: RawQueryable,
    private readonly sweepId: string,
    private readonly computedBy: string,
  ) {}

  push(rows: readonly CellInsert[]): void {
    for (const r of rows) this.queue.push(r);
    if (this.inFlight === null && this.failure === null) this.send();
  }

  private send(): void {
    const rows = this.queue.splice(0, CHUNK);
    this.inFlight = writeChunk(this.tx, this.sweepId, this.computedBy, rows, null).then(
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
      const w = await writeChunk(this.tx, this.sweepId, this.computedBy, this.queue.splice(0, CHUNK), null);
      this.written.inserted += w.inserted;
      this.written.failed += w.failed;
    }
    const last = await writeChunk(this.tx, this.sweepId, this.computedBy, this.queue.splice(0), this.written);
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
