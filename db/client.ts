// Database access: URL handling, PrismaClient construction, and bringing a fresh
// database up (create it, apply committed migrations) for tests and the CLI.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';
import { InputError } from '../sgn/util/errors.js';
import {
  databaseUrl,
  parseDatabaseUrl,
  prismaPgPool,
  redactSecrets,
  redactUrl,
  resolveSslPrefer,
  type PgConnectionConfig,
} from './url.js';

export {
  DEFAULT_DATABASE_URL,
  databaseUrl,
  formatDatabaseUrl,
  parseDatabaseUrl,
  pgClientConfig,
  redactUrl,
  resolveSslPrefer,
  withDatabase,
} from './url.js';
export type { PgConnectionConfig } from './url.js';
export { PrismaClient, Prisma } from '../generated/prisma/client.js';

/** Project root (the directory holding prisma.config.ts). */
export const PROJECT_ROOT = projectRoot(dirname(fileURLToPath(import.meta.url)));

/** The nearest folder above `from` holding prisma.config.ts: `..` from db/, `../..` from dist/db/. */
function projectRoot(from: string): string {
  for (let d = join(from, '..'); ; d = dirname(d)) {
    if (existsSync(join(d, 'prisma.config.ts'))) return d;
    if (dirname(d) === d) return join(from, '..');
  }
}

/** A PrismaClient using the pg driver adapter (no native engine); `max` bounds its pool. */
export function createPrisma(url: string = databaseUrl(), opts: { max?: number } = {}): PrismaClient {
  const pool = prismaPgPool(parseDatabaseUrl(url), opts.max === undefined ? {} : { max: opts.max });
  return new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
}

/** Double-quote a PostgreSQL identifier. */
export function quoteIdent(name: string): string {
  if (name.includes('\0')) throw new Error('identifier contains a NUL byte');
  return `"${name.replace(/"/g, '""')}"`;
}

async function withMaintenanceClient<T>(
  cfg: PgConnectionConfig,
  fn: (c: pg.Client) => Promise<T>,
): Promise<T> {
  // Connect to the `postgres` maintenance database (the target may not exist yet).
  const client = new pg.Client({ ...(await resolveSslPrefer(cfg)), database: 'postgres' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function pgErrorCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string'
    ? e.code
    : undefined;
}

/** Create the database named in `url` if it does not exist. Resolves to true when it was created. */
export async function ensureDatabase(url: string = databaseUrl()): Promise<boolean> {
  const cfg = parseDatabaseUrl(url);
  return withMaintenanceClient(cfg, async (c) => {
    const found = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [cfg.database]);
    if ((found.rowCount ?? 0) > 0) return false;
    try {
      await c.query(`CREATE DATABASE ${quoteIdent(cfg.database)}`);
      return true;
    } catch (e) {
      if (pgErrorCode(e) === '42P04') return false; // created concurrently
      throw e;
    }
  });
}

/** Drop the database named in `url` (terminating other connections to it). */
export async function dropDatabase(url: string): Promise<void> {
  const cfg = parseDatabaseUrl(url);
  await withMaintenanceClient(cfg, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(cfg.database)} WITH (FORCE)`);
  });
}

// Prisma 6.19's wasm schema engine arms a 10 s timer around its migration advisory lock
// and never clears it, so `migrate deploy` lingers 10 s after finishing. Preloaded into the
// CLI process, this unrefs long timers: a timer still fires while other work (a query
// waiting on the lock) keeps the process alive, but it no longer holds an idle process.
const UNREF_LONG_TIMERS =
  'data:text/javascript,' +
  encodeURIComponent(
    'const o=globalThis.setTimeout;globalThis.setTimeout=function(f,ms,...a){const t=o(f,ms,...a);' +
      'if(typeof ms==="number"&&ms>=5000&&t&&typeof t.unref==="function")t.unref();return t};',
  );

/**
 * Apply committed migrations (`prisma migrate deploy`) to the database in `url`, using
 * the project's local Prisma CLI. Resolves to the CLI's output; rejects with it on failure.
 */
export async function migrateDeploy(url: string = databaseUrl()): Promise<string> {
  parseDatabaseUrl(url); // fail early with a clear message
  const require = createRequire(import.meta.url);
  const cli = require.resolve('prisma/build/index.js');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: url,
    CHECKPOINT_DISABLE: '1',
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    PRISMA_DISABLE_WARNINGS: '1',
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', UNREF_LONG_TIMERS, cli, 'migrate', 'deploy'], {
      cwd: PROJECT_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve(out);
      else
        reject(
          new Error(
            `prisma migrate deploy failed for ${redactUrl(url)} (${signal ?? `exit ${code}`}):\n${redactSecrets(out.trim(), { DATABASE_URL: url })}`,
          ),
        );
    });
  });
}

/** Create the database if needed and apply migrations. */
export async function prepareDatabase(url: string = databaseUrl()): Promise<void> {
  await ensureDatabase(url);
  await migrateDeploy(url);
}

/** The committed migrations (prisma/migrations), by name. */
export function committedMigrations(): string[] {
  return readdirSync(join(PROJECT_ROOT, 'prisma', 'migrations'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/** The PostgreSQL error code of a failed query (through Prisma's driver adapter or from pg). */
function queryErrorCode(e: unknown): string | undefined {
  const meta = (e as { meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } }).meta;
  const original = meta?.driverAdapterError?.cause?.originalCode;
  if (typeof original === 'string') return original;
  const message = e instanceof Error ? e.message : String(e);
  return /Code: `([0-9A-Z]{5})`/.exec(message)?.[1] ?? pgErrorCode(e);
}

export interface SchemaState {
  /** Short key of this database: its name and the random id it was given when first migrated. */
  readonly key: string;
  /** Whether the database itself was created by this call. */
  readonly created: boolean;
  /** How many migrations this call applied. */
  readonly applied: number;
}

interface MigrationRow {
  readonly migration_name: string;
  readonly id: string;
  readonly finished: boolean;
}

/**
 * Brings the database of `url` up to the committed migrations and returns its key.
 *
 * `create: false` (read-only commands: sweep list/status/results/band, report): a database that
 * does not exist, or holds no sgn tables at all, is refused with an InputError naming
 * DATABASE_URL, and nothing is created: a mistyped name must not leave an empty database behind,
 * nor sgn's tables in somebody else's database. Pending migrations of an sgn database (after an
 * upgrade) are applied either way: the queries need them.
 * `create: true` (sweep start, worker): a missing database is created, a fresh one migrated.
 * `log` hears one line when anything was created or applied.
 */
export async function prepareSchema(
  prisma: PrismaClient,
  url: string,
  opts: { create: boolean; log?: (line: string) => void },
): Promise<SchemaState> {
  const cfg = parseDatabaseUrl(url);
  const where = `database "${cfg.database}" at ${cfg.host}:${cfg.port}`;
  const read = () =>
    prisma.$queryRaw<MigrationRow[]>`
      SELECT migration_name, id, finished_at IS NOT NULL AS finished FROM _prisma_migrations
      ORDER BY started_at, id`;
  let rows: MigrationRow[] = [];
  let created = false;
  let fresh = false;
  try {
    rows = await read();
  } catch (e) {
    const code = queryErrorCode(e);
    if (code === '3D000' || code === 'P1003') {
      if (!opts.create)
        throw new InputError(
          'DATABASE_URL',
          `${where} does not exist (nothing was created: check the name, or create it with sgn sweep start or sgn worker)`,
        );
      created = await ensureDatabase(url);
      fresh = true;
    } else if (code === '42P01') {
      if (!opts.create)
        throw new InputError(
          'DATABASE_URL',
          `${where} holds no sgn tables (not an sgn database? sgn sweep start or sgn worker sets one up)`,
        );
      fresh = true;
    } else throw e;
  }
  const done = new Set(rows.filter((r) => r.finished).map((r) => r.migration_name));
  const pending = committedMigrations().filter((m) => !done.has(m));
  if (pending.length > 0) {
    await migrateDeploy(url);
    rows = await read();
    const n = `${pending.length} migration${pending.length === 1 ? '' : 's'}`;
    opts.log?.(
      created
        ? `created ${where} and applied ${n}`
        : fresh
          ? `applied ${n} to ${where} (it had no sgn tables)`
          : `applied ${n} to ${where}`,
    );
  }
  return { key: databaseKey(cfg.database, rows[0]?.id ?? ''), created, applied: pending.length };
}

/**
 * A database's key, the suffix of its default task queue (workers/config.ts): a hash of its name
 * and of the id Prisma gave its first migration (a random UUID, written once, when the database
 * was first migrated). Not derived from the URL: clients and workers may reach one server by
 * different names. Two databases on one server always differ (their names do); a copy of a
 * database on another server under the same name shares the key.
 */
export function databaseKey(database: string, firstMigrationId: string): string {
  return createHash('sha256').update(`${database}\0${firstMigrationId}`).digest('hex').slice(0, 12);
}
