/**
 * Databases sharing one Temporal server, lifecycle commands on finished sweeps, read-only
 * commands against a missing database, and settings errors, against a real Temporal dev server,
 * real PostgreSQL databases and real worker processes (issue 17):
 * - two databases holding a sweep of the same id, one worker each, no SGN_TASK_QUEUE: both
 *   complete with their own cells (workflow ids and the default task queue are the database's);
 * - cancel / pause / resume of a completed sweep: exit 2, one line, row and workflow unchanged;
 * - sweep list/status/results/band and report against a missing database create nothing; sweep
 *   start and worker set a new database up and say so (an empty one too), not with
 *   SGN_AUTO_MIGRATE=0; a database behind the migrations is left to `sgn migrate`;
 * - DATABASE_URL=notaurl / mysql://: exit 2, one line; a worker with Temporal unreachable: exit 3.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropDatabase, formatDatabaseUrl, parseDatabaseUrl, quoteIdent } from '../db/client.js';
import { resolveSpecFile } from '../sweep/resolve.js';
import { guardedActivities } from '../workers/worker.js';
import type { SweepActivities } from '../contracts/activities.js';
import { bareSweep, createTestDatabase, testServerUrl, type TestDatabase } from './support/database.js';
import { runCli, startWorker, type CliResult, type WorkerProcess } from './support/processes.js';
import { projectRoot } from './support/reference.js';
import { checkStored, referenceCells } from './support/results.js';
import { runSgnInProcess } from './support/sgn-in-process.js';
import { startTemporalDevServer, type TemporalDevServer } from '../local/temporal-dev-server.js';

const SPEC = join(projectRoot, 'examples', 'small.yaml');
const ID = 'same-id';

let temporal: TemporalDevServer;
let a: TestDatabase;
let b: TestDatabase;
let envA: NodeJS.ProcessEnv;
let envB: NodeJS.ProcessEnv;
const workers: WorkerProcess[] = [];
let connection: Connection;
let client: Client;
const tmp = mkdtempSync(join(tmpdir(), 'sgn-lifecycle-'));

/** A database name on the test server that does not exist (checked) and a URL for it. */
async function missingDatabase(label: string): Promise<{ name: string; url: string }> {
  const name = `sgn_test_missing_${label}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  expect(await databaseExists(name)).toBe(false);
  return { name, url: formatDatabaseUrl({ ...parseDatabaseUrl(testServerUrl()), database: name }) };
}

async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ ...parseDatabaseUrl(testServerUrl()), database: 'postgres' });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const databaseExists = (name: string): Promise<boolean> =>
  withAdmin(
    async (c) => ((await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount ?? 0) > 0,
  );

/** One line on stderr, nothing on stdout, no stack trace; returns the line. */
function oneLine(r: CliResult, code: number, what: string): string {
  const shown = `${what}\nexit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
  expect(r.code, shown).toBe(code);
  expect(r.stdout, shown).toBe('');
  expect(r.stderr.endsWith('\n'), shown).toBe(true);
  const line = r.stderr.slice(0, -1);
  expect(line, `one line: ${shown}`).not.toContain('\n');
  expect(line, `no stack trace: ${shown}`).not.toMatch(/\bat .*:\d+:\d+|Error:/);
  return line;
}

beforeAll(async () => {
  // The default task queue is under test: no SGN_TASK_QUEUE from the caller's environment.
  delete process.env.SGN_TASK_QUEUE;
  [temporal, a, b] = await Promise.all([
    startTemporalDevServer(),
    createTestDatabase({ label: 'life_a' }),
    createTestDatabase({ label: 'life_b' }),
  ]);
  envA = { DATABASE_URL: a.url, TEMPORAL_ADDRESS: temporal.address };
  envB = { DATABASE_URL: b.url, TEMPORAL_ADDRESS: temporal.address };
  connection = await Connection.connect({ address: temporal.address });
  client = new Client({ connection });
}, 240_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill('SIGTERM')));
  await connection?.close();
  await temporal?.stop();
  await Promise.all([a?.drop(), b?.drop()]);
  rmSync(tmp, { recursive: true, force: true });
}, 60_000);

describe('two databases on one Temporal server', () => {
  it('run sweeps of the same id side by side, each worker on its own database, each with its own cells', async () => {
    const wa = startWorker(envA, 2);
    const wb = startWorker(envB, 2);
    workers.push(wa, wb);
    await Promise.all([wa.ready, wb.ready]);
    // Each worker polls its database's own queue.
    const queue = (w: WorkerProcess): string => / polling (\S+) /.exec(w.output())![1];
    expect(queue(wa)).toMatch(/^sgn-sweeps-[0-9a-f]{12}$/);
    expect(queue(wb)).toMatch(/^sgn-sweeps-[0-9a-f]{12}$/);
    expect(queue(wa)).not.toBe(queue(wb));

    const [ra, rb] = await Promise.all([
      runCli(['sweep', 'start', SPEC, '--id', ID, '--wait'], envA),
      runCli(['sweep', 'start', SPEC, '--id', ID, '--wait'], envB),
    ]);
    expect(ra.code, ra.stderr).toBe(0);
    expect(rb.code, rb.stderr).toBe(0);
    const resolved = resolveSpecFile(SPEC);
    const reference = await referenceCells(resolved);
    for (const db of [a, b]) {
      expect(await checkStored(db.prisma, ID, reference)).toMatchObject({
        expected: resolved.totalCells,
        stored: resolved.totalCells,
        duplicates: 0,
        mismatches: 0,
        missing: 0,
        status: 'completed',
        doneCells: resolved.totalCells,
      });
    }
    // Each database's cells were computed by its own worker only.
    const computedBy = async (db: TestDatabase): Promise<string[]> =>
      (
        await db.prisma.cellResult.findMany({
          where: { sweepId: ID },
          distinct: ['computedBy'],
          select: { computedBy: true },
        })
      ).map((r) => r.computedBy ?? '');
    expect(await computedBy(a)).toEqual([expect.stringMatching(new RegExp(`:${wa.pid}$`))]);
    expect(await computedBy(b)).toEqual([expect.stringMatching(new RegExp(`:${wb.pid}$`))]);
    // Two workflows, each under its database's stored id.
    const rowA = await a.prisma.sweep.findUniqueOrThrow({ where: { id: ID } });
    const rowB = await b.prisma.sweep.findUniqueOrThrow({ where: { id: ID } });
    expect(rowA.workflowId).toMatch(new RegExp(`^sgn-sweep-${ID}-[0-9a-f]{10}$`));
    expect(rowB.workflowId).toMatch(new RegExp(`^sgn-sweep-${ID}-[0-9a-f]{10}$`));
    expect(rowA.workflowId).not.toBe(rowB.workflowId);
    for (const [row, w] of [
      [rowA, wa],
      [rowB, wb],
    ] as const) {
      const d = await client.workflow.getHandle(row.workflowId).describe();
      expect(d.status.name).toBe('COMPLETED');
      expect(d.taskQueue).toBe(queue(w));
    }
    // Started again in its database, a sweep attaches to its own (completed) workflow's row.
    const again = await runCli(['sweep', 'start', SPEC, '--id', ID], envB);
    expect(again.code, again.stderr).toBe(0);
    expect((await b.prisma.sweep.findUniqueOrThrow({ where: { id: ID } })).workflowId).toBe(rowB.workflowId);
    await waitForRow(b, ID, 'completed');
  }, 300_000);

  it("a worker refuses an activity whose workflow is not its database's workflow of that sweep", async () => {
    const calls: string[] = [];
    const inner: SweepActivities = {
      loadPlan: async (id) => {
        calls.push(`loadPlan ${id}`);
        return { concurrency: 1, batchesPerRun: 1, phases: [] };
      },
      runBatch: async (input) => {
        calls.push(`runBatch ${input.sweepId}`);
        return { inserted: 0, alreadyStored: 0, failed: 0 };
      },
      recordFailedCells: async (input) => {
        calls.push(`recordFailedCells ${input.sweepId}`);
        return { inserted: 0, alreadyStored: 0, failed: 0 };
      },
      aggregateBands: async () => 0,
      setSweepStatus: async () => undefined,
    };
    const guarded = guardedActivities(inner, a.prisma, 'shared-queue');
    const { workflowId } = await a.prisma.sweep.findUniqueOrThrow({ where: { id: ID } });
    const { workflowId: other } = await b.prisma.sweep.findUniqueOrThrow({ where: { id: ID } });
    const env = (wf: string): MockActivityEnvironment =>
      new MockActivityEnvironment({ workflowExecution: { workflowId: wf, runId: 'r' } });
    await env(workflowId).run(guarded.loadPlan, ID);
    await expect(env(other).run(guarded.loadPlan, ID)).rejects.toThrow(/shared-queue/);
    await expect(
      env(other).run(guarded.runBatch, { sweepId: ID, kind: 'certify' as const, start: 0, end: 1 }),
    ).rejects.toThrow(/not the workflow of sweep/);
    expect(calls).toEqual([`loadPlan ${ID}`]);
  });
});

async function waitForRow(db: TestDatabase, id: string, status: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await db.prisma.sweep.findUniqueOrThrow({ where: { id } })).status !== status) {
    if (Date.now() > deadline) throw new Error(`${id} not ${status} after 60 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('lifecycle commands on finished sweeps', () => {
  it('cancel, pause and resume of a completed sweep are refused: exit 2, one line, row and workflow unchanged', async () => {
    const before = await a.prisma.sweep.findUniqueOrThrow({ where: { id: ID } });
    expect(before.status).toBe('completed');
    const runs = async (): Promise<string[]> => {
      const ids: string[] = [];
      for await (const wf of client.workflow.list({ query: `WorkflowId = '${before.workflowId}'` }))
        ids.push(`${wf.runId} ${wf.status.name} ${wf.historyLength}`);
      return ids.sort();
    };
    const runsBefore = await runs();
    const says = {
      cancel: `sgn sweep: sweep cancel: sweep ${ID} is completed (all 144 cells stored); nothing to cancel`,
      pause: `sgn sweep: sweep pause: sweep ${ID} is completed (all 144 cells stored); nothing to pause`,
      resume: `sgn sweep: sweep resume: sweep ${ID} is completed (all 144 cells stored); nothing to resume`,
    };
    for (const [command, line] of Object.entries(says)) {
      const r = await runCli(['sweep', command, ID], envA);
      expect(oneLine(r, 2, `sweep ${command}`)).toBe(line);
    }
    expect(await a.prisma.sweep.findUniqueOrThrow({ where: { id: ID } })).toEqual(before);
    expect(await runs()).toEqual(runsBefore);
  }, 120_000);

  it('resume of a completed sweep with failed cells names --retry-failed', async () => {
    await a.prisma.sweep.create({
      data: {
        ...bareSweep('with-failures', 10, 'completed'),
        doneCells: 10,
        failedCells: 3,
        workflowId: 'sgn-sweep-with-failures-0123456789',
      },
    });
    const before = await a.prisma.sweep.findUniqueOrThrow({ where: { id: 'with-failures' } });
    const r = await runSgnInProcess(['sweep', 'resume', 'with-failures'], envA);
    expect(oneLine(r, 2, 'resume')).toBe(
      'sgn sweep: sweep resume: sweep with-failures is completed (3 failed cells); retry them with: sgn sweep resume with-failures --retry-failed',
    );
    expect(await a.prisma.sweep.findUniqueOrThrow({ where: { id: 'with-failures' } })).toEqual(before);
  });

  it('cancel of a cancelled sweep is refused; pause of a sweep whose workflow is not running is one line, exit 2', async () => {
    await a.prisma.sweep.create({
      data: {
        ...bareSweep('was-cancelled', 10, 'cancelled'),
        workflowId: 'sgn-sweep-was-cancelled-0123456789',
      },
    });
    await a.prisma.sweep.create({
      data: { ...bareSweep('no-workflow', 10, 'running'), workflowId: 'sgn-sweep-no-workflow-0123456789' },
    });
    const rows = async () =>
      a.prisma.sweep.findMany({
        where: { id: { in: ['was-cancelled', 'no-workflow'] } },
        orderBy: { id: 'asc' },
      });
    const before = await rows();
    expect(oneLine(await runSgnInProcess(['sweep', 'cancel', 'was-cancelled'], envA), 2, 'cancel')).toBe(
      'sgn sweep: sweep cancel: sweep was-cancelled is already cancelled; nothing to cancel',
    );
    expect(oneLine(await runSgnInProcess(['sweep', 'pause', 'was-cancelled'], envA), 2, 'pause')).toContain(
      'sweep was-cancelled is cancelled; nothing to pause',
    );
    expect(oneLine(await runCli(['sweep', 'pause', 'no-workflow'], envA), 2, 'pause')).toBe(
      'sgn sweep: sweep pause: sweep no-workflow has no running workflow (running in the database); continue it with: sgn sweep resume no-workflow',
    );
    expect(await rows()).toEqual(before);
  }, 60_000);
});

describe('read-only commands never create a database', () => {
  it('sweep list/status/results/band and report against a missing database: one line naming DATABASE_URL, exit 2, nothing created', async () => {
    const { name, url } = await missingDatabase('ro');
    const commands = [
      ['sweep', 'list'],
      ['sweep', 'status', 'x', '--json'],
      ['sweep', 'results', 'x'],
      ['sweep', 'band', 'x', '--out', join(tmp, 'band.csv')],
      ['report', 'x', '--out', join(tmp, 'report')],
    ];
    for (const argv of commands) {
      const r = await runSgnInProcess(argv, { DATABASE_URL: url, TEMPORAL_ADDRESS: temporal.address });
      const line = oneLine(r, 2, argv.join(' '));
      expect(line).toBe(
        `sgn ${argv[0]}: DATABASE_URL: database "${name}" at ${parseDatabaseUrl(url).host}:${parseDatabaseUrl(url).port} does not exist (nothing was created: check the name, or set it up with \`sgn migrate\`)`,
      );
      expect(await databaseExists(name), argv.join(' ')).toBe(false);
    }
    // The same from a real process.
    oneLine(await runCli(['sweep', 'list'], { DATABASE_URL: url }), 2, 'sweep list (process)');
    expect(await databaseExists(name)).toBe(false);
  }, 120_000);

  it('a database without sgn tables is refused by sweep list, and left without them', async () => {
    const { name, url } = await missingDatabase('empty');
    await withAdmin((c) => c.query(`CREATE DATABASE ${quoteIdent(name)}`));
    try {
      const line = oneLine(await runSgnInProcess(['sweep', 'list'], { DATABASE_URL: url }), 2, 'sweep list');
      expect(line).toContain(`DATABASE_URL: database "${name}"`);
      expect(line).toContain('holds no sgn tables');
      const c = new pg.Client(parseDatabaseUrl(url));
      await c.connect();
      try {
        const tables = await c.query("SELECT 1 FROM pg_tables WHERE schemaname = 'public'");
        expect(tables.rowCount).toBe(0);
      } finally {
        await c.end();
      }
    } finally {
      await dropDatabase(url);
    }
  });

  it('with SGN_AUTO_MIGRATE=0, sweep start and worker leave a missing database to sgn migrate: one line, exit 2, nothing created', async () => {
    const { name, url } = await missingDatabase('nomigrate');
    for (const argv of [['sweep', 'start', SPEC, '--id', 'created'], ['worker']]) {
      const r = await runSgnInProcess(argv, {
        DATABASE_URL: url,
        TEMPORAL_ADDRESS: temporal.address,
        SGN_AUTO_MIGRATE: '0',
      });
      expect(oneLine(r, 2, argv.join(' '))).toBe(
        `sgn ${argv[0]}: DATABASE_URL: database "${name}" at ${parseDatabaseUrl(url).host}:${parseDatabaseUrl(url).port} does not exist (nothing was created: check the name, or set it up with \`sgn migrate\`)`,
      );
      expect(await databaseExists(name), argv.join(' ')).toBe(false);
    }
  }, 60_000);

  it('sweep start creates and migrates a missing database by default, and says so on stderr the first time', async () => {
    const { name, url } = await missingDatabase('start');
    try {
      const r = await runCli(['sweep', 'start', SPEC, '--id', 'created'], {
        DATABASE_URL: url,
        TEMPORAL_ADDRESS: temporal.address,
        SGN_AUTO_MIGRATE: undefined,
      });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe('created');
      const cfg = parseDatabaseUrl(url);
      expect(r.stderr).toMatch(
        new RegExp(
          `^created database "${name}" at ${cfg.host.replace(/\./g, '\\.')}:${cfg.port} and applied \\d+ migrations\\n$`,
        ),
      );
      expect(await databaseExists(name)).toBe(true);
      // The second time there is nothing to say.
      const list = await runSgnInProcess(['sweep', 'list', '--json'], {
        DATABASE_URL: url,
        SGN_AUTO_MIGRATE: undefined,
      });
      expect(list.stderr).toBe('');
      expect((JSON.parse(list.stdout) as { id: string }[]).map((s) => s.id)).toEqual(['created']);
    } finally {
      await dropDatabase(url);
    }
  }, 120_000);

  it('a worker sets up an empty database (no tables) by default and says so; one behind the migrations is refused', async () => {
    const { name, url } = await missingDatabase('worker');
    await withAdmin((c) => c.query(`CREATE DATABASE ${quoteIdent(name)}`));
    try {
      const env = {
        DATABASE_URL: url,
        TEMPORAL_ADDRESS: temporal.address,
        SGN_TASK_QUEUE: `setup-${process.pid}`,
        SGN_AUTO_MIGRATE: undefined,
      };
      const w = startWorker(env, 1);
      try {
        await w.ready;
        expect(w.output()).toMatch(
          new RegExp(`applied \\d+ migrations to database "${name}" at \\S+ \\(it had no sgn tables\\)`),
        );
      } finally {
        await w.kill('SIGTERM');
      }
      // The newest migration forgotten: the database is behind, and only `sgn migrate` upgrades it.
      const c = new pg.Client(parseDatabaseUrl(url));
      await c.connect();
      try {
        await c.query(
          'DELETE FROM _prisma_migrations WHERE migration_name = (SELECT max(migration_name) FROM _prisma_migrations)',
        );
      } finally {
        await c.end();
      }
      const behind = await runSgnInProcess(['sweep', 'start', SPEC, '--id', 'late'], env);
      expect(oneLine(behind, 2, 'sweep start on a database behind')).toMatch(
        /^sgn sweep: DATABASE_URL: database schema is behind: run `sgn migrate` \(database .* lacks 1 of \d+ migrations, the newest .*\)$/,
      );
    } finally {
      await dropDatabase(url);
    }
  }, 120_000);
});

describe('settings errors are one line', () => {
  for (const [url, says] of [
    [
      'notaurl',
      'DATABASE_URL: "notaurl" is not a valid PostgreSQL URL (cannot be parsed); it must be a postgresql:// URL',
    ],
    [
      'mysql://u:secret-pw@127.0.0.1/db',
      'DATABASE_URL: "mysql://u:***@127.0.0.1/db" is not a valid PostgreSQL URL (scheme mysql://, not postgresql://); it must be a postgresql:// URL',
    ],
  ] as const) {
    it(`DATABASE_URL=${url}: exit 2 for sweep list, sweep start and worker`, async () => {
      for (const argv of [['sweep', 'list'], ['sweep', 'start', SPEC], ['worker']]) {
        const r = await runSgnInProcess(argv, { DATABASE_URL: url, TEMPORAL_ADDRESS: temporal.address });
        const line = oneLine(r, 2, argv.join(' '));
        expect(line.startsWith(`sgn ${argv[0]}: ${says}`), line).toBe(true);
        expect(line).not.toContain('secret-pw');
      }
      oneLine(await runCli(['sweep', 'list'], { DATABASE_URL: url }), 2, 'sweep list (process)');
    }, 60_000);
  }

  it('sgn worker with Temporal unreachable: exit 3, one line naming TEMPORAL_ADDRESS, within seconds', async () => {
    const t0 = Date.now();
    const r = await runCli(['worker'], { ...envA, TEMPORAL_ADDRESS: '127.0.0.1:1' });
    const seconds = (Date.now() - t0) / 1000;
    expect(oneLine(r, 3, 'worker')).toMatch(
      /^sgn worker: cannot reach Temporal at 127\.0\.0\.1:1 \(TEMPORAL_ADDRESS\): .*ECONNREFUSED/,
    );
    // Process start-up included, on a shared 2-core machine.
    expect(seconds).toBeLessThan(15);
  }, 60_000);
});
