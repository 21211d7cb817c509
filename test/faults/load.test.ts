/**
 * Load: a sweep of 1,000,000 cells (small games) through Temporal and PostgreSQL with two real
 * worker processes. The spec is expanded lazily (workflows pass ranges, activities decode their
 * own cells), so memory stays flat in the client, the workers and the workflow histories.
 * Prints the peak memory of each process and the longest workflow history.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { resolveSpecFile } from '../../sweep/resolve.js';
import { type ResolvedSweep } from '../../sweep/resolved.js';
import { certifyRange } from '../../sweep/compute.js';
import { startTemporalDevServer, type TemporalDevServer } from '../../local/temporal-dev-server.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { runCli, startWorker, type WorkerProcess } from '../support/processes.js';
import { projectRoot } from '../support/reference.js';
import { COMPARED_COLUMNS } from '../support/results.js';
import { MemorySampler } from '../support/memory.js';

const SPEC = join(projectRoot, 'test', 'fixtures', 'load-1m.yaml');
const MB = 1024 * 1024;
const mb = (bytes: number) => (bytes / MB).toFixed(0);
/** Bounds that a materialised cell list (1e6 objects) or an unbounded history would break. */
const CLIENT_PEAK_LIMIT = 300 * MB;
const WORKER_PEAK_LIMIT = 1536 * MB;
const HISTORY_LIMIT = 5000;

let temporal: TemporalDevServer;
let db: TestDatabase;
let connection: Connection;
let client: Client;
let env: NodeJS.ProcessEnv;
let resolved: ResolvedSweep;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  [temporal, db] = await Promise.all([startTemporalDevServer(), createTestDatabase({ label: 'load' })]);
  connection = await Connection.connect({ address: temporal.address });
  client = new Client({ connection });
  env = { DATABASE_URL: db.url, TEMPORAL_ADDRESS: temporal.address, SGN_TASK_QUEUE: `load-${process.pid}` };
  resolved = resolveSpecFile(SPEC);
  for (let i = 0; i < 2; i++) workers.push(startWorker(env, 2));
  await Promise.all(workers.map((w) => w.ready));
}, 300_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill('SIGTERM')));
  await connection?.close();
  await temporal?.stop();
  await db?.drop();
}, 120_000);

describe('load', () => {
  it('runs a 1,000,000-cell sweep with bounded memory and bounded histories', async () => {
    expect(resolved.totalCells).toBe(1_000_000);
    const sampler = new MemorySampler();
    workers.forEach((w, i) => sampler.watch(`worker ${i + 1}`, w.pid));
    const serverPid = temporal.pid();
    if (serverPid) sampler.watch('Temporal dev server', serverPid);
    const t0 = performance.now();
    const r = await runCli(['sweep', 'start', SPEC, '--id', 'load-1m', '--wait'], env, {
      onSpawn: (pid) => sampler.watch('client (sweep start --wait)', pid),
    });
    const seconds = (performance.now() - t0) / 1000;
    const peaks = sampler.stop();
    expect(r.code, r.stderr).toBe(0);

    // Exactly one row per cell, counters right.
    const [{ rows, keys, indices }] = await db.prisma.$queryRaw<
      { rows: number; keys: number; indices: number }[]
    >`SELECT count(*)::int AS rows, count(DISTINCT cell_key)::int AS keys,
             count(DISTINCT cell_index)::int AS indices
        FROM cell_results WHERE sweep_id = ${'load-1m'}`;
    expect({ rows, keys, indices }).toEqual({ rows: 1_000_000, keys: 1_000_000, indices: 1_000_000 });
    const sweep = await db.prisma.sweep.findUniqueOrThrow({ where: { id: 'load-1m' } });
    expect(sweep).toMatchObject({
      status: 'completed',
      totalCells: 1_000_000,
      doneCells: 1_000_000,
      failedCells: 0,
    });

    // The band map: one row per coupling strength, 1000 ratios each (folded by the batches).
    const [band] = await db.prisma.$queryRaw<{ maps: number; full: number }[]>`
      SELECT count(*)::int AS maps, count(*) FILTER (WHERE cardinality(ratios) = 1000)::int AS full
        FROM band_maps WHERE sweep_id = ${'load-1m'}`;
    expect(band).toEqual({ maps: 1000, full: 1000 });

    // Spot-check stored numbers against the same cells computed here, at spread-out ranges.
    let compared = 0;
    for (const start of [0, 123_457, 500_000, 876_543, 999_500]) {
      const ref = await certifyRange(resolved, start, start + 500);
      const stored = await db.prisma.cellResult.findMany({
        where: { sweepId: 'load-1m', cellIndex: { gte: start, lt: start + 500 } },
      });
      const byKey = new Map(stored.map((s) => [s.cellKey, s]));
      for (const row of ref) {
        const s = byKey.get(row.cellKey);
        expect(s, `cell ${row.cellIndex}`).toBeDefined();
        for (const k of COMPARED_COLUMNS)
          expect(JSON.stringify(s![k as keyof typeof s]), `${k} of cell ${row.cellIndex}`).toBe(
            JSON.stringify(row[k]),
          );
        compared++;
      }
    }
    expect(compared).toBe(2500);

    // Histories: continue-as-new keeps every execution short.
    const histories: number[] = [];
    const { workflowId } = await db.prisma.sweep.findUniqueOrThrow({
      where: { id: 'load-1m' },
      select: { workflowId: true },
    });
    for await (const wf of client.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
      histories.push(wf.historyLength);
    const longest = Math.max(...histories);

    const lines = [
      `1,000,000 cells in ${seconds.toFixed(1)} s (${Math.round(1e6 / seconds)} cells/s), 2 workers x concurrency 2`,
      `workflow executions (continue-as-new): ${histories.length}, longest history: ${longest} events`,
      'resident memory (MB): peak (VmHWM), largest RSS in the first and in the second half of the run',
      ...[...peaks].map(
        ([name, m]) =>
          `  ${name.padEnd(30)} ${mb(m.peak).padStart(6)} ${mb(m.firstHalf).padStart(6)} ${mb(m.secondHalf).padStart(6)}`,
      ),
    ];
    process.stdout.write(`\nLoad test\n${lines.join('\n')}\n`);

    expect(longest).toBeLessThan(HISTORY_LIMIT);
    expect(histories.length).toBeGreaterThanOrEqual(2);
    expect(peaks.get('client (sweep start --wait)')!.peak).toBeLessThan(CLIENT_PEAK_LIMIT);
    for (const [name, m] of peaks) {
      if (!name.startsWith('worker')) continue;
      expect(m.peak, name).toBeLessThan(WORKER_PEAK_LIMIT);
      // Bounded, not growing: the second half of the run needs no more memory than the first.
      expect(m.secondHalf, name).toBeLessThan(1.25 * m.firstHalf + 64 * MB);
    }
  }, 1_500_000);
});
