/**
 * Every sweep ends, whatever its cells do: real Temporal dev server, real PostgreSQL, real worker
 * processes with test faults injected into chosen cells (SGN_TEST_FAULTS, see
 * activities/fault-injection.ts). Each scenario has its own task queue and workers. (A cell that
 * kills its worker process, isolated by splitting its batch, is in the fault suite: test/faults.)
 *   - a poison cell (a singular game) among healthy ones: stored failed, the sweep completes;
 *   - a healthy cell longer than the heartbeat timeout: stored as usual;
 *   - a cell past its time budget: stored 'timeout after N s';
 *   - a database that keeps failing a sweep's batches: bounded attempts, cells stored failed;
 *   - cancel during a cell that never ends: the compute stops, the sweep reads cancelled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import pg from 'pg';
import { Client, Connection } from '@temporalio/client';
import { startTemporalDevServer, type TemporalDevServer } from '../local/temporal-dev-server.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { runCli, startWorker, waitUntil, type WorkerProcess } from './support/processes.js';
import { projectRoot } from './support/reference.js';
import { resolveSpecFile } from '../sweep/resolve.js';
import { certifyRange, stepsizeRange } from '../sweep/compute.js';
import { differingCertificates, type CertificateFields } from './support/results.js';

let temporal: TemporalDevServer;
let db: TestDatabase;
let dir: string;
const workers: WorkerProcess[] = [];
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

beforeAll(async () => {
  [temporal, db] = await Promise.all([startTemporalDevServer(), createTestDatabase({ label: 'ends' })]);
  dir = mkdtempSync(join(tmpdir(), 'sgn-ends-'));
}, 240_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill('SIGKILL')));
  await temporal?.stop();
  await db?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

/** The environment of one scenario: its own task queue, and the faults its workers inject. */
function scenario(name: string, faults = ''): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: temporal.address,
    SGN_TASK_QUEUE: `ends-${name}-${process.pid}`,
    SGN_TEST_FAULTS: faults,
  };
}

async function addWorker(env: NodeJS.ProcessEnv): Promise<WorkerProcess> {
  const w = startWorker(env, 2);
  workers.push(w);
  await w.ready;
  return w;
}

/** A small certify spec (4 + 4 dims, 6 lambdas x 4 ratios = 24 cells) with these execution settings. */
function certifySpec(name: string, execution: Record<string, number>): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(
    path,
    stringify({
      kind: 'certify',
      game: {
        family: 'quadratic',
        generator: 'random',
        dims: [4, 4],
        mu0: 1,
        coupling: 1,
        seed: 7,
        lambda: { linspace: [0, 1.1, 6] },
      },
      weights: { ratio: { geomspace: [0.1, 10, 4] } },
      execution,
    }),
  );
  return path;
}

async function sweepRow(id: string) {
  return db.prisma.sweep.findUniqueOrThrow({ where: { id } });
}

async function cellsOf(id: string) {
  return db.prisma.cellResult.findMany({ where: { sweepId: id }, orderBy: { cellIndex: 'asc' } });
}

/** Stored rows equal the in-process computation (up to warm starts where a thread was replaced). */
function expectSameCertificates(
  stored: readonly CertificateFields[],
  want: readonly CertificateFields[],
  skip: readonly number[],
): void {
  expect(differingCertificates(stored, want, skip)).toEqual([]);
}

describe('every sweep ends', () => {
  it('stores a poison game (singular system) as failed and completes the sweep', async () => {
    const env = scenario('poison');
    await addWorker(env);
    const spec = join(projectRoot, 'test', 'fixtures', 'poison-stepsize.yaml');
    const r = await runCli(['sweep', 'start', spec, '--wait'], env);
    const row = await sweepRow('poison-stepsize');
    expect(row).toMatchObject({ status: 'completed', totalCells: 6, doneCells: 6, failedCells: 1 });
    // --wait says the sweep ended with failed cells: exit 4 and one line naming the error.
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(
      /completed; 1 of 6 cells failed: 1 x game: H is singular, so the game has no unique equilibrium \(list them/,
    );
    const runs = await db.prisma.stepsizeResult.findMany({
      where: { sweepId: 'poison-stepsize' },
      orderBy: [{ cellIndex: 'asc' }, { multiplier: 'asc' }],
    });
    // Each healthy game as computed here; the singular one (lambda = 1, index 3) failed on each run.
    const want = await stepsizeRange(resolveSpecFile(spec), 0, 6);
    expect(runs.map((x) => [x.cellIndex, x.multiplier, x.step, x.convergedFraction, x.error])).toEqual(
      want.map((x) => [x.cellIndex, x.multiplier, x.step, x.convergedFraction, x.error]),
    );
    expect(runs.filter((x) => x.error !== null).map((x) => [x.cellIndex, x.error])).toEqual([
      [3, 'game: H is singular, so the game has no unique equilibrium'],
      [3, 'game: H is singular, so the game has no unique equilibrium'],
    ]);
    // What --wait told the user to run lists the failed game's runs, with the error text.
    const listed = await runCli(['sweep', 'results', 'poison-stepsize', '--where', 'error=any'], env);
    expect(listed.code, listed.stderr).toBe(0);
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^game\s+lambda\s+integrator\s+multiplier\s+.*\berror$/);
    expect(lines.slice(2)).toEqual([
      expect.stringMatching(
        /^3\s+1\s+euler\s+0\.5\s+.*game: H is singular, so the game has no unique equilibrium$/,
      ),
      expect.stringMatching(
        /^3\s+1\s+euler\s+1\s+.*game: H is singular, so the game has no unique equilibrium$/,
      ),
    ]);
  });

  it('stores a healthy cell that computes longer than the heartbeat timeout', async () => {
    // Heartbeat timeout 3 s, cell 7 computes 7 s: heartbeats come from a timer, not from cells.
    const env = scenario('slow', '7:slow=7000');
    const worker = await addWorker(env);
    const spec = certifySpec('slow', { heartbeatTimeout: 3, batchSize: 6 });
    const r = await runCli(['sweep', 'start', spec, '--id', 'slow', '--wait'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(await sweepRow('slow')).toMatchObject({ status: 'completed', doneCells: 24, failedCells: 0 });
    const stored = await cellsOf('slow');
    const want = await certifyRange(resolveSpecFile(spec), 0, 24);
    // One attempt, undisturbed: bit for bit what this process computes.
    expect(stored.map((c) => [c.cellIndex, c.alpha, c.beta, c.error])).toEqual(
      want.map((c) => [c.cellIndex, c.alpha, c.beta, c.error]),
    );
    expect(worker.child.exitCode).toBeNull();
  });

  it("stops a cell past its time budget and stores 'timeout after N s'", async () => {
    const env = scenario('timeout', '9:hang');
    await addWorker(env);
    const spec = certifySpec('timeout', { cellTimeout: 2, batchSize: 6 });
    await runCli(['sweep', 'start', spec, '--id', 'timeout', '--wait'], env);
    expect(await sweepRow('timeout')).toMatchObject({ status: 'completed', doneCells: 24, failedCells: 1 });
    const stored = await cellsOf('timeout');
    expect(stored.filter((c) => c.error !== null).map((c) => [c.cellIndex, c.error])).toEqual([
      [9, 'timeout after 2 s'],
    ]);
    expectSameCertificates(stored, await certifyRange(resolveSpecFile(spec), 0, 24), [9]);
    // status and results tell which cell failed and why.
    const status = await runCli(['sweep', 'status', 'timeout'], env);
    expect(status.stdout).toContain('1 of 24 cells failed: 1 x timeout after 2 s');
    const failed = await runCli(['sweep', 'results', 'timeout', '--where', 'error=any'], env);
    expect(failed.code, failed.stderr).toBe(0);
    const lines = failed.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/\berror$/);
    expect(lines.slice(2)).toEqual([expect.stringMatching(/^9 .* timeout after 2 s$/)]);
    // The band map and the report of a sweep with a failed cell: that cell has no alpha, the rest
    // are drawn (the failed cell's NULL inside band_maps.alphas once stopped both).
    const csv = join(dir, 'timeout-band.csv');
    const band = await runCli(['sweep', 'band', 'timeout', '--out', csv], env);
    expect(band.code, band.stderr).toBe(0);
    const bandLines = readFileSync(csv, 'utf8').trim().split('\n');
    expect(bandLines).toHaveLength(1 + 24);
    const alphas = bandLines.slice(1).map((l) => l.split(',')[3]);
    expect(alphas[9]).toBe('');
    expect(alphas.filter((a) => a === '')).toHaveLength(1);
    const report = await runCli(['report', 'timeout', '--out', join(dir, 'timeout-report')], env);
    expect(report.code, report.stderr).toBe(0);
    expect(readFileSync(join(dir, 'timeout-report', 'band-map.svg'), 'utf8')).toContain('<svg');
  });

  it('retries only the failed cells on resume --retry-failed, keeping every stored result', async () => {
    // The 'timeout' sweep again, with a worker that has no fault: cell 9 now computes.
    const env = scenario('timeout');
    await Promise.all(workers.splice(0).map((w) => w.kill('SIGKILL')));
    await addWorker(env);
    const before = await cellsOf('timeout');
    const r = await runCli(['sweep', 'resume', 'timeout', '--retry-failed'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('timeout: retrying 1 failed cell');
    await waitUntil(async () => (await sweepRow('timeout')).status === 'completed', 60_000, 'the retry');
    expect(await sweepRow('timeout')).toMatchObject({ doneCells: 24, failedCells: 0 });
    const after = await cellsOf('timeout');
    expect(after.filter((c) => c.cellIndex !== 9)).toEqual(before.filter((c) => c.cellIndex !== 9));
    expect(after[9].error).toBeNull();
    expectSameCertificates(after, await certifyRange(resolveSpecFile(join(dir, 'timeout.yaml')), 0, 24), []);
    // A second retry has nothing to do: refused with one line.
    const again = await runCli(['sweep', 'resume', 'timeout', '--retry-failed'], env);
    expect(again.code).toBe(2);
    expect(again.stderr.trim().split('\n')).toEqual([expect.stringContaining('has no failed cells')]);
  });

  it('gives up on batches whose database keeps failing, stores their cells failed with the reason, and goes on', async () => {
    const env = scenario('db-fails');
    await addWorker(env);
    const spec = certifySpec('db-fails', { batchSize: 6, maxAttempts: 2 });
    // The results table is gone while the sweep runs: every batch fails on the database, twice.
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    try {
      await admin.query('ALTER TABLE cell_results RENAME TO cell_results_away');
      const r = await runCli(['sweep', 'start', spec, '--id', 'db-fails'], env);
      expect(r.code, r.stderr).toBe(0);
      // Storing the given-up cells fails too until the table is back (bookkeeping retries on):
      // hold the table away until the workflow has given up on all 4 batches.
      const { workflowId } = await sweepRow('db-fails');
      await waitUntil(
        async () => (await scheduledActivities(workflowId, 'recordFailedCells')) >= 4,
        120_000,
        'all 4 batches given up',
      );
    } finally {
      await admin.query('ALTER TABLE cell_results_away RENAME TO cell_results');
      await admin.end();
    }
    await waitUntil(async () => (await sweepRow('db-fails')).status === 'completed', 120_000, 'db-fails');
    expect(await sweepRow('db-fails')).toMatchObject({ doneCells: 24, failedCells: 24 });
    const stored = await cellsOf('db-fails');
    expect(stored.length).toBe(24);
    for (const c of stored)
      expect(c.error).toMatch(/^batch gave up after 2 attempts: .*cell_results.* does not exist/);
    // The database is back: a retry stores every cell.
    const retry = await runCli(['sweep', 'resume', 'db-fails', '--retry-failed'], env);
    expect(retry.stdout.trim()).toBe('db-fails: retrying 24 failed cells');
    await waitUntil(async () => (await sweepRow('db-fails')).status === 'completed', 60_000, 'the retry');
    expect(await sweepRow('db-fails')).toMatchObject({ doneCells: 24, failedCells: 0 });
    expectSameCertificates(await cellsOf('db-fails'), await certifyRange(resolveSpecFile(spec), 0, 24), []);
  });

  it('cancels a sweep in the middle of a cell that never ends: compute stops, status cancelled', async () => {
    const env = scenario('cancel', '2:hang');
    const worker = await addWorker(env);
    const spec = certifySpec('cancel', { batchSize: 6 });
    await runCli(['sweep', 'start', spec, '--id', 'cancel'], env);
    // Cells 0 and 1 are stored only with their batch; wait until the worker spins in cell 2.
    await waitUntil(async () => cpuSeconds(worker.pid, 1000).then((s) => s > 0.7), 60_000, 'cell 2 to spin');
    const cancelledAt = Date.now();
    const r = await runCli(['sweep', 'cancel', 'cancel'], env);
    expect(r.code, r.stderr).toBe(0);
    await waitUntil(async () => (await sweepRow('cancel')).status === 'cancelled', 5000, 'cancelled');
    expect(Date.now() - cancelledAt).toBeLessThan(15_000);
    // The compute thread is gone within about a second: the worker idles (it stays up).
    await sleep(2000);
    expect(await cpuSeconds(worker.pid, 2000)).toBeLessThan(0.3);
    expect(worker.child.exitCode).toBeNull();
  });
});

/** How many times the workflow has scheduled activity `type` (its retries are not counted). */
async function scheduledActivities(workflowId: string, type: string): Promise<number> {
  const connection = await Connection.connect({ address: temporal.address });
  try {
    const history = await new Client({ connection }).workflow.getHandle(workflowId).fetchHistory();
    return (history.events ?? []).filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === type,
    ).length;
  } finally {
    await connection.close();
  }
}

/** CPU seconds (user + system) a process used over the next `ms` milliseconds. */
async function cpuSeconds(pid: number, ms: number): Promise<number> {
  const ticks = (): number => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  };
  const before = ticks();
  await sleep(ms);
  return (ticks() - before) / 100;
}
