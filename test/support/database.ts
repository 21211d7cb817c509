// A fresh, uniquely named PostgreSQL database per test file, with migrations applied.
// Server: env TEST_DATABASE_URL (its database name is only used to take host, port and
// credentials from), else postgresql://postgres@127.0.0.1:5432/test. When no server answers there,
// the test run's global setup starts an embedded one and points TEST_DATABASE_URL at it
// (ensureTestServer below).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../local/embedded-postgres.js';
import {
  createPrisma,
  dropDatabase,
  ensureDatabase,
  migrateDeploy,
  parseDatabaseUrl,
  quoteIdent,
  redactUrl,
  resolveSslPrefer,
  withDatabase,
  type Prisma,
  type PrismaClient,
} from '../../db/client.js';

/** A sweep row to hang result rows on, for tests of the storage layer (no spec, no workflow). */
export function bareSweep(id: string, totalCells: number, status = 'running'): Prisma.SweepCreateInput {
  return { id, kind: 'certify', status, spec: {}, specHash: 'h', totalCells, workflowId: 'w' };
}

export const DEFAULT_TEST_SERVER_URL = 'postgresql://postgres@127.0.0.1:5432/test';
const PREFIX = 'sgn_test_';
const STALE_MS = 24 * 3600_000;

export interface TestDatabase {
  /** Connection URL of the new database (pass as DATABASE_URL to workers/CLI). */
  url: string;
  /** Its name. */
  name: string;
  /** A PrismaClient connected to it. */
  prisma: PrismaClient;
  /** Disconnect `prisma` and drop the database. Idempotent. */
  drop(): Promise<void>;
}

export function testServerUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.TEST_DATABASE_URL?.trim() || DEFAULT_TEST_SERVER_URL;
}

/** Socket errors meaning that nothing answers at that address (as opposed to a server refusing us). */
const NOTHING_THERE = new Set([
  'ECONNREFUSED',
  'ENOENT', // a Unix socket that is not there
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'ETIMEDOUT',
]);

/**
 * Why no PostgreSQL server answers at `serverUrl` (`connect ECONNREFUSED 127.0.0.1:5432`), or null
 * when one does, even if it then refuses the login (tests then fail saying so: a server that is
 * there but misconfigured is not replaced).
 */
export async function noServerAt(serverUrl: string): Promise<string | null> {
  const c = new pg.Client({
    ...(await resolveSslPrefer(parseDatabaseUrl(serverUrl))),
    database: 'postgres',
    connectionTimeoutMillis: 5_000,
  });
  c.on('error', () => undefined);
  try {
    await c.connect();
    return null;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    const message = e instanceof Error ? e.message : String(e);
    if (typeof code === 'string' && NOTHING_THERE.has(code)) return message;
    if (/timeout/i.test(message) && typeof code !== 'string') return message;
    return null;
  } finally {
    await c.end().catch(() => undefined);
  }
}

export interface TestServer {
  /** The server URL the tests use (TEST_DATABASE_URL's value for the test processes). */
  readonly url: string;
  /** Stops what was started (nothing when the configured server answered). */
  stop(): Promise<void>;
}

/**
 * The PostgreSQL server for this test run: TEST_DATABASE_URL's (or the default) when a server
 * answers there; otherwise an embedded PostgreSQL started now (data in a temporary directory,
 * deleted by stop()), said through `log`. SGN_TEST_EMBEDDED_PG=0 forbids the fallback (the tests
 * then fail naming the URL).
 */
export async function ensureTestServer(
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<TestServer> {
  const configured = testServerUrl(env);
  const why = await noServerAt(configured);
  if (why === null) return { url: configured, stop: async () => undefined };
  const where = `${redactUrl(configured)}${env.TEST_DATABASE_URL?.trim() ? ' (TEST_DATABASE_URL)' : ' (the default; set TEST_DATABASE_URL to choose another)'}`;
  if (env.SGN_TEST_EMBEDDED_PG === '0')
    throw new Error(`no PostgreSQL answers at ${where}: ${why}; SGN_TEST_EMBEDDED_PG=0 forbids starting one`);
  const server = await startEmbeddedPostgres({
    stateDir: mkdtempSync(join(tmpdir(), 'sgn-test-postgres-')),
    persistent: false,
    database: 'postgres',
    // Test data is thrown away: no need to survive a crash.
    settings: ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'],
    log,
    hint: `(no PostgreSQL answers at ${where})`,
  });
  log(`no PostgreSQL answers at ${where} (${why}): started ${server.description} for this test run`);
  return { url: server.url, stop: () => server.stop() };
}

function uniqueName(label?: string): string {
  const tag = (label ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 20);
  const rand = Math.random().toString(36).slice(2, 8);
  // Timestamp first so stale databases from crashed runs can be recognised and pruned.
  return `${PREFIX}${Date.now().toString(36)}_${process.pid.toString(36)}_${rand}${tag ? `_${tag}` : ''}`;
}

/** Drop test databases left behind by crashed runs (older than a day). Best effort. */
async function pruneStale(serverUrl: string): Promise<void> {
  let c: pg.Client | undefined;
  try {
    c = new pg.Client({ ...(await resolveSslPrefer(parseDatabaseUrl(serverUrl))), database: 'postgres' });
    await c.connect();
    const res = await c.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'sgn\\_test\\_%'",
    );
    for (const { datname } of res.rows) {
      const m = /^sgn_test_([0-9a-z]+)_/.exec(datname);
      const created = m ? parseInt(m[1], 36) : NaN;
      // Only names this module made (a millisecond time since 2020): a test's own name such as
      // sgn_test_missing_... reads as a tiny "time" and must not be taken for a stale database.
      if (created > Date.UTC(2020, 0, 1) && Date.now() - created > STALE_MS) {
        await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(datname)} WITH (FORCE)`).catch(() => undefined);
      }
    }
  } catch {
    // pruning is a courtesy; never fail a test for it
  } finally {
    await c?.end().catch(() => undefined);
  }
}

/**
 * Create a fresh database (named `sgn_test_<time>_<pid>_<rand>[_label]`), apply the
 * committed migrations with `prisma migrate deploy`, and connect a PrismaClient.
 */
export async function createTestDatabase(
  opts: { label?: string; serverUrl?: string } = {},
): Promise<TestDatabase> {
  const serverUrl = opts.serverUrl ?? testServerUrl();
  await pruneStale(serverUrl);
  const name = uniqueName(opts.label);
  const url = withDatabase(serverUrl, name); // keeps TEST_DATABASE_URL's parameters (sslmode, host=...)
  await ensureDatabase(url);
  try {
    await migrateDeploy(url);
  } catch (e) {
    await dropDatabase(url).catch(() => undefined);
    throw e;
  }
  const prisma = createPrisma(url);
  let dropped = false;
  return {
    url,
    name,
    prisma,
    async drop() {
      if (dropped) return;
      dropped = true;
      await prisma.$disconnect().catch(() => undefined);
      await dropDatabase(url);
    },
  };
}
