/**
 * The SQL of `--where` conditions (query.ts) over cell_results, one builder for every reader of
 * stored results. Numbers travel as text cast to float8: Prisma rounds number parameters to 16
 * digits (db/exact-writes.ts), which would miss cells. A comparison on an output holds only where
 * the output is a number: null (a failed cell) and NaN match none of = != < <= > >= (PostgreSQL
 * orders NaN above every number, so > and != exclude it explicitly); `=nan`, `=null` find them.
 */
import { Prisma } from '../db/client.js';
import { gameParamName } from './axes.js';
import type { Condition, NumberSource, Op } from './query.js';

/**
 * The columns a number output is read from, as fixed SQL (the project writes no SQL from strings:
 * test/security.test.ts); query.ts's NUMBER_OUTPUTS names them.
 */
const COLUMNS: Readonly<Record<string, Prisma.Sql>> = {
  cell_index: Prisma.sql`cell_index`,
  alpha: Prisma.sql`alpha`,
  beta: Prisma.sql`beta`,
  euler_step: Prisma.sql`euler_step`,
  rk4_step: Prisma.sql`rk4_step`,
  alpha_true: Prisma.sql`alpha_true`,
  gamma_euclidean: Prisma.sql`gamma_euclidean`,
  optimal_alpha: Prisma.sql`optimal_alpha`,
  optimal_ratio: Prisma.sql`optimal_ratio`,
  band_minus: Prisma.sql`band_minus`,
  band_plus: Prisma.sql`band_plus`,
  h_stab_euler: Prisma.sql`h_stab_euler`,
  h_stab_rk4: Prisma.sql`h_stab_rk4`,
  // stepsize_results (query.ts RUN_NUMBER_OUTPUTS)
  multiplier: Prisma.sql`multiplier`,
  step: Prisma.sql`step`,
  certified_step: Prisma.sql`certified_step`,
  exact_threshold: Prisma.sql`exact_threshold`,
  converged_fraction: Prisma.sql`converged_fraction`,
  empirical_factor: Prisma.sql`empirical_factor`,
  predicted_factor: Prisma.sql`predicted_factor`,
  spectral_radius: Prisma.sql`spectral_radius`,
};

/** Text outputs' columns (query.ts OutputNames.texts). */
const TEXT_COLUMNS: Readonly<Record<string, Prisma.Sql>> = {
  integrator: Prisma.sql`integrator`,
};

function numberExpr(source: NumberSource): Prisma.Sql {
  if ('column' in source) {
    const column = COLUMNS[source.column];
    if (!column) throw new Error(`no column ${source.column}`); // query.ts and this table disagree
    return column;
  }
  // Indices travel as parameters, cast: -> has a text and an int form.
  if ('array' in source)
    return source.array === 'mu'
      ? Prisma.sql`mu[${source.index}::int]`
      : Prisma.sql`weights[${source.index}::int]`;
  return Prisma.sql`(coupling_l -> ${source.row - 1}::int ->> ${source.col - 1}::int)::float8`;
}

const OPS: Record<Op, Prisma.Sql> = {
  '=': Prisma.sql`=`,
  '!=': Prisma.sql`<>`,
  '<': Prisma.sql`<`,
  '<=': Prisma.sql`<=`,
  '>': Prisma.sql`>`,
  '>=': Prisma.sql`>=`,
};

function compare(expr: Prisma.Sql, op: Op, value: number): Prisma.Sql {
  const cmp = Prisma.sql`${expr} ${OPS[op]} ${String(value)}::float8`;
  return op === '!=' || op === '>' || op === '>=' ? Prisma.sql`(${cmp} AND ${expr} <> 'NaN'::float8)` : cmp;
}

/**
 * Where a sweep's parameters are read: the swept game parameter (gameParamName) and the weight
 * ratio have columns of their own (the same doubles as in params) under the BRIN index
 * (sweep_id, game_param, ratio); any other parameter is read from the params document.
 */
export interface ParamColumns {
  readonly main: string | null;
  readonly ratio: boolean;
}

export function paramColumns(axes: readonly { name: string; target: string }[]): ParamColumns {
  return {
    main: gameParamName({ axes }),
    ratio: axes.some((a) => a.name === 'ratio' && a.target === 'weights'),
  };
}

function paramExpr(name: string, columns: ParamColumns | null): Prisma.Sql {
  if (columns?.main === name) return Prisma.sql`game_param`;
  if (columns?.ratio && name === 'ratio') return Prisma.sql`ratio`;
  return Prisma.sql`(params ->> ${name})::float8`;
}

export function conditionSql(c: Condition, columns: ParamColumns | null): Prisma.Sql {
  switch (c.kind) {
    case 'param':
      return compare(paramExpr(c.name, columns), c.op, c.value);
    case 'number': {
      const expr = numberExpr(c.source);
      if (c.value === 'null')
        return c.op === '=' ? Prisma.sql`${expr} IS NULL` : Prisma.sql`${expr} IS NOT NULL`;
      if (c.value === 'nan')
        return c.op === '='
          ? Prisma.sql`${expr} = 'NaN'::float8`
          : Prisma.sql`${expr} IS DISTINCT FROM 'NaN'::float8`;
      return compare(expr, c.op, c.value);
    }
    case 'certified':
      return Prisma.sql`certified ${OPS[c.op]} ${c.value}`;
    case 'cellKey':
      return Prisma.sql`cell_key ${OPS[c.op]} ${c.value}`;
    case 'file':
      return Prisma.sql`params ->> ${c.name} ${OPS[c.op]} ${c.value}`;
    case 'text': {
      const column = TEXT_COLUMNS[c.column];
      if (!column) throw new Error(`no text column ${c.column}`); // query.ts and this table disagree
      return Prisma.sql`${column} ${OPS[c.op]} ${c.value}`;
    }
    case 'error': {
      if ('any' in c.value)
        return c.value.any === (c.op === '=') ? Prisma.sql`error IS NOT NULL` : Prisma.sql`error IS NULL`;
      const contains = Prisma.sql`strpos(error, ${c.value.contains}) > 0`;
      return c.op === '=' ? contains : Prisma.sql`(error IS NULL OR NOT ${contains})`;
    }
  }
}

/** The WHERE clause of one sweep's cells under all the conditions. */
export function whereSql(
  sweepId: string,
  conditions: readonly Condition[],
  columns: ParamColumns | null,
): Prisma.Sql {
  return Prisma.join(
    [Prisma.sql`sweep_id = ${sweepId}`, ...conditions.map((c) => conditionSql(c, columns))],
    ' AND ',
  );
}

/**
 * The cells of a drawn grid (drawn-grid.ts) as SQL over cell_index: axis i's position is
 * (cell_index / radix_i) % length_i, radix_i the product of the lengths after it. `axes` are
 * the axes the index counts (for step-size runs, indexed by game: every axis but the weights').
 */
export function gridSql(
  axes: readonly { length: number }[],
  grid: { strides: readonly number[]; held: readonly (number | null)[] },
): Prisma.Sql {
  const column = Prisma.sql`cell_index::bigint`;
  const parts: Prisma.Sql[] = [];
  let radix = 1;
  for (let i = axes.length - 1; i >= 0; i--) {
    const position = Prisma.sql`((${column} / ${radix}::bigint) % ${axes[i].length}::bigint)`;
    const held = grid.held[i];
    if (held !== null && held !== undefined) parts.push(Prisma.sql`${position} = ${held}::bigint`);
    else if (grid.strides[i] > 1) parts.push(Prisma.sql`${position} % ${grid.strides[i]}::bigint = 0`);
    radix *= axes[i].length;
  }
  return parts.length ? Prisma.join(parts, ' AND ') : Prisma.sql`TRUE`;
}
