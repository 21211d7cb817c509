// Band maps folded in SQL agree with a fold of the stored certificates done here in JavaScript,
// group labels included (a sweep with a second game axis), and re-aggregation replaces them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { resolveSpec, type ResolvedSweep } from '../sweep/resolve.js';
import { certifyRange } from '../sweep/compute.js';
import { gameParamName } from '../sweep/axes.js';
import { writeCellBatch } from '../db/cell-batches.js';
import { aggregateBandMaps } from '../activities/band-maps.js';

let db: TestDatabase;
let resolved: ResolvedSweep;
const spec = {
  name: 'band maps',
  kind: 'certify',
  game: {
    family: 'quadratic',
    generator: 'random',
    dims: [3, 2],
    mu0: 1,
    coupling: 1,
    seed: { values: [4, 9] },
    lambda: { linspace: [0, 1.2, 7] },
  },
  weights: { ratio: { geomspace: [0.01, 100, 9] } },
  execution: { batchSize: 50 },
};

beforeAll(async () => {
  db = await createTestDatabase({ label: 'bands' });
  resolved = resolveSpec(spec, { baseDir: process.cwd() });
  await db.prisma.sweep.create({
    data: {
      id: 'b',
      kind: 'certify',
      status: 'running',
      spec: resolved as unknown as object,
      specHash: resolved.specHash,
      totalCells: resolved.totalCells,
      workflowId: 'w',
    },
  });
  for (let s = 0; s < resolved.totalCells; s += 50)
    await writeCellBatch(
      db.prisma,
      'b',
      'test',
      await certifyRange(resolved, s, Math.min(resolved.totalCells, s + 50)),
    );
}, 120_000);
afterAll(async () => db?.drop());

describe('band maps', () => {
  it('fold each game group of stored cells into one row', async () => {
    expect(resolved.totalCells).toBe(2 * 7 * 9);
    // The first game axis is the map's parameter; the label names the other game axis.
    expect(await aggregateBandMaps(db.prisma, 'b', resolved)).toBe(14);
    const cells = await db.prisma.cellResult.findMany({
      where: { sweepId: 'b' },
      orderBy: { cellIndex: 'asc' },
    });
    const maps = await db.prisma.bandMap.findMany({ where: { sweepId: 'b' } });
    expect(maps).toHaveLength(14);
    let certifiedSomewhere = 0;
    for (let g = 0; g < 14; g++) {
      const group = cells.slice(g * 9, g * 9 + 9);
      const first = group[0];
      const params = first.params as Record<string, number>;
      const main = gameParamName(resolved)!;
      const other = main === 'seed' ? 'lambda' : 'seed';
      const label = `${main}@${other}=${String(params[other])}`;
      const m = maps.find((x) => x.paramName === label && x.paramValue === first.gameParam);
      expect(m, `${label} ${first.gameParam}`).toBeDefined();
      expect(m!.ratios).toEqual(group.map((c) => c.ratio));
      expect(m!.alphas).toEqual(group.map((c) => c.alpha));
      expect([m!.rMinus, m!.rPlus, m!.optimalRatio, m!.alphaMax]).toEqual([
        first.bandMinus,
        first.bandPlus,
        first.optimalRatio,
        first.optimalAlpha,
      ]);
      const certified = group.filter((c) => c.certified).length;
      expect(m!.certifiedFraction).toBe(certified / 9);
      certifiedSomewhere += certified;
    }
    // Not a degenerate sweep: some cells certified, some not.
    expect(certifiedSomewhere).toBeGreaterThan(0);
    expect(certifiedSomewhere).toBeLessThan(cells.length);
  });

  it('replaces the maps when aggregated again', async () => {
    const before = await db.prisma.bandMap.findMany({ where: { sweepId: 'b' }, orderBy: { id: 'asc' } });
    expect(await aggregateBandMaps(db.prisma, 'b', resolved)).toBe(14);
    const after = await db.prisma.bandMap.findMany({ where: { sweepId: 'b' }, orderBy: { id: 'asc' } });
    expect(after.map(({ id: _id, createdAt: _c, ...rest }) => rest)).toEqual(
      before.map(({ id: _id, createdAt: _c, ...rest }) => rest),
    );
  });
});
