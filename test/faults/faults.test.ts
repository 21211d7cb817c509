/**
 * The fault-injection suite (`npm run test:faults`): real worker processes, a real Temporal dev
 * server and a PostgreSQL server this test owns (embedded, never the machine's shared one).
 * Each scenario injects a fault into a running sweep, then checks that every cell has exactly
 * one stored result equal, bit for bit, to the same cells computed in this process, and that
 * the sweep's status and counters are right. The suite ends by printing a table of what it did.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createPrisma, prepareDatabase, type PrismaClient } from '../../db/client.js';
import { resolveSpecFile } from '../../sweep/resolve.js';
import type { CellRow } from '../../sweep/compute.js';
import { defaultRng } from '../../sgn/random/generator.js';
import { startEmbeddedPostgres, type EmbeddedDatabaseService } from '../../scripts/demo/services.js';
import { startTemporalDevServer, type TemporalDevServer } from '../../local/temporal-dev-server.js';
import { runCli, startWorker, waitUntil, type WorkerProcess } from '../support/processes.js';
import { projectRoot } from '../support/reference.js';
import { checkStored, differingCertificates, referenceCells, type StoredCheck } from '../support/results.js';
import { ProgressMonitor } from './progress-monitor.js';
import { formatFaultTable, type FaultRow } from './fault-table.js';
import { POISON_ERROR } from '../../activities/fault-injection.js';

const SPEC = join(projectRoot, 'test', 'fixtures', 'faults.yaml');
const OTHER_SPEC = join(projectRoot, 'test', 'fixtures', 'faults-other.yaml');
const WORKERS = 3;
const SWEEP_TIMEOUT = 300_000;

let stateDir: string;
let postgres: EmbeddedDatabaseService;
let temporal: TemporalDevServer;
let prisma: PrismaClient;
let connection: Connection;
let client: Client;
let env: NodeJS.ProcessEnv;
let reference: Map<string, CellRow>;
let otherReference: Map<string, CellRow>;
const workers: WorkerProcess[] = [];
const table: FaultRow[] = [];
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function addWorker(): Promise<WorkerProcess> {
  const w = startWorker(env, 2);
  workers.push(w);
  await w.ready;
  return w;
}

function liveWorkers(): WorkerProcess[] {
  return workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
}

async function startDetached(id: string, spec = SPEC): Promise<void> {
  const r = await runCli(['sweep', 'start', spec, '--id', id], env);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout.trim()).toBe(id);
}

/** Status from the database; null while the database is unreachable. */
async function sweepStatus(id: string): Promise<string | null> {
  try {
    return (await prisma.sweep.findUnique({ where: { id } }))?.status ?? null;
  } catch {
    return null;
  }
}

async function waitForStatus(id: string, status: string): Promise<void> {
  await waitUntil(async () => (await sweepStatus(id)) === status, SWEEP_TIMEOUT, `${id} to be ${status}`);
}

/** Checks the stored results, records a table row, and asserts the sweep came out whole. */
async function settle(
  fault: string,
  id: string,
  injected: number,
  recoveries: readonly number[],
  startedAt: number,
  ref: ReadonlyMap<string, CellRow> = reference,
): Promise<StoredCheck> {
  await waitForStatus(id, 'completed');
  const check = await checkStored(prisma, id, ref);
  table.push({
    fault,
    injected,
    expected: check.expected,
    stored: check.stored,
    failed: check.failedCells,
    duplicates: check.duplicates,
    mismatches: check.mismatches + check.missing,
    countsRight: check.countsRight,
    recoverySeconds: recoveries.length ? Math.max(...recoveries) / 1000 : null,
    totalSeconds: (Date.now() - startedAt) / 1000,
  });
  expect(check).toMatchObject({ stored: check.expected, duplicates: 0, mismatches: 0, missing: 0 });
  expect(check.countsRight, JSON.stringify(check)).toBe(true);
  return check;
}

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'sgn-faults-'));
  [postgres, temporal] = await Promise.all([
    startEmbeddedPostgres(stateDir, () => undefined),
    startTemporalDevServer(),
  ]);
  await prepareDatabase(postgres.url);
  prisma = createPrisma(postgres.url);
  connection = await Connection.connect({ address: temporal.address });
  client = new Client({ connection });
  env = {
    DATABASE_URL: postgres.url,
    TEMPORAL_ADDRESS: temporal.address,
    SGN_TASK_QUEUE: `faults-${process.pid}`,
    // Continue-as-new every 10 batches: faults land in every part of a workflow's life.
    SGN_BATCHES_PER_RUN: '10',
  };
  reference = await referenceCells(resolveSpecFile(SPEC));
  otherReference = await referenceCells(resolveSpecFile(OTHER_SPEC));
  await Promise.all(Array.from({ length: WORKERS }, () => addWorker()));
}, 300_000);

afterAll(async () => {
  if (table.length) {
    const text = formatFaultTable(table);
    process.stdout.write(`\nFault-injection suite\n${text}\n`);
    if (process.env.SGN_FAULTS_TABLE) writeFileSync(process.env.SGN_FAULTS_TABLE, `${text}\n`);
  }
  await Promise.all(workers.map((w) => w.kill('SIGTERM')));
  await prisma?.$disconnect();
  await connection?.close();
  await temporal?.stop();
  await postgres?.stop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
}, 120_000);

describe('faults during a sweep', () => {
  it('survives worker processes SIGKILLed at random moments, repeatedly', async () => {
    const id = 'worker-kills';
    const started = Date.now();
    await startDetached(id);
    const monitor = new ProgressMonitor(prisma, id);
    await monitor.waitForStored(80, SWEEP_TIMEOUT);
    const random = defaultRng(2026);
    const killTimes: number[] = [];
    while (killTimes.length < 6 && (await sweepStatus(id)) === 'running') {
      await sleep(800 + 1200 * random.uniform());
      // Keep at least one worker polling: the others carry on while a victim dies.
      const live = liveWorkers();
      if (live.length < 2) {
        await Promise.all(live.map((w) => w.ready));
        continue;
      }
      const victim = live[Math.floor(random.uniform() * live.length)];
      await victim.kill('SIGKILL');
      killTimes.push(Date.now());
      workers.push(startWorker(env, 2));
    }
    const recoveries = await Promise.all(killTimes.map((t) => monitor.nextProgressAfter(t, SWEEP_TIMEOUT)));
    monitor.stop();
    const kills = killTimes.length;
    await settle('worker SIGKILL (random moments)', id, kills, recoveries, started);
    expect(kills).toBeGreaterThanOrEqual(5);
    await Promise.all(liveWorkers().map((w) => w.ready));
  }, 600_000);

  it('survives the Temporal server stopped and restarted with its on-disk state', async () => {
    const id = 'temporal-restart';
    const started = Date.now();
    await startDetached(id);
    const monitor = new ProgressMonitor(prisma, id);
    const recoveries: number[] = [];
    for (const [at, kill] of [
      [300, false],
      [800, true],
    ] as const) {
      await monitor.waitForStored(at, SWEEP_TIMEOUT);
      // Graceful stop first, then a crash (SIGKILL); both restart on the same port and state.
      await temporal.restart({ kill });
      recoveries.push(await monitor.nextProgressAfter(Date.now(), SWEEP_TIMEOUT));
    }
    monitor.stop();
    await settle('Temporal server restart (SIGTERM, SIGKILL)', id, 2, recoveries, started);
    for (const w of workers.slice(-WORKERS)) expect(w.child.exitCode, w.output()).toBeNull();
  }, 600_000);

  it('survives PostgreSQL stopped and restarted during a sweep', async () => {
    const id = 'postgres-restart';
    const started = Date.now();
    await startDetached(id);
    const monitor = new ProgressMonitor(prisma, id);
    const recoveries: number[] = [];
    for (const at of [300, 800]) {
      await monitor.waitForStored(at, SWEEP_TIMEOUT);
      await postgres.down();
      await sleep(5000);
      await postgres.up();
      recoveries.push(await monitor.nextProgressAfter(Date.now(), SWEEP_TIMEOUT));
    }
    monitor.stop();
    await settle('PostgreSQL stop + restart (5 s down)', id, 2, recoveries, started);
    for (const w of liveWorkers()) expect(w.child.exitCode).toBeNull();
    expect(liveWorkers().length).toBeGreaterThanOrEqual(WORKERS);
  }, 600_000);

  it('resumes a terminated workflow from the CLI', async () => {
    const id = 'terminated';
    const started = Date.now();
    await startDetached(id);
    const monitor = new ProgressMonitor(prisma, id);
    await monitor.waitForStored(400, SWEEP_TIMEOUT);
    const { workflowId } = await prisma.sweep.findUniqueOrThrow({
      where: { id },
      select: { workflowId: true },
    });
    await client.workflow.getHandle(workflowId).terminate('fault suite: operator mistake');
    const failed = await runCli(['sweep', 'status', id, '--json'], env);
    expect((JSON.parse(failed.stdout) as { status: string }).status).toBe('failed');
    const resumed = await runCli(['sweep', 'resume', id], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    const recovery = await monitor.nextProgressAfter(Date.now(), SWEEP_TIMEOUT);
    monitor.stop();
    await settle('workflow terminated, `sgn sweep resume`', id, 1, [recovery], started);
  }, 600_000);

  it('runs two different sweeps at once on the same workers', async () => {
    const started = Date.now();
    await Promise.all([startDetached('concurrent-a'), startDetached('concurrent-b', OTHER_SPEC)]);
    await Promise.all([
      waitForStatus('concurrent-a', 'completed'),
      waitForStatus('concurrent-b', 'completed'),
    ]);
    await settle('two sweeps at once (sweep A)', 'concurrent-a', 1, [], started);
    await settle('two sweeps at once (sweep B)', 'concurrent-b', 1, [], started, otherReference);
  }, 600_000);

  it('attaches the same sweep started twice at once', async () => {
    const id = 'started-twice';
    const started = Date.now();
    const [a, b] = await Promise.all([
      runCli(['sweep', 'start', SPEC, '--id', id, '--wait'], env),
      runCli(['sweep', 'start', SPEC, '--id', id, '--wait'], env),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(a.stdout.trim()).toBe(id);
    expect(b.stdout.trim()).toBe(id);
    await settle('same sweep started twice at once', id, 2, [], started);
  }, 600_000);
  // Faults inside cells: workers of their own (their own task queue) inject them (SGN_TEST_FAULTS).
  // A cell's own failure is its stored result; every other cell is stored once, equal to the
  // in-process computation (to 1e-9 where a replaced compute thread restarted the warm starts).
  it('stores poison cells (their computation throws) among healthy ones as failed and completes the sweep', async () => {
    const started = Date.now();
    await cellFaultScenario('poison-throw', '300:throw,1201:throw', {}, 1);
    await settleCellFaults('poison cells whose computation throws', 'poison-throw', 2, started, {
      300: POISON_ERROR,
      1201: POISON_ERROR,
    });
  }, 600_000);

  it('stores a poison cell (one that never ends) as timed out and completes the sweep', async () => {
    const started = Date.now();
    await cellFaultScenario('poison-hang', '700:hang', { cellTimeout: 3 }, 1);
    await settleCellFaults('poison cell that never ends (cell budget 3 s)', 'poison-hang', 1, started, {
      700: 'timeout after 3 s',
    });
  }, 600_000);

  it('stores a healthy cell that computes longer than the heartbeat timeout', async () => {
    const started = Date.now();
    await cellFaultScenario('slow-cell', '500:slow=25000', {}, 1);
    await settleCellFaults('slow cell (25 s, heartbeat timeout 20 s)', 'slow-cell', 1, started, {});
  }, 600_000);

  it('isolates a cell that kills its worker process, by splitting its batch', async () => {
    const started = Date.now();
    // Batches of 4: the poison cell is alone after two splits (4 -> 2 -> 1), six deaths.
    const deaths = await cellFaultScenario(
      'worker-killer',
      '900:kill',
      { heartbeatTimeout: 3, batchSize: 4 },
      2,
    );
    await settleCellFaults('cell that kills its worker (SIGKILL)', 'worker-killer', deaths, started, {
      900: 'worker died 2 times computing this cell',
    });
  }, 600_000);
});

/**
 * Runs the suite's spec (with these execution settings) on two workers of its own that inject
 * `faults`, restarted when they die; resolves, once the sweep has ended, to the workers' deaths.
 */
async function cellFaultScenario(
  id: string,
  faults: string,
  execution: Record<string, number>,
  maxWorkerDeaths: number,
): Promise<number> {
  const scenarioEnv = { ...env, SGN_TASK_QUEUE: `faults-${id}-${process.pid}`, SGN_TEST_FAULTS: faults };
  const spec = join(stateDir, `${id}.yaml`);
  const settings = { batchSize: 20, concurrency: 4, maxWorkerDeaths, ...execution };
  const text = readFileSync(SPEC, 'utf8').replace(
    /execution:[\s\S]*$/,
    `execution:\n${Object.entries(settings)
      .map(([k, v]) => `  ${k}: ${v}\n`)
      .join('')}`,
  );
  writeFileSync(spec, text);
  let deaths = 0;
  let done = false;
  const own: WorkerProcess[] = [];
  const keep = (): void => {
    if (done) return;
    const w = startWorker(scenarioEnv, 2);
    own.push(w);
    workers.push(w);
    w.child.once('exit', () => {
      if (done) return;
      deaths++;
      keep();
    });
  };
  keep();
  keep();
  try {
    const r = await runCli(['sweep', 'start', spec, '--id', id], scenarioEnv);
    expect(r.code, r.stderr).toBe(0);
    await waitUntil(
      async () => !['running', null].includes(await sweepStatus(id)),
      SWEEP_TIMEOUT,
      `${id} to end`,
    );
  } finally {
    done = true;
    await Promise.all(own.map((w) => w.kill('SIGTERM')));
  }
  return deaths;
}

/** The table row and checks of a cell-fault scenario: `failures` are the cells expected to fail. */
async function settleCellFaults(
  fault: string,
  id: string,
  injected: number,
  startedAt: number,
  failures: Readonly<Record<number, string>>,
): Promise<void> {
  const rows = await prisma.cellResult.findMany({ where: { sweepId: id } });
  const sweep = await prisma.sweep.findUniqueOrThrow({ where: { id } });
  const failedRows = rows.filter((r) => failures[r.cellIndex] !== undefined);
  const mismatches =
    failedRows.filter((r) => r.error !== failures[r.cellIndex]).length +
    differingCertificates(rows, [...reference.values()], Object.keys(failures).map(Number)).length;
  const expected = reference.size;
  const keys = new Set(rows.map((r) => r.cellKey));
  const failed = Object.keys(failures).length;
  const countsRight =
    sweep.status === 'completed' &&
    sweep.doneCells === expected &&
    sweep.failedCells === failed &&
    rows.length === expected;
  table.push({
    fault,
    injected,
    expected,
    stored: rows.length,
    failed: sweep.failedCells,
    duplicates: rows.length - keys.size,
    mismatches: mismatches + (expected - keys.size),
    countsRight,
    recoverySeconds: null,
    totalSeconds: (Date.now() - startedAt) / 1000,
  });
  expect({ mismatches, stored: rows.length, keys: keys.size }).toEqual({
    mismatches: 0,
    stored: expected,
    keys: expected,
  });
  expect(countsRight, JSON.stringify(sweep)).toBe(true);
}
