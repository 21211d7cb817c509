// Band maps folded in SQL agree with a fold of the stored certificates done here in JavaScript,
// group labels included (a sweep with a second game axis); batches fold the groups they complete,
// the final aggregation only what is missing, and the result is the same either way.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSgnInProcess } from './support/sgn-in-process.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { resolveSpec } from '../sweep/resolve.js';
import { type ResolvedSweep } from '../sweep/resolved.js';
import { certifyRange } from '../sweep/compute.js';
import { gameParamName } from '../sweep/axes.js';
import { CellBatchStream, writeCellBatch } from '../db/cell-batches.js';
import { aggregateBandMaps, foldCompletedGroups } from '../activities/band-maps.js';
import { bandMapsOf, loadBandMap } from '../report/data.js';
import { bandMapRows, forEachBandMapPage, type BandMapRow } from '../sweep/queries.js';

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

function registerSweep(id: string) {
  return db.prisma.sweep.create({
    data: {
      id,
      kind: 'certify',
      status: 'running',
      spec: resolved as unknown as object,
      specHash: resolved.specHash,
      totalCells: resolved.totalCells,
      workflowId: `w-${id}`,
    },
  });
}

beforeAll(async () => {
  db = await createTestDatabase({ label: 'bands' });
  resolved = resolveSpec(spec, { baseDir: process.cwd() });
  await registerSweep('b');
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

  it('--where draws the band map of the cells it keeps: the stored maps of those games', async () => {
    await aggregateBandMaps(db.prisma, 'b', resolved);
    const main = gameParamName(resolved)!;
    // Seed is the map's parameter (the first game axis); lambda labels the slices.
    expect(main).toBe('seed');
    const where = ['lambda=0.6', 'seed>=4'];
    const data = await loadBandMap(db.prisma, 'b', { x: main }, where);
    const drawn = bandMapsOf(main, data.band, data.edges);
    const stored = await db.prisma.bandMap.findMany({ where: { sweepId: 'b' } });
    const kept = stored.filter((m) => Math.abs(Number(m.paramName.split('@lambda=')[1]) - 0.6) < 1e-12);
    expect(kept).toHaveLength(2);
    expect(stored.length).toBe(14);
    const key = (m: { paramName: string; paramValue: number }) => `${m.paramName} ${m.paramValue}`;
    const pick = (m: (typeof drawn)[number] | (typeof stored)[number]) => ({
      key: key(m),
      ratios: m.ratios,
      alphas: m.alphas,
      edges: [m.rMinus, m.rPlus, m.optimalRatio, m.alphaMax, m.certifiedFraction],
    });
    const byKey = (a: { key: string }, b: { key: string }) => a.key.localeCompare(b.key);
    expect(drawn.map(pick).sort(byKey)).toEqual(kept.map(pick).sort(byKey));

    // The CLI: the table of those games; a filter that keeps nothing draws nothing, saying why.
    const dir = mkdtempSync(join(tmpdir(), 'sgn-band-where-'));
    const env = { DATABASE_URL: db.url, TEMPORAL_ADDRESS: '127.0.0.1:9' }; // band never calls Temporal
    const file = join(dir, 'band.csv');
    const r = await runSgnInProcess(['sweep', 'band', 'b', '--out', file, '--where', 'lambda=0.6'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(1 + 2 * 9);
    const none = await runSgnInProcess(['sweep', 'band', 'b', '--out', file, '--where', 'lambda=0.7'], env);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('lambda=0.7: 0.7 is not a value of axis lambda (nearby: 0.6, 0.8)');
    rmSync(dir, { recursive: true, force: true });
  });

  it('inserts nothing when aggregated again, and leaves the maps as they were', async () => {
    const before = await db.prisma.bandMap.findMany({ where: { sweepId: 'b' }, orderBy: { id: 'asc' } });
    expect(await aggregateBandMaps(db.prisma, 'b', resolved)).toBe(0);
    const after = await db.prisma.bandMap.findMany({ where: { sweepId: 'b' }, orderBy: { id: 'asc' } });
    expect(after).toEqual(before);
  });

  it('batches fold the groups they complete; the final aggregation folds the rest, to the same maps', async () => {
    await registerSweep('p');
    // Batches of 20 cells over groups of 9 (cells 9g..9g+8): most groups straddle two batches.
    const batches: [number, number][] = [];
    for (let s = 0; s < resolved.totalCells; s += 20)
      batches.push([s, Math.min(resolved.totalCells, s + 20)]);
    // Two batches at once: the first folds while the second's rows are not committed, so it leaves
    // the group they share (group 2: cells 18..26); the second's counter update waits for the
    // first to commit, so the second folds after that and finds the shared group complete.
    let secondWrote!: () => void;
    const secondWritten = new Promise<void>((r) => (secondWrote = r));
    let firstFinished!: () => void;
    const firstCounted = new Promise<void>((r) => (firstFinished = r));
    const first = db.prisma.$transaction(async (tx) => {
      const stream = new CellBatchStream(tx, 'p', 'test', { fresh: true });
      stream.push(await certifyRange(resolved, ...batches[0]));
      await stream.finish();
      firstFinished();
      const folded = await foldCompletedGroups(tx, 'p', resolved, ...batches[0]);
      await secondWritten;
      return folded;
    });
    const second = db.prisma.$transaction(async (tx) => {
      const stream = new CellBatchStream(tx, 'p', 'test', { fresh: true });
      stream.push(await certifyRange(resolved, ...batches[1]));
      await tx.$queryRaw`SELECT 1`; // after the rows' statement, on the same connection
      secondWrote();
      await firstCounted;
      await stream.finish(); // waits for the first's commit (both move the sweep's counters)
      return foldCompletedGroups(tx, 'p', resolved, ...batches[1]);
    });
    // Groups 0, 1 by the first; 2, 3 by the second (group 4, cells 36..44, reaches into the next batch).
    expect(await Promise.all([first, second])).toEqual([2, 2]);
    // The next two as an older version stored them, without folding.
    for (const range of batches.slice(2, 4))
      await writeCellBatch(db.prisma, 'p', 'test', await certifyRange(resolved, ...range));
    expect(await db.prisma.bandMap.count({ where: { sweepId: 'p' } })).toBe(4);
    // The rest one after another: each folds the groups it completes, including the one it shares
    // with the batch before (group 8, cells 72..80, by the batch from cell 80).
    const folded: number[] = [];
    for (const range of batches.slice(4)) {
      folded.push(
        await db.prisma.$transaction(async (tx) => {
          const stream = new CellBatchStream(tx, 'p', 'test', { fresh: true });
          stream.push(await certifyRange(resolved, ...range));
          await stream.finish();
          return foldCompletedGroups(tx, 'p', resolved, ...range);
        }),
      );
    }
    expect(folded).toEqual([3, 2, 1]); // groups 8-10, 11-12, 13
    // Left for the sweep's last step: groups 4-7, whose cells the older version's batches completed.
    expect(await aggregateBandMaps(db.prisma, 'p', resolved)).toBe(4);
    expect(await db.prisma.bandMap.count({ where: { sweepId: 'p' } })).toBe(14);
    const strip = (m: { id: number; sweepId: string; createdAt: Date }) => {
      const { id: _i, sweepId: _s, createdAt: _c, ...rest } = m;
      return rest;
    };
    const order = [{ paramName: 'asc' as const }, { paramValue: 'asc' as const }];
    const progressive = await db.prisma.bandMap.findMany({ where: { sweepId: 'p' }, orderBy: order });
    const atTheEnd = await db.prisma.bandMap.findMany({ where: { sweepId: 'b' }, orderBy: order });
    expect(progressive.map(strip)).toEqual(atTheEnd.map(strip));
  });

  it('tries a group longer than a batch only from the batches with its first or last cell', async () => {
    await registerSweep('q');
    // Group 1 (cells 9..17) stored whole, unfolded; then batches of 4 cells inside and around it.
    await writeCellBatch(db.prisma, 'q', 'test', await certifyRange(resolved, 9, 18));
    const fold = (s: number, e: number) => foldCompletedGroups(db.prisma, 'q', resolved, s, e);
    expect(await fold(10, 14)).toBe(0); // inside the group: not read
    expect(await fold(14, 18)).toBe(1); // holds its last cell: folded
    await db.prisma.bandMap.deleteMany({ where: { sweepId: 'q' } });
    expect(await fold(9, 13)).toBe(1); // holds its first cell: folded
  });

  it('reads band_maps a page of games at a time, the same rows in the same order as one read', async () => {
    await registerSweep('paged');
    // 250 games (two and a half pages), written directly: one failed cell (a NULL in alphas),
    // unbounded bands (r+ NULL) and games with no band (both edges NULL) among them.
    await db.prisma.$executeRaw`
      INSERT INTO band_maps (sweep_id, param_name, param_value, ratios, alphas, r_minus, r_plus,
        optimal_ratio, alpha_max, certified_fraction)
      SELECT 'paged', 'lambda', g::float8 / 7, ARRAY[0.1, 1, 10],
        ARRAY[g::float8 / 3, CASE WHEN g = 101 THEN NULL ELSE 1 - g::float8 / 100 END, -g::float8],
        CASE WHEN g % 5 = 0 THEN NULL ELSE 0.01::float8 * g END, CASE WHEN g % 5 < 2 THEN NULL ELSE g END,
        1, 1 - g::float8 / 100, (g % 3)::float8 / 3
      FROM generate_series(0, 249) g`;
    const pages: number[] = [];
    const paged: BandMapRow[] = [];
    await forEachBandMapPage(db.prisma, 'paged', (rows) => {
      pages.push(rows.length);
      paged.push(...rows);
    });
    expect(pages).toEqual([100, 100, 50]);
    // What the statement wrote, computed here (float8 division: the nearest double, as JS's).
    const expected = Array.from({ length: 250 }, (_, g) => ({
      paramName: 'lambda',
      paramValue: g / 7,
      ratios: [0.1, 1, 10],
      alphas: [g / 3, g === 101 ? null : 1 - g / 100, -g],
      rMinus: g % 5 === 0 ? null : 0.01 * g,
      rPlus: g % 5 < 2 ? null : g,
      optimalRatio: 1,
      alphaMax: 1 - g / 100,
      certifiedFraction: (g % 3) / 3,
    }));
    expect(paged).toEqual(expected);
    // The whole read (reports, sweep band) is the same rows; a NULL alpha (a failed cell) reads
    // as null, where the Prisma model's float[] refused the row.
    expect(await bandMapRows(db.prisma, 'paged')).toEqual(expected);
  });
});
