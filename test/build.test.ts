/**
 * The compiled CLI (`npm run build`: tsc -p tsconfig.build.json), as the Docker image runs it:
 * `node --single-threaded-gc <out>/cli/sgn.js ...` with plain node, tsx made unimportable (a module
 * hook that fails any import of it, in every thread). Compiled into .tmp/build-test (not dist/,
 * which is the user's). Certify prints what the sources print; `migrate` sets up a fresh database;
 * a compiled worker runs a certify + step-size sweep to the end against a real Temporal dev
 * server: its compute thread and its workflow bundle come from the compiled code.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testServerUrl, type TestDatabase } from './support/database.js';
import { runCli, waitUntil, type CliResult } from './support/processes.js';
import { projectRoot } from './support/reference.js';
import { startTemporalDevServer, type TemporalDevServer } from '../local/temporal-dev-server.js';
import { withDatabase, dropDatabase } from '../db/client.js';
import { NODE_FLAGS } from '../workers/node-flags.js';

const run = promisify(execFile);
const OUT = join(projectRoot, '.tmp', 'build-test');
const SGN = join(OUT, 'cli', 'sgn.js');

/** Fails every import of tsx (in this process and its worker threads, which inherit --import). */
const NO_TSX =
  'data:text/javascript,' +
  encodeURIComponent(
    `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(
  'export async function resolve(s, c, next) {' +
  ' if (s === "tsx" || s.startsWith("tsx/")) throw new Error("tsx imported by compiled code: " + s);' +
  ' return next(s, c); }'));`,
  );

function compiled(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...NODE_FLAGS, '--import', NO_TSX, SGN, ...args], {
      cwd: projectRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  rmSync(OUT, { recursive: true, force: true });
  const tsc = join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  await run(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', OUT], {
    cwd: projectRoot,
    maxBuffer: 16 * 1024 * 1024,
  });
}, 300_000);

afterAll(() => rmSync(OUT, { recursive: true, force: true }));

describe('npm run build', () => {
  it('compiles the CLI, the worker and what they load, without the tests or the TypeScript-only boot file', () => {
    for (const f of [
      'cli/sgn.js',
      'workers/worker.js',
      'workflows/index.js',
      'activities/compute-thread-entry.js',
    ])
      expect(existsSync(join(OUT, f)), f).toBe(true);
    expect(existsSync(join(OUT, 'activities', 'compute-thread-boot.mjs'))).toBe(false);
    const all = readdirSync(OUT, { recursive: true }).map(String);
    expect(all.filter((f) => f.endsWith('.test.js'))).toEqual([]);
  });

  it('the compiled certify prints what the sources print', async () => {
    const args = ['certify', 'examples/games/lq64.json', '--json'];
    const [fromDist, fromSources] = await Promise.all([compiled(args, {}), runCli(args, {})]);
    expect(fromDist.stderr).toBe('');
    expect(fromDist.code).toBe(0);
    expect(JSON.parse(fromDist.stdout)).toEqual(JSON.parse(fromSources.stdout));
  });

  it('the compiled `sgn migrate` creates and migrates a database, then finds it up to date; bad input is one line', async () => {
    const url = withDatabase(testServerUrl(), `sgn_test_build_${process.pid}_${Date.now().toString(36)}`);
    try {
      const first = await compiled(['migrate'], { DATABASE_URL: url });
      expect(first.code, first.stderr).toBe(0);
      expect(first.stderr).toBe('');
      expect(first.stdout).toMatch(/^created database "sgn_test_build_\w+".*\napplied \d+ migrations to /);
      const second = await compiled(['migrate'], { DATABASE_URL: url });
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toMatch(/is up to date \(\d+ migrations, the newest /);
      const bad = await compiled(['migrate'], { DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/x' });
      expect(bad.code).toBe(3);
      expect(bad.stderr).toMatch(/^sgn migrate: cannot reach PostgreSQL at .*\(DATABASE_URL\)[^\n]*\n$/);
    } finally {
      await dropDatabase(url).catch(() => undefined);
    }
  }, 120_000);

  describe('a compiled worker against a Temporal dev server', () => {
    let db: TestDatabase;
    let temporal: TemporalDevServer;

    beforeAll(async () => {
      [db, temporal] = await Promise.all([createTestDatabase({ label: 'build' }), startTemporalDevServer()]);
    }, 120_000);

    afterAll(async () => {
      await temporal?.stop();
      await db?.drop();
    });

    it('runs a certify + step-size sweep to the end: compute thread and workflow bundle from compiled code', async () => {
      const env = {
        DATABASE_URL: db.url,
        TEMPORAL_ADDRESS: temporal.address,
        SGN_TASK_QUEUE: `build-${process.pid}`,
      };
      const worker = spawn(
        process.execPath,
        [...NODE_FLAGS, '--import', NO_TSX, SGN, 'worker', '--concurrency', '2'],
        {
          cwd: projectRoot,
          env: { ...process.env, ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      worker.stdout.on('data', (d: Buffer) => (out += d.toString()));
      worker.stderr.on('data', (d: Buffer) => (out += d.toString()));
      try {
        await waitUntil(
          async () => out.includes(' polling '),
          90_000,
          `the compiled worker to poll:\n${out}`,
        );
        const r = await compiled(
          ['sweep', 'start', 'test/fixtures/both.yaml', '--id', 'build-both', '--wait'],
          env,
        );
        expect(r.code, `${r.stderr}\nworker:\n${out.slice(-3000)}`).toBe(0);
        const sweep = await db.prisma.sweep.findUniqueOrThrow({ where: { id: 'build-both' } });
        expect(sweep).toMatchObject({ status: 'completed', failedCells: 0 });
        expect(sweep.doneCells).toBe(sweep.totalCells);
        // both.yaml: 6 lambdas x 5 ratios certified, then 6 games x 2 integrators x 3 multipliers.
        expect(await db.prisma.cellResult.count({ where: { sweepId: 'build-both', error: null } })).toBe(30);
        expect(await db.prisma.stepsizeResult.count({ where: { sweepId: 'build-both', error: null } })).toBe(
          36,
        );
      } finally {
        const exited = new Promise<number | null>((r) => worker.once('exit', (code) => r(code)));
        worker.kill('SIGTERM');
        expect(await exited).toBe(0);
      }
      expect(out).not.toMatch(/tsx imported/);
    }, 240_000);
  });
});
