// Database access: URL handling, PrismaClient construction, and bringing a fresh
// database up (create it, apply committed migrations) for tests and the CLI.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';
import { databaseUrl, parseDatabaseUrl, redactUrl, type PgConnectionConfig } from './url.js';

export { DEFAULT_DATABASE_URL, databaseUrl, formatDatabaseUrl, parseDatabaseUrl, redactUrl } from './url.js';
export type { PgConnectionConfig } from './url.js';
export { PrismaClient, Prisma } from '../generated/prisma/client.js';

/** Project root (the directory holding prisma.config.ts). */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** A PrismaClient using the pg driver adapter (no native engine); `max` bounds its pool. */
export function createPrisma(url: string = databaseUrl(), opts: { max?: number } = {}): PrismaClient {
  const config = opts.max === undefined ? parseDatabaseUrl(url) : { ...parseDatabaseUrl(url), max: opts.max };
  return new PrismaClient({ adapter: new PrismaPg(config) });
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
  const client = new pg.Client({ ...cfg, database: 'postgres' });
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
            `prisma migrate deploy failed for ${redactUrl(url)} (${signal ?? `exit ${code}`}):\n${out.trim()}`,
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
