// DATABASE_URL as users deploy PostgreSQL: TLS (libpq's sslmode, sslrootcert) against a cluster
// of the test's own (ssl = on, a self-signed CA, TCP over TLS only: test/support/tls-postgres.ts),
// and Unix-socket URLs (host=<directory>). Through the one URL -> config function (db/url.ts)
// that the CLI, the workers, prisma.config.ts (migrations) and the tests share.
import { existsSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  committedMigrations,
  createPrisma,
  migrateDeploy,
  parseDatabaseUrl,
  prepareDatabase,
  resolveSslPrefer,
} from '../db/client.js';
import { testServerUrl } from './support/database.js';
import { runCli } from './support/processes.js';
import { runSgnInProcess } from './support/sgn-in-process.js';
import { startTlsCluster, tlsClusterUnavailable, type TlsCluster } from './support/tls-postgres.js';

const PASSWORD = 'tls-s3cret-Pw9';
const unavailable = tlsClusterUnavailable();
const MACHINE_SOCKET_DIR = '/var/run/postgresql';
const machineSocket = existsSync(`${MACHINE_SOCKET_DIR}/.s.PGSQL.5432`);

/** `SELECT ssl FROM pg_stat_ssl` for this connection, through pg and the project's config. */
async function sslOf(url: string): Promise<boolean> {
  const c = new pg.Client(await resolveSslPrefer(parseDatabaseUrl(url)));
  await c.connect();
  try {
    const r = await c.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
    return r.rows[0].ssl;
  } finally {
    await c.end();
  }
}

/** The same through a PrismaClient (createPrisma: the CLI's and the workers' way). */
async function sslViaPrisma(url: string): Promise<boolean> {
  const prisma = createPrisma(url);
  try {
    const rows = await prisma.$queryRaw<{ ssl: boolean }[]>`
      SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()`;
    return rows[0].ssl;
  } finally {
    await prisma.$disconnect();
  }
}

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  throw new Error('expected a failure, it connected');
}

function expectOneCleanLine(stderr: string): void {
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toContain(PASSWORD);
}

describe.skipIf(unavailable !== null)(
  `PostgreSQL over TLS${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let cluster: TlsCluster;
    /** `postgresql://postgres:<password>@localhost:<port>/<db>?<query>` (trust: the password is never asked). */
    const url = (query: string, db = 'postgres', host = 'localhost') =>
      `postgresql://postgres:${PASSWORD}@${host}:${cluster.port}/${db}${query ? `?${query}` : ''}`;

    beforeAll(async () => {
      cluster = await startTlsCluster();
    }, 120_000);

    afterAll(async () => {
      await cluster?.stop();
    });

    it('sslmode=require connects encrypted (certificate not checked), through pg and Prisma', async () => {
      expect(await sslOf(url('sslmode=require'))).toBe(true);
      expect(await sslViaPrisma(url('sslmode=require'))).toBe(true);
    });

    it('sslmode=verify-full with the CA that signed the certificate connects encrypted', async () => {
      const u = url(`sslmode=verify-full&sslrootcert=${cluster.caFile}`);
      expect(await sslOf(u)).toBe(true);
      expect(await sslViaPrisma(u)).toBe(true);
    });

    it('verify-full checks the host name, verify-ca does not (the certificate names only localhost)', async () => {
      const byAddress = (mode: string) =>
        url(`sslmode=${mode}&sslrootcert=${cluster.caFile}`, 'postgres', '127.0.0.1');
      expect(await failure(sslOf(byAddress('verify-full')))).toMatch(/does not match certificate's altnames/);
      expect(await sslOf(byAddress('verify-ca'))).toBe(true);
      // require with a root certificate behaves as verify-ca (libpq), so the chain is checked:
      expect(await sslOf(byAddress('require'))).toBe(true);
      expect(await failure(sslOf(url(`sslmode=require&sslrootcert=${cluster.wrongCaFile}`)))).toMatch(
        /unable to verify|certificate/,
      );
    });

    it('verify-full with the wrong CA, or none (Node has not heard of this CA), is refused', async () => {
      expect(await failure(sslOf(url(`sslmode=verify-full&sslrootcert=${cluster.wrongCaFile}`)))).toMatch(
        /unable to verify the first certificate/,
      );
      expect(await failure(sslOf(url('sslmode=verify-full')))).toMatch(
        /unable to verify the first certificate/,
      );
    });

    it('sgn sweep list with the wrong CA: exit 3, one line naming PostgreSQL and TLS, no stack, no password', async () => {
      const r = await runCli(['sweep', 'list'], {
        DATABASE_URL: url(`sslmode=verify-full&sslrootcert=${cluster.wrongCaFile}`, 'sgn'),
        TEMPORAL_ADDRESS: '127.0.0.1:1',
        SGN_DEBUG: '',
      });
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(
        /^sgn sweep: cannot reach PostgreSQL at postgresql:\/\/postgres:\*\*\*@localhost:\d+\/sgn\?sslmode=verify-full&sslrootcert=\S+ \(DATABASE_URL\): .*TLS.*certificate/,
      );
      expectOneCleanLine(r.stderr);
      expect(r.stdout).toBe('');
    }, 60_000);

    it('sslmode=disable against the TLS-only server is refused (pg_hba: no encryption); so is no sslmode', async () => {
      expect(await failure(sslOf(url('sslmode=disable')))).toMatch(/no pg_hba\.conf entry .*no encryption/);
      expect(await failure(sslOf(url('')))).toMatch(/no pg_hba\.conf entry .*no encryption/);
      const r = await runSgnInProcess(['sweep', 'list'], { DATABASE_URL: url('sslmode=disable', 'sgn') });
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/cannot reach PostgreSQL at .*\(DATABASE_URL\): no pg_hba\.conf entry/);
      expectOneCleanLine(r.stderr);
    });

    it('sslmode=prefer uses TLS where offered (this server), and falls back where not (the machine server)', async () => {
      expect(await sslOf(url('sslmode=prefer'))).toBe(true);
      expect(await sslViaPrisma(url('sslmode=prefer'))).toBe(true);
      // The tests' own server (TEST_DATABASE_URL: the machine's, or the run's embedded one), no TLS.
      const server = testServerUrl();
      const plainServer = `${server}${server.includes('?') ? '&' : '?'}sslmode=prefer`;
      expect(await sslOf(plainServer)).toBe(false);
      expect(await sslViaPrisma(plainServer)).toBe(false);
    });

    it('a Unix-socket URL (host=<dir>) connects without TLS, whatever sslmode says (as libpq)', async () => {
      const socket = `postgresql://postgres@/postgres?host=${cluster.socketDir}&port=${cluster.port}`;
      expect(await sslOf(socket)).toBe(false);
      expect(await sslViaPrisma(`${socket}&sslmode=require`)).toBe(false);
    });

    it('migrations (prisma migrate deploy through migrateDeploy) run over TLS; then the CLI reads that database', async () => {
      const u = url(
        `sslmode=verify-full&sslrootcert=${cluster.caFile}&application_name=sgn-tls-test`,
        'sgn_tls',
      );
      // Control: the same database without TLS is refused (TCP is hostssl-only).
      const plain = url('sslmode=disable', 'sgn_tls');
      await prepareDatabase(u);
      const prisma = createPrisma(u);
      try {
        const rows = await prisma.$queryRaw<{ n: bigint }[]>`
        SELECT count(*) AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL`;
        expect(Number(rows[0].n)).toBe(committedMigrations().length);
        const app = await prisma.$queryRaw<{ application_name: string }[]>`
        SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()`;
        expect(app[0].application_name).toBe('sgn-tls-test');
      } finally {
        await prisma.$disconnect();
      }
      const refused = await failure(migrateDeploy(plain));
      expect(refused).toMatch(/no pg_hba\.conf entry|no encryption|denied access on the database `sgn_tls`/);
      expect(refused).not.toContain(PASSWORD);
      const r = await runCli(['sweep', 'list'], { DATABASE_URL: u, TEMPORAL_ADDRESS: '127.0.0.1:1' });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('no sweeps yet');
      // sgn migrate's own connection (db/migrate.ts) over TLS too, and refused without it.
      const check = await runSgnInProcess(['migrate', '--check'], { DATABASE_URL: u });
      expect(check.stderr).toBe('');
      expect(check.code).toBe(0);
      expect(check.stdout).toMatch(/^database "sgn_tls" at localhost:\d+ is up to date/);
      const plainCheck = await runSgnInProcess(['migrate', '--check'], { DATABASE_URL: plain });
      expect(plainCheck.code).toBe(3);
      expect(plainCheck.stderr).toMatch(/^sgn migrate: cannot reach PostgreSQL .*no pg_hba\.conf entry/);
    }, 120_000);
  },
);

describe('DATABASE_URL parameters refused before any connection (exit 2, one line)', () => {
  it('a bad sslmode names DATABASE_URL and sslmode', async () => {
    const r = await runSgnInProcess(['sweep', 'list'], {
      DATABASE_URL: `postgresql://postgres:${PASSWORD}@127.0.0.1:1/sgn?sslmode=verify_full`,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^sgn sweep: DATABASE_URL: sslmode=verify_full is not one of disable, prefer/);
    expectOneCleanLine(r.stderr);
  });

  it('an unreadable sslrootcert names DATABASE_URL, sslrootcert and the file', async () => {
    const r = await runSgnInProcess(['sweep', 'list'], {
      DATABASE_URL: `postgresql://postgres:${PASSWORD}@127.0.0.1:1/sgn?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem`,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^sgn sweep: DATABASE_URL: sslrootcert=\/nonexistent\/ca\.pem cannot be read \(ENOENT\)/,
    );
    expectOneCleanLine(r.stderr);
  });
});

describe.skipIf(!machineSocket)(
  `the machine's PostgreSQL through its Unix socket${machineSocket ? '' : ` (skipped: no socket in ${MACHINE_SOCKET_DIR})`}`,
  () => {
    it('postgresql://postgres@/test?host=/var/run/postgresql connects (pg and Prisma)', async () => {
      const u = `postgresql://postgres@/test?host=${MACHINE_SOCKET_DIR}`;
      expect(await sslOf(u)).toBe(false);
      const prisma = createPrisma(u);
      try {
        const rows = await prisma.$queryRaw<{ db: string; addr: string | null }[]>`
          SELECT current_database() AS db, inet_client_addr()::text AS addr`;
        expect(rows[0]).toEqual({ db: 'test', addr: null }); // null: a Unix-socket connection
      } finally {
        await prisma.$disconnect();
      }
    });
  },
);
