// `sgn sweep results --where` on the swept game parameter and the ratio reads the indexed
// columns (index (sweep_id, game_param, ratio)), and finds exactly the cells a filter on the
// params document finds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from '../db/client.js';
import { writeCellBatch } from '../db/cell-batches.js';
import type { CellInsert } from '../db/exact-writes.js';
import { resultRows, resultsQuery, type WhereClause } from '../sweep/queries.js';
import { bareSweep, createTestDatabase, type TestDatabase } from './support/database.js';

const LAMBDAS = Array.from({ length: 50 }, (_, i) => i / 49); // awkward doubles: 1/49, 2/49, ...
const RATIOS = Array.from({ length: 100 }, (_, j) => 10 ** (-2 + (4 * j) / 99));

function cell(index: number): CellInsert {
  const lambda = LAMBDAS[Math.floor(index / RATIOS.length)];
  const ratio = RATIOS[index % RATIOS.length];
  return {
    cellIndex: index,
    cellKey: `k${index}`,
    params: { lambda, ratio },
    gameParam: lambda,
    ratio,
    regionRadius: null,
    seed: null,
    certified: index % 3 === 0,
    gammaEuclidean: 0.5,
    alpha: index / 7,
    beta: 1,
    eulerStep: 0.1,
    rk4Step: 0.2,
    weights: [1, ratio],
    mu: [1, 1],
    couplingL: [
      [0, lambda],
      [lambda, 0],
    ],
    optimalAlpha: 0.3,
    optimalRatio: 1,
    bandMinus: 0.1,
    bandPlus: 10,
    alphaTrue: 0.4,
    hStabEuler: 1,
    hStabRk4: 2,
    error: null,
  };
}

// As resolveSpec stores them.
const axes = [
  { name: 'lambda', target: 'game', axis: { values: LAMBDAS } },
  { name: 'ratio', target: 'weights', axis: { values: RATIOS } },
];

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ label: 'filter' });
  const rows = Array.from({ length: LAMBDAS.length * RATIOS.length }, (_, i) => cell(i));
  for (const id of ['axes', 'bare']) {
    await db.prisma.sweep.create({ data: bareSweep(id, rows.length) });
    // As startSweep stores a spec: as JSON text, every number exact (a Json value goes through
    // Prisma rounded to 16 digits).
    if (id === 'axes')
      await db.prisma
        .$executeRaw`UPDATE sweeps SET spec = ${JSON.stringify({ axes })}::jsonb WHERE id = ${id}`;
    await writeCellBatch(db.prisma, id, 'test', rows);
  }
  // What autovacuum does for a sweep's filled block ranges (autosummarize), now.
  await db.prisma.$queryRaw`SELECT brin_summarize_new_values('cell_results_sweep_id_game_param_ratio_idx')`;
  await db.prisma.$executeRaw`ANALYZE cell_results`;
}, 120_000);
afterAll(async () => db?.drop());

/** The cells a filter on the params document finds (the reference), by cell index. */
async function byParams(sweepId: string, where: Record<string, number>): Promise<number[]> {
  const conditions = Object.entries(where).map(
    ([k, v]) => Prisma.sql`(params ->> ${k})::float8 = ${String(v)}::float8`,
  );
  const rows = await db.prisma.$queryRaw<{ cell_index: number }[]>`
    SELECT cell_index FROM cell_results WHERE sweep_id = ${sweepId} AND ${Prisma.join(conditions, ' AND ')}
    ORDER BY cell_index`;
  return rows.map((r) => r.cell_index);
}

const clauses = (where: Record<string, number>): WhereClause[] =>
  Object.entries(where).map(([key, v]) => ({ key, value: String(v) }));

describe('results filtered on swept parameters', () => {
  // Each filter with the number of cells it matches.
  const filters: [Record<string, number>, number][] = [
    [{ lambda: LAMBDAS[17] }, RATIOS.length],
    [{ ratio: RATIOS[42] }, LAMBDAS.length],
    [{ lambda: LAMBDAS[3], ratio: RATIOS[99] }, 1],
    [{ lambda: 0.123 }, 0],
  ];

  it('find exactly the cells whose params match, through the columns or not', async () => {
    for (const [where, count] of filters) {
      const expected = await byParams('axes', where);
      expect(expected).toHaveLength(count);
      for (const sweepId of ['axes', 'bare']) {
        const got = (await resultRows(db.prisma, sweepId, clauses(where))).map((r) => r.cellIndex);
        expect(got, `${sweepId} ${JSON.stringify(where)}`).toEqual(expected);
      }
    }
  });

  it('take a number as printed (6 significant digits) for the axis value it stands for', async () => {
    const printed = (x: number): string => String(Number(x.toPrecision(6)));
    expect(printed(LAMBDAS[17])).not.toBe(String(LAMBDAS[17]));
    const where = [
      { key: 'lambda', value: printed(LAMBDAS[17]) },
      { key: 'ratio', value: printed(RATIOS[42]) },
    ];
    const got = (await resultRows(db.prisma, 'axes', where)).map((r) => r.cellIndex);
    expect(got).toEqual(await byParams('axes', { lambda: LAMBDAS[17], ratio: RATIOS[42] }));
    expect(got).toHaveLength(1);
    // Without the axes in its spec, a sweep compares the number as given.
    expect(await resultRows(db.prisma, 'bare', where)).toEqual([]);
  });

  it('refuse a key that is not a parameter of the sweep, naming it and the parameters', async () => {
    await expect(resultRows(db.prisma, 'axes', [{ key: 'mu0', value: '1' }])).rejects.toThrow(
      '--where mu0: is not a parameter of sweep "axes" (its parameters: lambda, ratio; also certified, cellKey, error)',
    );
  });

  it('read the game parameter and the ratio from their columns, through the index', async () => {
    const plan = async (sweepId: string, where: Record<string, number>): Promise<string> => {
      const rows = await db.prisma.$queryRaw<{ 'QUERY PLAN': string }[]>(
        Prisma.sql`EXPLAIN ${await resultsQuery(db.prisma, sweepId, clauses(where))}`,
      );
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    };
    const lambda = await plan('axes', { lambda: LAMBDAS[17] });
    expect(lambda).toContain('cell_results_sweep_id_game_param_ratio_idx');
    expect(lambda).toMatch(/game_param = /);
    expect(await plan('axes', { lambda: LAMBDAS[3], ratio: RATIOS[9] })).toMatch(/ratio = /);
    // A sweep whose spec names no axes filters on the params document.
    expect(await plan('bare', { lambda: LAMBDAS[17] })).toMatch(/params ->> /);
  });
});
