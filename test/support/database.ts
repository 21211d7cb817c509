// A fresh, uniquely named PostgreSQL database per test file, with migrations applied.
// Server: env TEST_DATABASE_URL (its database name is only used to take host, port and
// credentials from), else postgresql://postgres@127.0.0.1:5432/test.
import pg from 'pg';
import {
  createPrisma,
  dropDatabase,
  ensureDatabase,
  migrateDeploy,
  parseDatabaseUrl,
  quoteIdent,
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
      if (Number.isFinite(created) && Date.now() - created > STALE_MS) {
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
