/** Doubles survive the trip through Prisma and PostgreSQL bit for bit (see db/exact-writes.ts). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { insertCellResults, type CellInsert } from '../db/exact-writes.js';
import { resultRows } from '../sweep/queries.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ label: 'exact' });
  await db.prisma.sweep.create({
    data: {
      id: 's',
      kind: 'certify',
      status: 'running',
      spec: {},
      specHash: 'h',
      totalCells: 3,
      workflowId: 'w',
    },
  });
}, 120_000);
afterAll(async () => db?.drop());

const awkward = [
  0.0015610189539061294,
  1 / 3,
  Math.PI * 1e-300,
  5e-324,
  1.7976931348623157e308,
  0.1 + 0.2,
  -2 / 3,
];

function row(i: number, x: number): CellInsert {
  return {
    cellIndex: i,
    cellKey: `k${i}`,
    params: { lambda: x },
    gameParam: x,
    ratio: x,
    regionRadius: null,
    seed: null,
    certified: true,
    gammaEuclidean: x,
    alpha: x,
    beta: x,
    eulerStep: x,
    rk4Step: x,
    weights: [1, x],
    mu: [x, -x],
    couplingL: [
      [0, x],
      [x, 0],
    ],
    optimalAlpha: x,
    optimalRatio: x,
    bandMinus: x,
    bandPlus: null,
    alphaTrue: x,
    hStabEuler: x,
    hStabRk4: x,
    error: null,
  };
}

describe('exact writes', () => {
  it('stores awkward doubles exactly and skips duplicates', async () => {
    const rows = awkward.map((x, i) => row(i, x));
    expect(await insertCellResults(db.prisma, 's', 'test', rows)).toBe(rows.length);
    expect(await insertCellResults(db.prisma, 's', 'test', rows)).toBe(0);
    const back = await db.prisma.cellResult.findMany({
      where: { sweepId: 's' },
      orderBy: { cellIndex: 'asc' },
    });
    back.forEach((b, i) => {
      const x = awkward[i];
      for (const v of [
        b.alpha,
        b.beta,
        b.gameParam,
        b.eulerStep,
        b.alphaTrue,
        b.hStabRk4,
        b.weights[1],
        b.mu[0],
      ])
        expect(v).toBe(x);
      expect(b.mu[1]).toBe(-x);
      expect((b.couplingL as number[][])[0][1]).toBe(x);
      expect((b.params as { lambda: number }).lambda).toBe(x);
      expect(b.bandPlus).toBeNull();
    });
  });

  it('filters parameters exactly and reads results back exactly', async () => {
    const hit = await resultRows(db.prisma, 's', [{ key: 'lambda', value: String(awkward[0]) }]);
    expect(hit.map((h) => h.cellKey)).toEqual(['k0']);
    expect(hit[0].alpha).toBe(awkward[0]);
    expect(hit[0].weights).toEqual([1, awkward[0]]);
    expect(await resultRows(db.prisma, 's', [{ key: 'certified', value: 'true' }], 2)).toHaveLength(2);
  });
});
