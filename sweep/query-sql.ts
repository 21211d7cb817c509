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

/** Column names come from query.ts's fixed table, never from the user: safe as raw SQL. */
function numberExpr(source: NumberSource): Prisma.Sql {
  if ('column' in source) return Prisma.raw(source.column);
  // Indices are integers query.ts parsed: spliced as literals (a bound parameter's type is unknown to -> and []).
  if ('array' in source) return Prisma.raw(`${source.array}[${source.index}]`);
  return Prisma.raw(`(coupling_l -> ${source.row - 1} ->> ${source.col - 1})::float8`);
}

const OPS: Record<Op, Prisma.Sql> = {
  '=': Prisma.raw('='),
  '!=': Prisma.raw('<>'),
  '<': Prisma.raw('<'),
  '<=': Prisma.raw('<='),
  '>': Prisma.raw('>'),
  '>=': Prisma.raw('>='),
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
