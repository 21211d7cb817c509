// Database access: URL handling, PrismaClient construction, and bringing a fresh
// database up (create it, apply committed migrations) for tests and the CLI.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../config/project-root.js';
import type { AutoMigrate } from '../config/config.js';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';
import { InputError } from '../sgn/util/errors.js';
import { postgresError } from './unavailable.js';
import {
  parseDatabaseUrl,
  prismaPgPool,
  quoteIdent,
  redactSecrets,
  redactUrl,
  resolveSslPrefer,
  type PgConnectionConfig,
} from './url.js';

export {
  DEFAULT_DATABASE_URL,
  formatDatabaseUrl,
  parseDatabaseUrl,
  pgClientConfig,
  quoteIdent,
  redactUrl,
  resolveSslPrefer,
  withDatabase,
} from './url.js';
export type { PgConnectionConfig } from './url.js';
export { PrismaClient, Prisma } from '../generated/prisma/client.js';

/** A PrismaClient using the pg driver adapter (no native engine); `max` bounds its pool. */
export function createPrisma(url: string, opts: { max?: number } = {}): PrismaClient {
  const pool = prismaPgPool(parseDatabaseUrl(url), opts.max === undefined ? {} : { max: opts.max });
  return new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
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
export async function ensureDatabase(url: string): Promise<boolean> {
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
export async function migrateDeploy(url: string): Promise<string> {
  parseDatabaseUrl(url); // fail early with a clear message
  const require = createRequire(import.meta.url);
  const cli = require.resolve('prisma/build/index.js');
  // The Prisma CLI inherits this process's environment (PATH, HOME, ...: not settings of ours);
  // the URL it migrates is the one given here.
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
      else {
        const text = redactSecrets(out.trim(), { DATABASE_URL: url });
        reject(
          new Error(
            `prisma migrate deploy failed for ${redactUrl(url)} (${signal ?? `exit ${code}`}): ${prismaReason(text)}\n${text}`,
          ),
        );
      }
    });
  });
}

/**
 * The Prisma CLI's reason for failing, on one line: its last `Error: ...` line and the line of
 * text after it (`P3005 The database schema is not empty. ...`); else its last line.
 */
export function prismaReason(output: string): string {
  const lines = output.split('\n').map((l) => l.trim());
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /^Error:\s*(.*)$/.exec(lines[i]);
    if (!m) continue;
    const next = lines.slice(i + 1).find((l) => l !== '');
    return [m[1], next].filter(Boolean).join(' ') || 'no reason given';
  }
  return lines.filter(Boolean).at(-1) ?? 'no reason given';
}

/** Create the database if needed and apply migrations. */
export async function prepareDatabase(url: string): Promise<void> {
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
export function queryErrorCode(e: unknown): string | undefined {
  const original = postgresError(e)?.code;
  if (original !== undefined) return original;
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

/** `database "sgn" at host:5432`, as messages name a database. */
export function describeDatabase(cfg: PgConnectionConfig): string {
  return `database "${cfg.database}" at ${cfg.host}:${cfg.port}`;
}

/**
 * The one line for a database that lacks committed migrations (`pending`, of `committed`), e.g.
 *   DATABASE_URL: database schema is behind: run `sgn migrate` (database "sgn" at h:5432 lacks 1
 *   of 6 migrations, the newest X)
 */
export function schemaBehind(where: string, pending: readonly string[], committed: number): InputError {
  return new InputError(
    'DATABASE_URL',
    `database schema is behind: run \`sgn migrate\` (${where} lacks ${pending.length} of ${committed} migration${committed === 1 ? '' : 's'}, the newest ${pending[pending.length - 1]})`,
  );
}

/**
 * Checks that the database of `url` has every committed migration and returns its key; where
 * allowed, brings it there first.
 *
 * `autoMigrate` (SGN_AUTO_MIGRATE, config/config.ts) says what may change, `create` whether this
 * command may set up a new database at all (sweep start, worker, the demo; read-only commands
 * never do: a mistyped name must not leave an empty database behind, nor sgn's tables in
 * somebody else's database):
 *   - a database that does not exist is created and migrated when `create` and autoMigrate is not
 *     'never'; one with no tables at all is migrated likewise; one with tables but none of sgn's
 *     only with 'always';
 *   - pending migrations of an sgn database are applied only with 'always' (else: run `sgn migrate`).
 * Refusals are one line naming DATABASE_URL (an InputError, exit 2) that says what to run.
 * `log` hears one line when anything was created or applied.
 */
export async function prepareSchema(
  prisma: PrismaClient,
  url: string,
  opts: { autoMigrate: AutoMigrate; create?: boolean; log?: (line: string) => void },
): Promise<SchemaState> {
  const cfg = parseDatabaseUrl(url);
  const where = describeDatabase(cfg);
  const create = opts.create === true && opts.autoMigrate !== 'never';
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
      if (!create)
        throw new InputError(
          'DATABASE_URL',
          `${where} does not exist (nothing was created: check the name, or set it up with \`sgn migrate\`)`,
        );
      created = await ensureDatabase(url);
      fresh = true;
    } else if (code === '42P01') {
      if (!create || (opts.autoMigrate !== 'always' && (await hasTables(prisma))))
        throw new InputError(
          'DATABASE_URL',
          `${where} holds no sgn tables (not an sgn database? \`sgn migrate\` sets one up)`,
        );
      fresh = true;
    } else throw e;
  }
  const done = new Set(rows.filter((r) => r.finished).map((r) => r.migration_name));
  const committed = committedMigrations();
  const pending = committed.filter((m) => !done.has(m));
  if (pending.length > 0) {
    if (!fresh && opts.autoMigrate !== 'always') throw schemaBehind(where, pending, committed.length);
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

/** Whether the connection's current schema holds any table (an empty database holds none). */
async function hasTables(prisma: PrismaClient): Promise<boolean> {
  const [{ n }] = await prisma.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = current_schema()`;
  return n > 0;
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
