/**
 * Sweeps end to end against a real Temporal dev server, a real PostgreSQL database and real
 * worker processes: results, worker counts, SIGKILL, terminate + resume, double start,
 * pause/resume/cancel, malformed specs, and bounded histories (continue-as-new).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { progressQuery } from '../contracts/workflow.js';
import { startTemporalDevServer, type TemporalDevServer } from '../local/temporal-dev-server.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { runCli, startWorker, waitUntil, type WorkerProcess } from './support/processes.js';
import { projectRoot } from './support/reference.js';
import pg from 'pg';
import { parseDatabaseUrl, quoteIdent } from '../db/client.js';
import { resolveSpecFile } from '../sweep/resolve.js';
import { type ResolvedSweep } from '../sweep/resolved.js';
import type { CellRow } from '../sweep/compute.js';
import { checkStored, referenceCells } from './support/results.js';

const medium = join(projectRoot, 'test', 'fixtures', 'medium.yaml');

let temporal: TemporalDevServer;
let db: TestDatabase;
let env: NodeJS.ProcessEnv;
let client: Client;
let connection: Connection;
const workers: WorkerProcess[] = [];
let reference: Map<string, CellRow>;
let resolved: ResolvedSweep;

async function addWorker(): Promise<WorkerProcess> {
  const w = startWorker(env, 2);
  workers.push(w);
  await w.ready;
  return w;
}

async function sweepRow(id: string) {
  return db.prisma.sweep.findUniqueOrThrow({ where: { id } });
}

/** Every cell stored exactly once and equal, bit for bit, to the in-process reference. */
async function expectExactResults(id: string): Promise<void> {
  const check = await checkStored(db.prisma, id, reference);
  expect(check).toMatchObject({
    expected: resolved.totalCells,
    stored: resolved.totalCells,
    duplicates: 0,
    mismatches: 0,
    missing: 0,
    status: 'completed',
    doneCells: resolved.totalCells,
    failedCells: 0,
  });
}

async function startDetached(id: string): Promise<void> {
  const r = await runCli(['sweep', 'start', medium, '--id', id], env);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout.trim()).toBe(id);
}

async function waitForDone(id: string, atLeast: number, timeoutMs = 120_000): Promise<void> {
  await waitUntil(
    async () =>
      ((await db.prisma.sweep.findUnique({ where: { id }, select: { doneCells: true } }))?.doneCells ?? 0) >=
      atLeast,
    timeoutMs,
    `${id} to store ${atLeast} cells`,
  );
}

async function waitForStatus(id: string, status: string, timeoutMs = 180_000): Promise<void> {
  await waitUntil(async () => (await sweepRow(id)).status === status, timeoutMs, `${id} to be ${status}`);
}

beforeAll(async () => {
  [temporal, db] = await Promise.all([startTemporalDevServer(), createTestDatabase({ label: 'e2e' })]);
  env = {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: temporal.address,
    SGN_TASK_QUEUE: `e2e-${process.pid}`,
    // Continue-as-new every 8 batches: every sweep below runs through several executions.
    SGN_BATCHES_PER_RUN: '8',
  };
  connection = await Connection.connect({ address: temporal.address });
  client = new Client({ connection });
  // The reference: the same cells computed in this process, batch by batch, no Temporal, no database.
  resolved = resolveSpecFile(medium);
  reference = await referenceCells(resolved);
  await addWorker();
}, 240_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill('SIGTERM')));
  await connection?.close();
  await temporal?.stop();
  await db?.drop();
}, 60_000);

describe('sweeps on Temporal + PostgreSQL', () => {
  it('rejects a malformed spec with the field named, a non-zero exit and nothing written', async () => {
    const r = await runCli(['sweep', 'start', join(projectRoot, 'test', 'fixtures', 'bad-spec.yaml')], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/spec\.game\.lambda\.linspace\[2\]/);
    expect(await db.prisma.sweep.count()).toBe(0);
    expect(await db.prisma.cellResult.count()).toBe(0);
  });

  it('runs a sweep with one worker: every cell once, equal to the in-process computation', async () => {
    const r = await runCli(['sweep', 'start', medium, '--id', 'one-worker', '--wait'], env);
    expect(r.code, r.stderr).toBe(0);
    await expectExactResults('one-worker');
    const status = await runCli(['sweep', 'status', 'one-worker', '--json'], env);
    expect(JSON.parse(status.stdout)).toMatchObject({
      id: 'one-worker',
      status: 'completed',
      totalCells: 800,
      doneCells: 800,
      failedCells: 0,
    });
    // Band map: one row per lambda, edges from the stored certificates.
    expect(await db.prisma.bandMap.count({ where: { sweepId: 'one-worker' } })).toBe(20);
    // The worker runs with the node flags every launcher passes (workers/node-flags.ts).
    expect(workers[0].output()).toMatch(/ polling .*concurrency 2\n/);
    expect(workers[0].output()).not.toContain('started without node');
  });

  it('keeps workflow histories bounded with continue-as-new', async () => {
    const runs: number[] = [];
    for await (const wf of client.workflow.list({
      query: `WorkflowId = '${(await sweepRow('one-worker')).workflowId}'`,
    })) {
      runs.push(wf.historyLength);
    }
    // 40 batches at 8 per execution: at least 5 executions, each with a short history.
    expect(runs.length).toBeGreaterThanOrEqual(5);
    expect(Math.max(...runs)).toBeLessThan(200);
  });

  it('gives bit-identical results with two workers', async () => {
    await addWorker();
    const r = await runCli(['sweep', 'start', medium, '--id', 'two-workers', '--wait'], env);
    expect(r.code, r.stderr).toBe(0);
    await expectExactResults('two-workers');
    // The band maps too, whichever batch or step folded each row.
    const maps = (sweepId: string) =>
      db.prisma.bandMap.findMany({
        where: { sweepId },
        orderBy: [{ paramName: 'asc' }, { paramValue: 'asc' }],
        omit: { id: true, sweepId: true, createdAt: true },
      });
    const two = await maps('two-workers');
    expect(two).toHaveLength(20);
    expect(two).toEqual(await maps('one-worker'));
  });

  it('completes with exactly one result per cell when a worker is SIGKILLed mid-sweep', async () => {
    await startDetached('killed');
    await waitForDone('killed', 100);
    const victim = workers.shift()!;
    await victim.kill('SIGKILL');
    await addWorker();
    await waitForStatus('killed', 'completed');
    await expectExactResults('killed');
  }, 240_000);

  it('rides out a database outage: activities retry and the sweep completes once it is back', async () => {
    await startDetached('db-outage');
    await waitForDone('db-outage', 100);
    // An outage without stopping the shared server: refuse new connections to this database
    // and cut the existing ones (workers' pools included).
    const admin = new pg.Client({ ...parseDatabaseUrl(db.url), database: 'postgres' });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE ${quoteIdent(db.name)} WITH ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [
        db.name,
      ]);
      await new Promise((r) => setTimeout(r, 8000));
      await admin.query(`ALTER DATABASE ${quoteIdent(db.name)} WITH ALLOW_CONNECTIONS true`);
    } finally {
      await admin.end();
    }
    await waitForStatus('db-outage', 'completed');
    await expectExactResults('db-outage');
    // Every worker survived the outage.
    for (const w of workers) expect(w.child.exitCode).toBeNull();
  }, 240_000);

  it('resumes a terminated sweep from the CLI, scheduling only what is missing', async () => {
    await startDetached('terminated');
    await waitForDone('terminated', 150);
    await client.workflow
      .getHandle((await sweepRow('terminated')).workflowId)
      .terminate('test: simulated operator mistake');
    const status = await runCli(['sweep', 'status', 'terminated', '--json'], env);
    expect(JSON.parse(status.stdout).status).toBe('failed');
    const before = (await sweepRow('terminated')).doneCells;
    expect(before).toBeLessThan(800);
    const resumed = await runCli(['sweep', 'resume', 'terminated'], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('restarted');
    await waitForStatus('terminated', 'completed');
    await expectExactResults('terminated');
  }, 240_000);

  it('ends `sweep start --wait` (exit 1) when the workflow is terminated from outside', async () => {
    const waiting = runCli(['sweep', 'start', medium, '--id', 'terminated-wait', '--wait'], env);
    await waitForDone('terminated-wait', 150);
    await client.workflow
      .getHandle((await sweepRow('terminated-wait')).workflowId)
      .terminate('test: terminated while a client waits');
    const r = await waiting;
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/terminated-wait failed/);
    expect((await sweepRow('terminated-wait')).status).toBe('failed');
  }, 240_000);

  it('attaches a second simultaneous start of the same sweep to the first', async () => {
    const [a, b] = await Promise.all([
      runCli(['sweep', 'start', medium, '--id', 'twice', '--wait'], env),
      runCli(['sweep', 'start', medium, '--id', 'twice', '--wait'], env),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(a.stdout.trim()).toBe('twice');
    expect(b.stdout.trim()).toBe('twice');
    await expectExactResults('twice');
  }, 240_000);

  it('pauses, resumes and cancels', async () => {
    await startDetached('paused');
    await waitForDone('paused', 60);
    expect((await runCli(['sweep', 'pause', 'paused'], env)).code).toBe(0);
    await waitForStatus('paused', 'paused', 30_000);
    // Batches in flight finish (the workflow says none is left), then nothing more is scheduled.
    const workflow = client.workflow.getHandle((await sweepRow('paused')).workflowId);
    await waitUntil(
      async () => (await workflow.query(progressQuery)).inFlight === 0,
      60_000,
      'the batches in flight to finish',
    );
    const held = (await sweepRow('paused')).doneCells;
    await new Promise((r) => setTimeout(r, 2500));
    expect((await sweepRow('paused')).doneCells).toBe(held);
    expect(held).toBeLessThan(800);
    // The band map grows with the batches: every game whose 40 cells are stored has its row.
    const stored = await db.prisma.cellResult.groupBy({
      by: ['gameParam'],
      where: { sweepId: 'paused' },
      _count: { _all: true },
    });
    const partial = await db.prisma.bandMap.findMany({
      where: { sweepId: 'paused' },
      orderBy: { id: 'asc' },
    });
    expect(partial.map((m) => m.paramValue).sort((a, b) => a - b)).toEqual(
      stored
        .filter((g) => g._count._all === 40)
        .map((g) => g.gameParam!)
        .sort((a, b) => a - b),
    );
    expect(partial.length).toBeGreaterThan(0);
    expect((await runCli(['sweep', 'resume', 'paused'], env)).stdout).toContain('resumed');
    await waitForStatus('paused', 'completed');
    await expectExactResults('paused');
    // ... and its rows stay as they were folded; the last step adds the rest.
    const maps = await db.prisma.bandMap.findMany({ where: { sweepId: 'paused' }, orderBy: { id: 'asc' } });
    expect(maps).toHaveLength(20);
    expect(maps.slice(0, partial.length)).toEqual(partial);

    await startDetached('cancelled');
    await waitForDone('cancelled', 40);
    expect((await runCli(['sweep', 'cancel', 'cancelled'], env)).stdout).toContain('cancel requested');
    await waitForStatus('cancelled', 'cancelled', 60_000);
    const json = JSON.parse((await runCli(['sweep', 'status', 'cancelled', '--json'], env)).stdout);
    expect(json.status).toBe('cancelled');
    expect(json.doneCells).toBe(await db.prisma.cellResult.count({ where: { sweepId: 'cancelled' } }));
  }, 240_000);

  it('runs certify and step-size phases; Euler inside the certificate contracts as certified', async () => {
    const spec = join(projectRoot, 'test', 'fixtures', 'both.yaml');
    const r = await runCli(['sweep', 'start', spec, '--id', 'both', '--wait'], env);
    expect(r.code, r.stderr).toBe(0);
    const sweep = await sweepRow('both');
    expect(sweep).toMatchObject({ status: 'completed', totalCells: 30 + 6, doneCells: 36, failedCells: 0 });
    expect(await db.prisma.cellResult.count({ where: { sweepId: 'both' } })).toBe(30);
    const steps = await db.prisma.stepsizeResult.findMany({ where: { sweepId: 'both' } });
    expect(steps).toHaveLength(6 * 2 * 3);
    const certifiedEuler = steps.filter(
      (s) => s.integrator === 'euler' && (s.certifiedStep ?? 0) > 0 && s.multiplier <= 1,
    );
    expect(certifiedEuler.length).toBeGreaterThan(0);
    for (const s of certifiedEuler) {
      expect(s.convergedFraction).toBe(1);
      // The certificate's per-step factor bounds the observed one (tiny slack for the tail fit).
      expect(s.empiricalFactor!).toBeLessThanOrEqual(s.predictedFactor! + 1e-6);
    }
    // Past the exact stability threshold nothing converges.
    for (const s of steps.filter((x) => x.stableExact === false)) expect(s.convergedFraction).toBe(0);
  }, 240_000);

  it('sweeps a game written with 17 significant digits as given, bit for bit', async () => {
    // Workers compute every cell from the stored spec: rounded on the way in (Prisma rounds
    // the numbers of a Json value to 16 digits), it would be a slightly different game.
    const spec = join(projectRoot, 'test', 'fixtures', 'exact-digits.yaml');
    const r = await runCli(['sweep', 'start', spec, '--id', 'exact-digits', '--wait'], env);
    expect(r.code, r.stderr).toBe(0);
    const exact = resolveSpecFile(spec);
    expect(await checkStored(db.prisma, 'exact-digits', await referenceCells(exact))).toMatchObject({
      expected: 9,
      stored: 9,
      mismatches: 0,
      missing: 0,
      status: 'completed',
    });
    expect((await sweepRow('exact-digits')).spec).toEqual(JSON.parse(JSON.stringify(exact)));
  }, 120_000);

  it('exports results as JSON and CSV with filters, and the band map', async () => {
    const json = await runCli(
      ['sweep', 'results', 'one-worker', '--format', 'json', '--where', 'certified=true'],
      env,
    );
    const rows = JSON.parse(json.stdout) as {
      cellKey: string;
      certified: boolean;
      alpha: number;
      params: Record<string, number>;
    }[];
    expect(rows.length).toBe([...reference.values()].filter((r) => r.certified).length);
    expect(rows.every((r) => r.certified && r.alpha > 0 && typeof r.cellKey === 'string')).toBe(true);
    // A lambda with all 17 significant digits: the filter must match it exactly.
    const lambda = rows.map((r) => r.params.lambda).find((l) => String(l).length > 15)!;
    const csv = await runCli(
      ['sweep', 'results', 'one-worker', '--format', 'csv', '--where', `lambda=${lambda}`],
      env,
    );
    expect(csv.stdout.trim().split('\n')).toHaveLength(1 + 40);
    const out = join(tmpdir(), `${db.name}-band.json`);
    const band = await runCli(['sweep', 'band', 'one-worker', '--out', out], env);
    expect(band.code, band.stderr).toBe(0);
    const maps = JSON.parse(readFileSync(out, 'utf8')) as {
      paramValue: number;
      ratios: number[];
      alphas: number[];
      rMinus: number | null;
    }[];
    expect(maps).toHaveLength(20);
    expect(maps.every((m) => m.ratios.length === 40 && m.alphas.length === 40)).toBe(true);
    // Each band map row agrees with the stored certificates it came from.
    const someCell = [...reference.values()].find(
      (r) => r.params.lambda === maps[7].paramValue && r.ratio === maps[7].ratios[3],
    )!;
    expect(maps[7].alphas[3]).toBe(someCell.alpha);
    expect(maps[7].rMinus).toBe(someCell.bandMinus);
  });
});
