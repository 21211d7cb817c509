// Infrastructure smoke tests: a migrated PostgreSQL database per file, and a real
// Temporal dev server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { Prisma, parseDatabaseUrl } from '../db/client.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { startTemporalDevServer, type TemporalDevServer } from '../local/temporal-dev-server.js';

describe('parseDatabaseUrl', () => {
  it('decodes the URL into a PrismaPg object config', () => {
    expect(parseDatabaseUrl('postgres://us%40er:p%2Fw%3A@db.example:6543/my%20db')).toEqual({
      host: 'db.example',
      port: 6543,
      user: 'us@er',
      password: 'p/w:',
      database: 'my db',
    });
    expect(parseDatabaseUrl('postgresql://postgres@127.0.0.1/sgn')).toEqual({
      host: '127.0.0.1',
      port: 5432,
      user: 'postgres',
      database: 'sgn',
    });
  });

  it('names DATABASE_URL and never prints the password', () => {
    for (const bad of [
      'not a url',
      'mysql://u:hunter2@h/db',
      'postgresql://u:hunter2@h:99999/db',
      'postgresql://u:hunter2@h/',
    ]) {
      let message = '';
      try {
        parseDatabaseUrl(bad);
      } catch (e) {
        message = e instanceof Error ? e.message : String(e);
      }
      expect(message).toContain('DATABASE_URL');
      expect(message).not.toContain('hunter2');
    }
  });
});

function cell(sweepId: string, i: number): Prisma.CellResultCreateManyInput {
  return {
    sweepId,
    cellIndex: i,
    cellKey: `lambda=${i / 10}`,
    params: { lambda: i / 10 },
    gameParam: i / 10,
    certified: true,
    gammaEuclidean: 0.5,
    alpha: 0.25,
    beta: 1.5,
    eulerStep: 0.1,
    rk4Step: 0.2,
    weights: [1, 2],
    mu: [0.5, 0.75],
    couplingL: [
      [0, 0.1],
      [0.2, 0],
    ],
    optimalAlpha: 0.3,
  };
}

describe('PostgreSQL via Prisma', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ label: 'infra' });
  });
  afterAll(async () => {
    await db?.drop();
  });

  const sweep = (id: string): Prisma.SweepCreateInput => ({
    id,
    kind: 'certify',
    status: 'running',
    spec: { game: { kind: 'lq', n: 2 } },
    specHash: 'abc',
    totalCells: 3,
    workflowId: `wf-${id}`,
  });

  it('stores a sweep and a cell result', async () => {
    await db.prisma.sweep.create({ data: sweep('s1') });
    await db.prisma.cellResult.create({ data: cell('s1', 0) });
    const back = await db.prisma.cellResult.findUniqueOrThrow({
      where: { sweepId_cellKey: { sweepId: 's1', cellKey: 'lambda=0' } },
    });
    const owner = await db.prisma.sweep.findUniqueOrThrow({ where: { id: back.sweepId } });
    expect(back.weights).toEqual([1, 2]);
    expect(back.couplingL).toEqual([
      [0, 0.1],
      [0.2, 0],
    ]);
    expect(back.ratio).toBeNull();
    expect(owner.doneCells).toBe(0);
    expect(owner.spec).toEqual({ game: { kind: 'lq', n: 2 } });
    // Keyed by (sweepId, cellIndex) as well.
    const byIndex = await db.prisma.cellResult.findUniqueOrThrow({
      where: { sweepId_cellIndex: { sweepId: 's1', cellIndex: 0 } },
    });
    expect(byIndex.cellKey).toBe('lambda=0');
  });

  it('rejects a duplicate (sweepId, cellKey)', async () => {
    const err: unknown = await db.prisma.cellResult.create({ data: cell('s1', 0) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
    expect((err as Prisma.PrismaClientKnownRequestError).code).toBe('P2002');
  });

  it('createMany with skipDuplicates is idempotent', async () => {
    await db.prisma.sweep.create({ data: sweep('s2') });
    const rows = [0, 1, 2].map((i) => cell('s2', i));
    expect((await db.prisma.cellResult.createMany({ data: rows, skipDuplicates: true })).count).toBe(3);
    expect((await db.prisma.cellResult.createMany({ data: rows, skipDuplicates: true })).count).toBe(0);
    expect(await db.prisma.cellResult.count({ where: { sweepId: 's2' } })).toBe(3);
  });

  it('a failed transaction leaves nothing behind', async () => {
    await expect(
      db.prisma.$transaction(async (tx) => {
        await tx.sweep.create({ data: sweep('s3') });
        await tx.cellResult.create({ data: cell('s3', 0) });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await db.prisma.sweep.findUnique({ where: { id: 's3' } })).toBeNull();
    expect(await db.prisma.cellResult.count({ where: { sweepId: 's3' } })).toBe(0);
  });

  it('deleting a sweep deletes its results (trigger), and only its own', async () => {
    await db.prisma.sweep.create({ data: sweep('s4') });
    await db.prisma.cellResult.createMany({ data: [cell('s4', 0), cell('s4', 1)] });
    await db.prisma.sweep.delete({ where: { id: 's2' } });
    expect(await db.prisma.cellResult.count({ where: { sweepId: 's2' } })).toBe(0);
    expect(await db.prisma.cellResult.count({ where: { sweepId: 's4' } })).toBe(2);
    await db.prisma.sweep.deleteMany({ where: { id: { in: ['s1', 's4'] } } });
    expect(await db.prisma.cellResult.count()).toBe(0);
  });

  it('compares sweep ids and cell keys byte by byte (COLLATE "C", migration 20261202000000)', async () => {
    const rows = await db.prisma.$queryRaw<{ col: string; collation: string | null }[]>`
      SELECT table_name || '.' || column_name AS col, collation_name AS collation
      FROM information_schema.columns
      WHERE table_schema = current_schema() AND (column_name IN ('sweep_id', 'cell_key') OR (table_name, column_name) = ('sweeps', 'id'))
      ORDER BY 1`;
    expect(rows).toEqual(
      [
        'band_maps.sweep_id',
        'cell_results.cell_key',
        'cell_results.sweep_id',
        'stepsize_results.cell_key',
        'stepsize_results.sweep_id',
        'stepsize_traces.cell_key',
        'stepsize_traces.sweep_id',
        'sweeps.id',
      ].map((col) => ({ col, collation: 'C' })),
    );
    // The foreign keys survived the change of the column they reference (cell_results has none
    // since migration 20261203000000: see the cell-batches tests for what replaced it).
    const fks = await db.prisma.$queryRaw<{ t: string }[]>`
      SELECT conrelid::regclass::text AS t FROM pg_constraint
      WHERE contype = 'f' AND confrelid = 'sweeps'::regclass ORDER BY 1`;
    expect(fks.map((r) => r.t)).toEqual(['band_maps', 'stepsize_results', 'stepsize_traces']);
  });
});

describe('Temporal dev server', () => {
  let server: TemporalDevServer;
  beforeAll(async () => {
    server = await startTemporalDevServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function withConnection<T>(fn: (c: Connection) => Promise<T>): Promise<T> {
    const connection = await Connection.connect({ address: server.address });
    try {
      return await fn(connection);
    } finally {
      await connection.close();
    }
  }

  it('accepts client connections and serves the default namespace', async () => {
    await withConnection(async (c) => {
      const list = await c.workflowService.listNamespaces({});
      const names = list.namespaces.map((n) => n.namespaceInfo?.name);
      expect(names).toContain('default');
      const d = await c.workflowService.describeNamespace({ namespace: 'default' });
      expect(d.namespaceInfo?.name).toBe('default');
    });
  });

  it('keeps its state (a started workflow) across a crash restart', async () => {
    const workflowId = `infra-persist-${Date.now()}`;
    await withConnection(async (connection) => {
      // No worker needed: starting only records the execution on the server.
      await new Client({ connection }).workflow.start('noSuchWorkflow', {
        taskQueue: 'infra-check',
        workflowId,
      });
    });
    const before = server.pid();
    await server.restart({ kill: true });
    expect(server.pid()).not.toBe(before);
    await withConnection(async (connection) => {
      const handle = new Client({ connection }).workflow.getHandle(workflowId);
      expect((await handle.describe()).status.name).toBe('RUNNING');
      await handle.terminate('infra test done');
    });
  });
});
