/**
 * Reports and the dashboard of a sweep too large to draw whole (real PostgreSQL): they read a
 * regular sub-grid of its cells (sweep/drawn-grid.ts), the band edges of every game, and say so.
 * A million-cell sweep's report ran out of memory before (4.3 GB, then a V8 abort).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { projectRoot } from './support/reference.js';
import { resolveSpec } from '../sweep/resolve.js';
import { aggregateBandMaps } from '../activities/band-maps.js';
import { loadSweepData } from '../report/data.js';
import { sweepFigures } from '../report/sweep-report.js';
import { resultRows } from '../sweep/queries.js';
import { DRAWN_CELLS, gridIndices } from '../sweep/drawn-grid.js';
import { axisValue } from '../sweep/axes.js';
import { registerSweep, storeCertifyCells } from './support/stored-sweep.js';

const N = 150; // lambda x ratio: 22,500 cells, over DRAWN_CELLS
const large = resolveSpec(
  {
    name: 'large',
    kind: 'certify',
    game: {
      family: 'quadratic',
      generator: 'random',
      dims: [2, 2],
      mu0: 1,
      coupling: 1,
      seed: 3,
      lambda: { linspace: [0, 2, N] },
    },
    weights: { ratio: { geomspace: [0.01, 100, N] } },
  },
  { baseDir: projectRoot },
);

async function store(db: TestDatabase, id: string, status: string, end: number): Promise<void> {
  await registerSweep(db.prisma, id, large, status);
  await storeCertifyCells(db.prisma, id, large, 0, end);
}

describe('a report of a sweep larger than a figure can draw', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    expect(N * N).toBeGreaterThan(DRAWN_CELLS);
    db = await createTestDatabase({ label: 'large-report' });
    await store(db, 'done', 'completed', N * N);
    await aggregateBandMaps(db.prisma, 'done', large);
    await store(db, 'half', 'running', (N * N) / 2);
  }, 120_000);

  afterAll(async () => {
    await db?.drop();
  });

  it('reads every 2nd lambda, the stored rows themselves, and every game’s band edges', async () => {
    const data = await loadSweepData(db.prisma, 'done');
    const want = gridIndices(large.axes, { strides: [2, 1], held: [null, null] });
    expect(want).toHaveLength((N / 2) * N);
    expect(data.cells.map((c) => c.cellIndex)).toEqual(want);
    // The rows are the stored ones, bit for bit.
    const all = await resultRows(db.prisma, 'done', []);
    const stored = new Map(all.map((r) => [r.cellIndex, r]));
    for (const c of data.cells) expect(c).toEqual(stored.get(c.cellIndex));
    expect(data.drawn).toBe('every 2nd lambda (11,250 of 22,500 cells)');
    // Band edges from band_maps: all 150 games; tiles from the cells read.
    expect(data.bandSource).toBe('band-maps');
    expect(data.edges).toHaveLength(N);
    expect(new Set(data.band.map((b) => b.param)).size).toBe(N / 2);
    expect(data.margins).toHaveLength(N / 2);
    const { notes } = sweepFigures(data);
    expect(notes[0]).toBe(
      "a large sweep: figures and tables read every 2nd lambda (11,250 of 22,500 cells); the band edges are every game's; " +
        'every cell: sgn sweep results done --format csv (or parquet) --out FILE',
    );
  });

  it('reads a held lambda whole, and only it', async () => {
    const lambda = axisValue(large.axes[0].axis, 3);
    const data = await loadSweepData(db.prisma, 'done', { view: { slice: [`lambda=${lambda}`] } });
    expect(data.cells).toHaveLength(N);
    expect(data.cells.every((c) => c.params.lambda === lambda)).toBe(true);
    expect(data.drawn).toBeNull();
  });

  it('draws a running sweep’s band edges from the cells read', async () => {
    const data = await loadSweepData(db.prisma, 'half');
    expect(data.bandSource).toBe('cells');
    // Stored: the first 75 lambdas; read: every 2nd of them.
    expect(data.cells).toHaveLength(38 * N);
    expect(data.edges).toHaveLength(38);
  });
});
