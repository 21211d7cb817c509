/**
 * The sweep worker's hot write path: one batch of certify rows and the sweep's counters in ONE
 * statement (a data-modifying CTE, so one implicit transaction and one round trip), through
 * Prisma's parameterised raw queries. Columns travel as array literals (one text parameter a
 * column): column arrays parsed by float8in cost the server less than jsonb_to_recordset (which
 * goes numeric -> text -> float8 per value).
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

/** Float columns in statement order: [column, field]. */
const FLOATS = [
  ['game_param', 'gameParam'],
  ['ratio', 'ratio'],
  ['region_radius', 'regionRadius'],
  ['gamma_euclidean', 'gammaEuclidean'],
  ['alpha', 'alpha'],
  ['beta', 'beta'],
  ['euler_step', 'eulerStep'],
  ['rk4_step', 'rk4Step'],
  ['optimal_alpha', 'optimalAlpha'],
  ['optimal_ratio', 'optimalRatio'],
  ['band_minus', 'bandMinus'],
  ['band_plus', 'bandPlus'],
  ['alpha_true', 'alphaTrue'],
  ['h_stab_euler', 'hStabEuler'],
  ['h_stab_rk4', 'hStabRk4'],
] as const satisfies readonly (readonly [string, keyof CellInsert])[];

// $1 sweep id, $2 worker, $3.. the column arrays in the order of ROWS FROM below.
const P0 = 3;
const INSERT_SQL = `
WITH ins AS (
  INSERT INTO cell_results (sweep_id, computed_by, cell_index, cell_key, seed, certified, error, weights, mu,
    params, coupling_l, ${FLOATS.map(([c]) => c).join(', ')})
  SELECT $1, $2, ci, ck, sd, ce, er, we::float8[], mu::float8[], pa, NULLIF(cl, 'null'::jsonb),
    ${FLOATS.map((_, i) => `f${i}`).join(', ')}
  FROM ROWS FROM (unnest($${P0}::int[]), unnest($${P0 + 1}::text[]), unnest($${P0 + 2}::int[]),
    unnest($${P0 + 3}::bool[]), unnest($${P0 + 4}::text[]), unnest($${P0 + 5}::text[]), unnest($${P0 + 6}::text[]),
    jsonb_array_elements($${P0 + 7}::jsonb), jsonb_array_elements($${P0 + 8}::jsonb),
    ${FLOATS.map((_, i) => `unnest($${P0 + 9 + i}::float8[])`).join(', ')})
    AS u(ci, ck, sd, ce, er, we, mu, pa, cl, ${FLOATS.map((_, i) => `f${i}`).join(', ')})
  ON CONFLICT (sweep_id, cell_key) DO NOTHING
  RETURNING error IS NOT NULL AS failed
), n AS (
  SELECT count(*)::int AS inserted, (count(*) FILTER (WHERE failed))::int AS failed FROM ins
), counters AS (
  UPDATE sweeps SET done_cells = done_cells + n.inserted, failed_cells = failed_cells + n.failed,
    updated_at = now()
  FROM n WHERE sweeps.id = $1 AND n.inserted > 0
)
SELECT inserted, failed FROM n`;

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
    async (tx) => {
      const total = { inserted: 0, failed: 0 };
      for (let i = 0; i < rows.length; i += CHUNK) {
        const w = await writeChunk(tx, sweepId, computedBy, rows.slice(i, i + CHUNK));
        total.inserted += w.inserted;
        total.failed += w.failed;
      }
      return total;
    },
    { timeout: 300_000 },
  );
}

async function writeChunk(
  db: RawQueryable,
  sweepId: string,
  computedBy: string,
  rows: readonly CellInsert[],
): Promise<BatchWrite> {
  if (rows.length === 0) return { inserted: 0, failed: 0 };
  const values: unknown[] = [
    sweepId,
    computedBy,
    floats(rows, (r) => r.cellIndex),
    texts(rows, (r) => r.cellKey),
    floats(rows, (r) => r.seed),
    `{${rows.map((r) => (r.certified ? 't' : 'f')).join(',')}}`,
    texts(rows, (r) => r.error),
    floatArrays(rows, (r) => r.weights),
    floatArrays(rows, (r) => r.mu),
    finiteJson(rows.map((r) => r.params)),
    finiteJson(rows.map((r) => r.couplingL)),
    ...FLOATS.map(([, f]) => floats(rows, (r) => r[f])),
  ];
  const [r] = await db.$queryRaw<BatchWrite[]>(bind(INSERT_SQL, values));
  return r;
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
