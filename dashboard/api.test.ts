/**
 * The dashboard's data against a real PostgreSQL database: the pace and the workers of a sweep
 * from its stored rows' timestamps, counted here by hand from the rows inserted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bareSweep, createTestDatabase, type TestDatabase } from '../test/support/database.js';
import { sweepSummaries, viewOf, workflowLink } from './api.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase({ label: 'dashapi' });
}, 120_000);

afterAll(async () => {
  await db?.drop();
});

/** Inserts cells of `sweep` stored `secondsAgo` before now, computed by `worker`. */
async function storeCells(sweep: string, from: number, n: number, secondsAgo: number, worker: string) {
  for (let i = from; i < from + n; i++)
    await db.prisma.$executeRaw`
      INSERT INTO cell_results (sweep_id, cell_index, cell_key, params, computed_by, created_at)
      VALUES (${sweep}, ${i}, ${`k${i}`}, '{}'::jsonb, ${worker}, now() - make_interval(secs => ${secondsAgo}))`;
}

describe('sweepSummaries', () => {
  it('counts the cells of the last minute, per second, and the workers that stored them', async () => {
    await db.prisma.sweep.create({ data: bareSweep('busy', 100) });
    // The sweep was created 10 minutes ago: the window is the whole minute.
    await db.prisma
      .$executeRaw`UPDATE sweeps SET created_at = now() - interval '10 minutes' WHERE id = 'busy'`;
    await storeCells('busy', 0, 20, 300, 'old-worker'); // outside the window
    await storeCells('busy', 20, 12, 40, 'host:1');
    await storeCells('busy', 32, 18, 5, 'host:2');
    await db.prisma.sweep.create({ data: bareSweep('done', 4, 'completed') });
    await storeCells('done', 0, 4, 2, 'host:3');
    const [done, busy] = await sweepSummaries(db.prisma, { namespace: 'default' });
    expect(busy.id).toBe('busy');
    // 30 cells in the last 60 s.
    expect(busy.cellsPerSecond).toBeCloseTo(30 / 60, 12);
    expect([...busy.workers].sort()).toEqual(['host:1', 'host:2']);
    expect(busy.workflowUrl).toBeNull();
    expect(Date.now() - Date.parse(busy.lastStoredAt!)).toBeLessThan(60_000);
    // An ended sweep stores nothing more: no pace is reported for it.
    expect(done).toMatchObject({ id: 'done', cellsPerSecond: 0, workers: [] });
  });

  it('divides by the sweep age while it is younger than the window', async () => {
    await db.prisma.sweep.create({ data: bareSweep('young', 10) });
    await db.prisma
      .$executeRaw`UPDATE sweeps SET created_at = now() - interval '20 seconds' WHERE id = 'young'`;
    await storeCells('young', 0, 10, 1, 'host:1');
    const young = (await sweepSummaries(db.prisma, { namespace: 'default' })).find((s) => s.id === 'young')!;
    // 10 cells over ~20 s (the query runs a moment later: a little less than 0.5).
    expect(young.cellsPerSecond).toBeGreaterThan(10 / 22);
    expect(young.cellsPerSecond).toBeLessThanOrEqual(10 / 20);
  });
});

describe('links and views', () => {
  it('links to the Temporal UI page of the workflow, escaped', () => {
    expect(workflowLink({ namespace: 'default' }, 'w')).toBeNull();
    expect(workflowLink({ temporalUiUrl: 'http://localhost:8233/', namespace: 'ns 1' }, 'sgn/a b')).toBe(
      'http://localhost:8233/namespaces/ns%201/workflows/sgn%2Fa%20b',
    );
  });

  it('reads x, slice and aggregate from the query and refuses anything else', () => {
    expect(viewOf(new URLSearchParams('x=lambda&slice=seed%3D3&aggregate=trial&aggregate='))).toEqual({
      x: 'lambda',
      slice: ['seed=3'],
      aggregate: ['trial'],
    });
    expect(() => viewOf(new URLSearchParams('colour=red'))).toThrow(
      'colour: is not an option of a sweep view (x, slice, aggregate)',
    );
  });
});
