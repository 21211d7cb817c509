/**
 * `npm run test:fresh`: the README's two commands on a bare machine. A fresh copy of this checkout
 * (its tracked and new files, as `git clone` of a commit would give them, plus uncommitted
 * changes) in a new temporary folder (mode 0700: as root, a folder the `postgres` user cannot
 * enter, like a container's /root/app), with no service configured: PATH without any `temporal`,
 * no TEMPORAL_CLI_PATH / DATABASE_URL / TEMPORAL_ADDRESS, and TEST_DATABASE_URL at a port where
 * nothing listens. Then, as a new user would:
 *
 *   npm install && npm run demo     (the demo at --small size: SGN_DEMO_SCALE=small)
 *   npm test                        (SGN_FRESH_TESTS: which test files; default test/infra.test.ts,
 *                                    which needs PostgreSQL and Temporal; `all` for the whole suite)
 *
 * Both must succeed, saying on stderr what they started, and leave no server running. The local
 * npm cache is reused (prefer-offline) so that the install does not download what it has; the
 * Temporal CLI is obtained afresh into the copy's own cache, as a new user's is.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporalCliOnPath } from '../../local/temporal-cli.js';
import { projectRoot, sharedRoot } from '../support/reference.js';

interface Run {
  readonly code: number | null;
  readonly output: string;
  readonly seconds: number;
}

const timings: string[] = [];

/** Runs `npm <args>` in `cwd`, output (stdout and stderr interleaved) kept and echoed to ours. */
function npm(args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Run> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('npm', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const take = (d: Buffer) => {
      output += d.toString();
      if (process.env.SGN_FRESH_VERBOSE) process.stderr.write(d);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const timer = setTimeout(() => child.kill('SIGINT'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const seconds = (Date.now() - t0) / 1000;
      timings.push(`npm ${args.join(' ')}: ${seconds.toFixed(0)} s (exit ${code})`);
      resolve({ code, output, seconds });
    });
  });
}

/** A TCP port on 127.0.0.1 where nothing listens (probed, then released). */
function deadPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** This checkout's files as a clone (plus uncommitted changes) would have them, copied to `dest`. */
function copyCheckout(dest: string): void {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: projectRoot,
    maxBuffer: 64 * 1024 * 1024,
  })
    .toString()
    .split('\0')
    .filter((f) => f && existsSync(join(projectRoot, f)));
  for (const f of files) {
    mkdirSync(dirname(join(dest, f)), { recursive: true });
    cpSync(join(projectRoot, f), join(dest, f), { verbatimSymlinks: true });
  }
}

/** A bare user's environment: no services configured, no `temporal` on PATH, npm's own variables gone. */
function bareEnv(testDatabaseUrl: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) && !/^npm_config_(cache|userconfig|registry)$/i.test(k)) continue;
    if (
      [
        'INIT_CWD',
        'NODE_OPTIONS',
        'TEMPORAL_CLI_PATH',
        'DATABASE_URL',
        'TEMPORAL_ADDRESS',
        'TEST_DATABASE_URL',
      ].includes(k)
    )
      continue;
    if (/^(VITEST|SGN_)/.test(k) && k !== 'SGN_SHARED_DIR') continue;
    env[k] = v;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => temporalCliOnPath({ PATH: dir }) === null)
    .join(delimiter);
  env.TEST_DATABASE_URL = testDatabaseUrl;
  env.SGN_SHARED_DIR = process.env.SGN_SHARED_DIR ?? sharedRoot;
  env.SGN_DEMO_SCALE = 'small';
  env.npm_config_prefer_offline = 'true'; // reuse the local npm cache without asking the registry
  env.npm_config_update_notifier = 'false';
  env.npm_config_fund = 'false';
  env.npm_config_audit = 'false';
  return env;
}

/** Processes whose command line mentions `dir` (servers left running from the copy). */
function processesUnder(dir: string): string[] {
  try {
    return execFileSync('ps', ['-eo', 'pid,args'])
      .toString()
      .split('\n')
      .filter((l) => l.includes(dir) && !l.includes('ps -eo'));
  } catch {
    return [];
  }
}

describe('a fresh clone on a bare machine: npm install && npm run demo; npm test', () => {
  let dir: string;
  let app: string;
  let env: NodeJS.ProcessEnv;
  let demoState: string | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sgn-fresh-'));
    chmodSync(dir, 0o700);
    app = join(dir, 'app');
    copyCheckout(app);
    env = bareEnv(`postgresql://postgres@127.0.0.1:${await deadPort()}/test`);
    expect(temporalCliOnPath({ PATH: env.PATH })).toBeNull();
  });

  afterAll(() => {
    process.stderr.write(`\nfresh clone in ${app}:\n  ${timings.join('\n  ')}\n`);
    if (dir && !process.env.SGN_FRESH_KEEP) rmSync(dir, { recursive: true, force: true });
    if (demoState && !process.env.SGN_FRESH_KEEP) rmSync(demoState, { recursive: true, force: true });
  });

  it('npm install: clean (no engine warning, every install script reviewed), lockfile unchanged', async () => {
    const lock = readFileSync(join(app, 'package-lock.json'), 'utf8');
    const r = await npm(['install'], app, env, 900_000);
    expect(r.code, r.output.slice(-4000)).toBe(0);
    expect(r.output).not.toMatch(/EBADENGINE/);
    expect(r.output).not.toMatch(/not (yet )?covered by allowScripts/);
    expect(readFileSync(join(app, 'package-lock.json'), 'utf8')).toBe(lock);
    expect(existsSync(join(app, 'generated', 'prisma', 'client.ts'))).toBe(true);
  }, 900_000);

  it('npm run demo: starts an embedded PostgreSQL and a Temporal dev server, obtains the CLI, writes the report', async () => {
    const r = await npm(['run', 'demo'], app, env, 900_000);
    expect(r.code, r.output.slice(-4000)).toBe(0);
    expect(r.output).toContain('PostgreSQL: embedded PostgreSQL');
    expect(r.output).toMatch(/no temporal CLI on PATH/);
    expect(r.output).toContain('Temporal: Temporal dev server');
    expect(r.output).not.toMatch(/EACCES|^\s+at /m);
    expect(r.output).toContain('certified band r in (34.31, 1165.69)');
    const report = join(app, 'out', 'demo', 'report.html');
    expect(statSync(report).size).toBeGreaterThan(10_000);
    // Stopped: no server left on its data (kept for the next run), no process from the copy.
    const data = /PostgreSQL: embedded PostgreSQL .*data in (\S+)\)/.exec(r.output)?.[1];
    // As root in a 0700 folder the data is kept outside it (in the temporary directory): removed after.
    if (data && !data.startsWith(app)) demoState = dirname(data);
    expect(data && existsSync(join(data, 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(data ?? '', 'postmaster.pid'))).toBe(false);
    expect(processesUnder(app)).toEqual([]);
  }, 900_000);

  it('npm test: no server at TEST_DATABASE_URL, so an embedded one for the run; the tests pass', async () => {
    const which = process.env.SGN_FRESH_TESTS?.trim() || 'test/infra.test.ts';
    const args = which === 'all' ? ['test'] : ['test', '--', ...which.split(/\s+/)];
    const r = await npm(args, app, env, 3_600_000);
    expect(r.code, r.output.slice(-6000)).toBe(0);
    expect(r.output).toMatch(
      /no PostgreSQL answers at postgresql:\/\/postgres@127\.0\.0\.1:\d+\/test .*started embedded PostgreSQL/,
    );
    expect(r.output).toMatch(/Test Files .*passed/);
    expect(r.output).not.toMatch(/Test Files .*failed/);
    // The run's server was stopped and its data deleted.
    const data = /started embedded PostgreSQL .*data in (\S+)\)/.exec(r.output)?.[1];
    expect(data).toBeDefined();
    expect(existsSync(data ?? '')).toBe(false);
    expect(processesUnder(app)).toEqual([]);
  }, 3_600_000);
});
