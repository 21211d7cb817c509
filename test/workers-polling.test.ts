/**
 * `sweep status` / `list` name the workers polling the sweep's task queue (Temporal's
 * task-queue description), against a real Temporal dev server, a real database and a real
 * worker process (issue 21, point 5): with none, a running sweep warns instead of showing a
 * rate of 0; with one, status lists its identity (pid@host) and list counts it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { startWorker, waitUntil, type WorkerProcess } from './support/processes.js';
import { runSgnInProcess } from './support/sgn-in-process.js';
import { startTemporalDevServer, type TemporalDevServer } from '../local/temporal-dev-server.js';

let temporal: TemporalDevServer;
let db: TestDatabase;
let env: Record<string, string>;
let worker: WorkerProcess | undefined;
const tmp = mkdtempSync(join(tmpdir(), 'sgn-pollers-'));
const spec = join(tmp, 'spec.yaml');
const ID = 'polled';

beforeAll(async () => {
  delete process.env.SGN_TASK_QUEUE;
  [temporal, db] = await Promise.all([startTemporalDevServer(), createTestDatabase({ label: 'pollers' })]);
  env = { DATABASE_URL: db.url, TEMPORAL_ADDRESS: temporal.address };
  // Enough cells (60 x 60) that a paused sweep is still paused when the worker comes.
  writeFileSync(
    spec,
    [
      'kind: certify',
      'game: {family: quadratic, generator: random, dims: [4, 4], mu0: 1, coupling: 1, seed: 7, lambda: {linspace: [0, 1.1, 60]}}',
      'weights: {ratio: {geomspace: [0.01, 100, 60]}}',
    ].join('\n'),
  );
}, 120_000);

afterAll(async () => {
  await worker?.kill('SIGTERM');
  await temporal?.stop();
  await db?.drop();
  rmSync(tmp, { recursive: true, force: true });
}, 60_000);

const sgn = async (...argv: string[]): Promise<string> => {
  const r = await runSgnInProcess(argv, env);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
};

it('status and list show the polling workers, and warn while none is', async () => {
  expect((await sgn('sweep', 'start', spec, '--id', ID)).trim()).toBe(ID);
  const idle = JSON.parse(await sgn('sweep', 'status', ID, '--json'));
  expect(idle).toMatchObject({ status: 'running', workers: [] });
  expect(idle.taskQueue).toMatch(/^sgn-sweeps-[0-9a-f]{12}$/);
  const text = await sgn('sweep', 'status', ID);
  expect(text).toContain(
    `warning: no worker is polling task queue ${idle.taskQueue}: start one with \`sgn worker\``,
  );
  expect(text).not.toContain('cells/s');
  const list = await sgn('sweep', 'list');
  // status and list: one header, and the sweep's row in the same columns.
  expect(list.split('\n')[0]).toBe(text.split('\n')[0]);
  expect(list.split('\n')[2]).toBe(text.split('\n')[2]);
  expect(list.split('\n')[0].split(/\s+/)).toEqual([
    'id',
    'status',
    'done',
    'failed',
    'total',
    'workers',
    'kind',
    'created',
    'name',
  ]);
  expect(list.split('\n')[2].split(/\s+/)[5]).toBe('0');

  // Paused before any worker saw it: the workflow waits, and its queue is polled.
  await sgn('sweep', 'pause', ID);
  worker = startWorker(env, 1);
  await worker.ready;
  const identity = `${worker.pid}@${hostname()}`;
  let polled: { status: string; workers: { identity: string; lastSeen: string | null }[] } | undefined;
  await waitUntil(
    async () => {
      polled = JSON.parse(await sgn('sweep', 'status', ID, '--json'));
      return polled!.workers.some((w) => w.identity === identity);
    },
    20_000,
    `worker ${identity} among the pollers`,
  );
  expect(polled!.status).toMatch(/^(running|paused)$/);
  const seen = Date.parse(polled!.workers.find((w) => w.identity === identity)!.lastSeen ?? '');
  expect(Math.abs(Date.now() - seen)).toBeLessThan(120_000);
  const text2 = await sgn('sweep', 'status', ID);
  expect(text2).toContain(`workers: 1 polling (${identity})`);
  expect(text2).not.toContain('warning');
  const row = (await sgn('sweep', 'list')).split('\n')[2].split(/\s+/);
  expect(row[0]).toBe(ID);
  expect(row[1]).toMatch(/^(running|paused)$/);
  expect(row[5]).toBe('1');
  await sgn('sweep', 'cancel', ID);
}, 90_000);
