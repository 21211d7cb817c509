/**
 * Results as a tidy table: one column per parameter and per scalar output, vectors spread over
 * numbered columns (`weights_1`, `mu_1`, ..., `L_1_2` for coupling_l[1][2], 1-based), so pandas
 * and polars group by lambda without parsing anything. The same columns for CSV and Parquet
 * (typed there).
 */
import type { Cell, ColumnType, TypedColumn } from '../formats/parquet.js';
import type { ResultRow } from './queries.js';
import { CELL_SCALARS } from './query.js';

/** What decides the columns: the sweep's parameters and the longest vectors stored. */
export interface TidyLayout {
  readonly params: readonly string[];
  readonly weights: number;
  readonly mu: number;
  /** coupling_l is size x size. */
  readonly coupling: number;
}

/** A typed column and how a row of R fills it (certificates here, step-size runs in run-results.ts). */
export interface ColumnOf<R> extends TypedColumn {
  readonly value: (r: R) => Cell;
}

export type TidyColumn = ColumnOf<ResultRow>;

export const column = <R>(name: string, type: ColumnType, value: (r: R) => Cell): ColumnOf<R> => ({
  name,
  type,
  value,
});

const upTo = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

/** coupling_l[i][j] (0-based) when it is a number. */
function couplingEntry(L: unknown, i: number, j: number): number | null {
  const row: unknown = Array.isArray(L) ? L[i] : undefined;
  const x: unknown = Array.isArray(row) ? row[j] : undefined;
  return typeof x === 'number' ? x : null;
}

export function tidyColumns(layout: TidyLayout): TidyColumn[] {
  const col = column<ResultRow>;
  return [
    col('cellIndex', 'INT32', (r) => r.cellIndex),
    col('cellKey', 'STRING', (r) => r.cellKey),
    ...layout.params.map((p) => col(p, 'DOUBLE', (r) => r.params[p] ?? null)),
    col('certified', 'BOOLEAN', (r) => r.certified),
    ...CELL_SCALARS.map((k) => col(k, 'DOUBLE', (r) => r[k])),
    ...upTo(layout.weights).map((i) => col(`weights_${i}`, 'DOUBLE', (r) => r.weights[i - 1] ?? null)),
    ...upTo(layout.mu).map((i) => col(`mu_${i}`, 'DOUBLE', (r) => r.mu[i - 1] ?? null)),
    ...upTo(layout.coupling).flatMap((i) =>
      upTo(layout.coupling).map((j) => col(`L_${i}_${j}`, 'DOUBLE', (r) => couplingEntry(r.L, i - 1, j - 1))),
    ),
    col('error', 'STRING', (r) => r.error),
  ];
}

export const tidyRow = (columns: readonly TidyColumn[], r: ResultRow): Cell[] =>
  columns.map((c) => c.value(r));

/** The layout of rows in memory (a report's cells); `params` in the sweep's order when known. */
export function layoutOfRows(rows: readonly ResultRow[], params?: readonly string[]): TidyLayout {
  let weights = 0;
  let mu = 0;
  let coupling = 0;
  const names = new Set(params ?? []);
  for (const r of rows) {
    weights = Math.max(weights, r.weights.length);
    mu = Math.max(mu, r.mu.length);
    coupling = Math.max(coupling, Array.isArray(r.L) ? r.L.length : 0);
    if (!params) for (const k of Object.keys(r.params)) names.add(k);
  }
  return { params: [...names], weights, mu, coupling };
}
