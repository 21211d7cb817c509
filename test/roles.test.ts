/**
 * The least-privilege role layout (docs/deployment.md, "Roles") with real roles on the real
 * server: db/roles.sql (psql, as a superuser) creates four uniquely named roles and a database,
 * `sgn migrate` as the owner applies the migrations and grants the other three, then a sweep runs
 * with every command under its role (a real worker process as the worker role, `sweep start` as
 * the operator, the read commands as the reader), and each role is shown what it may not do.
 * The roles are dropped afterwards (other test runs share the server).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPrisma,
  formatDatabaseUrl,
  migrateDeploy,
  parseDatabaseUrl,
  quoteIdent,
  withDatabase,
} from '../db/client.js';
import { SGN_SEQUENCES, SGN_TABLES, SWEEP_PROGRESS_COLUMNS } from '../db/roles.js';
import { resolveSpecFile } from '../sweep/resolve.js';
import { testServerUrl } from './support/database.js';
import { runCli, startWorker, type CliResult, type WorkerProcess } from './support/processes.js';
import { projectRoot } from './support/reference.js';
import { runSgnInProcess } from './support/sgn-in-process.js';
import { startDashboard } from '../dashboard/server.js';
import { startTemporalDevServer, type TemporalDevServer } from '../local/temporal-dev-server.js';

const SPEC = join(projectRoot, 'test', 'fixtures', 'both.yaml');
const ID = 'roles';
const KINDS = ['owner', 'operator', 'worker', 'reader'] as const;
type Kind = (typeof KINDS)[number];

const stamp = `${Date.now().toString(36)}_${process.pid.toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
/** Unique per run: roles are cluster-wide, and other runs share the server. */
const ROLE_PREFIX = `sgn_test_role_${stamp}`;
const role: Record<Kind, string> = {
  owner: `${ROLE_PREFIX}_owner`,
  operator: `${ROLE_PREFIX}_operator`,
  worker: `${ROLE_PREFIX}_worker`,
  reader: `${ROLE_PREFIX}_reader`,
};
/** sgn_test_ like every test database (test/support/database.ts prunes stale ones). */
const DATABASE = `sgn_test_${stamp}_roles`;
const PASSWORD = `pw-${Math.random().toString(36).slice(2, 10)}`;

const server = parseDatabaseUrl(testServerUrl());
const adminUrl = withDatabase(testServerUrl(), 'postgres');
/** DATABASE_URL of the sgn database as `kind` (passwords set by db/roles.sql; trust ignores them). */
const urlAs = (kind: Kind): string =>
  formatDatabaseUrl({ ...server, user: role[kind], password: PASSWORD, database: DATABASE });

let temporal: TemporalDevServer;
let worker: WorkerProcess | undefined;
const tmp = mkdtempSync(join(tmpdir(), 'sgn-roles-'));

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client(parseDatabaseUrl(url));
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** As the server's superuser, in the sgn database (or another). */
const asAdmin = <T>(fn: (c: pg.Client) => Promise<T>, database = DATABASE): Promise<T> =>
  withClient(withDatabase(testServerUrl(), database), fn);

function psqlRoles(): { status: number | null; stdout: string; stderr: string } {
  const vars = [
    `database=${DATABASE}`,
    ...KINDS.flatMap((k) => [`${k}=${role[k]}`, `${k}_password=${PASSWORD}`]),
  ];
  const r = spawnSync(
    'psql',
    [adminUrl, '-X', '-q', '-f', join(projectRoot, 'db', 'roles.sql'), ...vars.flatMap((v) => ['-v', v])],
    { encoding: 'utf8' },
  );
  if (r.error)
    throw new Error(`psql (PostgreSQL's client) is needed to run db/roles.sql: ${r.error.message}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Roles of crashed runs (older than a day): a courtesy to the shared server. */
async function pruneStaleRoles(): Promise<void> {
  await asAdmin(async (c) => {
    const { rows } = await c.query<{ rolname: string }>(
      "SELECT rolname FROM pg_roles WHERE rolname LIKE 'sgn\\_test\\_role\\_%'",
    );
    for (const { rolname } of rows) {
      const created = parseInt(/^sgn_test_role_([0-9a-z]+)_/.exec(rolname)?.[1] ?? '', 36);
      if (Number.isFinite(created) && Date.now() - created > 24 * 3600_000)
        await c.query(`DROP ROLE IF EXISTS ${quoteIdent(rolname)}`).catch(() => undefined);
    }
  }, 'postgres').catch(() => undefined);
}

/** One line on stderr, nothing on stdout, no stack trace; returns the line. */
function oneLine(r: CliResult, code: number, what: string): string {
  const shown = `${what}\nexit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
  expect(r.code, shown).toBe(code);
  expect(r.stdout, shown).toBe('');
  expect(r.stderr.endsWith('\n'), shown).toBe(true);
  const line = r.stderr.slice(0, -1);
  expect(line, `one line: ${shown}`).not.toContain('\n');
  expect(line, `no stack trace: ${shown}`).not.toMatch(/\bat .*:\d+:\d+|Error:/);
  return line;
}

/** The SQLSTATE with which `sql`, run as `kind`, fails (inside a transaction rolled back); null: it worked. */
async function failsWith(kind: Kind, sql: string): Promise<string | null> {
  return withClient(urlAs(kind), async (c) => {
    await c.query('BEGIN');
    try {
      await c.query(sql);
      return null;
    } catch (e) {
      return (e as { code?: string }).code ?? 'unknown';
    } finally {
      await c.query('ROLLBACK');
    }
  });
}

beforeAll(async () => {
  await pruneStaleRoles();
  temporal = await startTemporalDevServer();
}, 240_000);

afterAll(async () => {
  await worker?.kill('SIGTERM');
  await temporal?.stop();
  await asAdmin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(DATABASE)} WITH (FORCE)`);
    for (const k of KINDS) await c.query(`DROP ROLE IF EXISTS ${quoteIdent(role[k])}`);
  }, 'postgres');
  rmSync(tmp, { recursive: true, force: true });
}, 60_000);

describe('db/roles.sql', () => {
  it('creates four login roles without special attributes and the database, owned by the owner, closed to PUBLIC; a second run changes nothing', async () => {
    for (let run = 0; run < 2; run++) {
      const r = psqlRoles();
      expect(r.status, r.stderr).toBe(0);
    }
    await asAdmin(async (c) => {
      const { rows } = await c.query<{
        rolname: string;
        rolsuper: boolean;
        rolcreatedb: boolean;
        rolcreaterole: boolean;
        rolcanlogin: boolean;
        rolbypassrls: boolean;
      }>(
        'SELECT rolname, rolsuper, rolcreatedb, rolcreaterole, rolcanlogin, rolbypassrls FROM pg_roles WHERE rolname = ANY($1) ORDER BY rolname',
        [Object.values(role)],
      );
      expect(rows.map((x) => x.rolname).sort()).toEqual(Object.values(role).sort());
      for (const x of rows)
        expect(x, x.rolname).toMatchObject({
          rolsuper: false,
          rolcreatedb: false,
          rolcreaterole: false,
          rolcanlogin: true,
          rolbypassrls: false,
        });
      const db = await c.query<{ owner: string; public_connect: boolean }>(
        `SELECT pg_get_userbyid(datdba) AS owner, has_database_privilege('public', oid, 'CONNECT') AS public_connect
         FROM pg_database WHERE datname = $1`,
        [DATABASE],
      );
      expect(db.rows).toEqual([{ owner: role.owner, public_connect: false }]);
    }, 'postgres');
  });
});

describe('sgn migrate as the owner', () => {
  it('applies the migrations and grants the operator, worker and reader roles', async () => {
    const r = await runCli(
      [
        'migrate',
        '--operator-role',
        role.operator,
        '--worker-role',
        role.worker,
        '--reader-role',
        role.reader,
      ],
      { DATABASE_URL: urlAs('owner') },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      new RegExp(`^applied \\d+ migrations to database "${DATABASE}" at .* \\(now at \\d{14}_\\w+\\)$`),
    );
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(new RegExp(`^granted role "${role.operator}" the operator privileges`)),
      expect.stringMatching(new RegExp(`^granted role "${role.worker}" the worker privileges`)),
      expect.stringMatching(new RegExp(`^granted role "${role.reader}" the reader privileges`)),
    ]);
  }, 120_000);

  it('leaves the owner owning every table, sequence and function of the schema: exactly the ones db/roles.ts grants on', async () => {
    await asAdmin(async (c) => {
      const { rows } = await c.query<{ name: string; kind: string; owner: string }>(
        `SELECT c.relname AS name, c.relkind::text AS kind, pg_get_userbyid(c.relowner) AS owner
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S', 'v', 'm', 'f')`,
      );
      for (const x of rows) expect(x.owner, x.name).toBe(role.owner);
      expect(
        rows
          .filter((x) => x.kind === 'r' || x.kind === 'p')
          .map((x) => x.name)
          .sort(),
      ).toEqual([...SGN_TABLES].sort());
      expect(
        rows
          .filter((x) => x.kind === 'S')
          .map((x) => x.name)
          .sort(),
      ).toEqual([...SGN_SEQUENCES].sort());
      expect(rows.filter((x) => !['r', 'p', 'S'].includes(x.kind))).toEqual([]);
      const functions = await c.query<{ owner: string }>(
        `SELECT pg_get_userbyid(p.proowner) AS owner FROM pg_proc p
         JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'`,
      );
      expect(functions.rows.length).toBeGreaterThan(0);
      for (const f of functions.rows) expect(f.owner).toBe(role.owner);
    });
  });

  it('gives each role exactly its privileges', async () => {
    // Written out here, not derived from db/roles.ts: a change there must show up here.
    const R = 'SELECT';
    const expected: Record<Exclude<Kind, 'owner'>, Record<string, string[]>> = {
      operator: {
        _prisma_migrations: [R],
        sweeps: [R, 'INSERT'],
        cell_results: [R, 'DELETE'],
        stepsize_results: [R, 'DELETE'],
        band_maps: [R, 'DELETE'],
      },
      worker: {
        _prisma_migrations: [R],
        sweeps: [R],
        cell_results: [R, 'INSERT'],
        stepsize_results: [R, 'INSERT'],
        band_maps: [R, 'INSERT'],
      },
      reader: {
        _prisma_migrations: [R],
        sweeps: [R],
        cell_results: [R],
        stepsize_results: [R],
        band_maps: [R],
      },
    };
    const privileges = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'];
    await asAdmin(async (c) => {
      for (const kind of ['operator', 'worker', 'reader'] as const) {
        const who = role[kind];
        for (const [table, allowed] of Object.entries(expected[kind])) {
          const held: string[] = [];
          for (const p of privileges) {
            const { rows } = await c.query<{ ok: boolean }>('SELECT has_table_privilege($1, $2, $3) AS ok', [
              who,
              `public.${table}`,
              p,
            ]);
            if (rows[0].ok) held.push(p);
          }
          expect(held, `${kind} on ${table}`).toEqual(allowed);
        }
        // UPDATE: only the progress columns of a sweep, and only for the operator and the worker.
        const { rows: columns } = await c.query<{ column: string; ok: boolean }>(
          `SELECT attname AS column, has_column_privilege($1, 'public.sweeps', attname, 'UPDATE') AS ok
           FROM pg_attribute WHERE attrelid = 'public.sweeps'::regclass AND attnum > 0 AND NOT attisdropped`,
          [who],
        );
        expect(
          columns
            .filter((x) => x.ok)
            .map((x) => x.column)
            .sort(),
          `${kind}: columns of sweeps it may update`,
        ).toEqual(
          kind === 'reader'
            ? []
            : ['done_cells', 'error', 'failed_cells', 'finished_at', 'status', 'updated_at'],
        );
        for (const t of ['cell_results', 'stepsize_results', 'band_maps', '_prisma_migrations']) {
          const { rows } = await c.query<{ ok: boolean }>(
            `SELECT has_any_column_privilege($1, $2, 'UPDATE') AS ok`,
            [who, `public.${t}`],
          );
          expect(rows[0].ok, `${kind} updates ${t}`).toBe(false);
        }
        for (const s of SGN_SEQUENCES) {
          const { rows } = await c.query<{ usage: boolean; update: boolean }>(
            `SELECT has_sequence_privilege($1, $2, 'USAGE') AS usage, has_sequence_privilege($1, $2, 'UPDATE') AS update`,
            [who, `public.${s}`],
          );
          expect(rows[0], `${kind} on ${s}`).toEqual({ usage: kind === 'worker', update: false });
        }
        const { rows: db } = await c.query<{
          connect: boolean;
          create: boolean;
          temp: boolean;
          schema: boolean;
        }>(
          `SELECT has_database_privilege($1, $2, 'CONNECT') AS connect, has_database_privilege($1, $2, 'CREATE') AS create,
             has_database_privilege($1, $2, 'TEMP') AS temp, has_schema_privilege($1, 'public', 'CREATE') AS schema`,
          [who, DATABASE],
        );
        expect(db[0], `${kind} on the database and schema`).toEqual({
          connect: true,
          create: false,
          temp: false,
          schema: false,
        });
      }
    });
    expect(SWEEP_PROGRESS_COLUMNS.length).toBe(6);
  });
});

describe('a sweep with every command under its role', () => {
  it('the worker role runs the sweep, the operator starts it, the reader reads it', async () => {
    worker = startWorker({ DATABASE_URL: urlAs('worker'), TEMPORAL_ADDRESS: temporal.address }, 2);
    await worker.ready;
    const start = await runSgnInProcess(['sweep', 'start', SPEC, '--id', ID, '--wait'], {
      DATABASE_URL: urlAs('operator'),
      TEMPORAL_ADDRESS: temporal.address,
    });
    expect(start.code, `${start.stderr}\n${worker.output()}`).toBe(0);
    expect(start.stdout.trim()).toBe(ID);

    const resolved = resolveSpecFile(SPEC);
    const stored = await asAdmin(async (c) => {
      const { rows } = await c.query<{ status: string; certify: number; stepsize: number; bands: number }>(
        `SELECT status, (SELECT count(*)::int FROM cell_results) AS certify,
           (SELECT count(*)::int FROM stepsize_results) AS stepsize, (SELECT count(*)::int FROM band_maps) AS bands
         FROM sweeps WHERE id = $1`,
        [ID],
      );
      return rows[0];
    });
    expect(stored.status).toBe('completed');
    expect(stored.certify).toBe(resolved.totalCells);
    expect(stored.stepsize).toBeGreaterThan(0);
    expect(stored.bands).toBeGreaterThan(0);

    const reader = { DATABASE_URL: urlAs('reader'), TEMPORAL_ADDRESS: temporal.address };
    const list = await runSgnInProcess(['sweep', 'list', '--json'], reader);
    expect(list.code, list.stderr).toBe(0);
    expect((JSON.parse(list.stdout) as { id: string }[]).map((s) => s.id)).toEqual([ID]);
    const status = await runSgnInProcess(['sweep', 'status', ID, '--json'], reader);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ id: ID, status: 'completed' });
    const results = await runSgnInProcess(['sweep', 'results', ID, '--format', 'csv'], reader);
    expect(results.code, results.stderr).toBe(0);
    expect(results.stdout.trim().split('\n')).toHaveLength(resolved.totalCells + 1);
    const bandFile = join(tmp, 'band.csv');
    const band = await runSgnInProcess(['sweep', 'band', ID, '--out', bandFile], reader);
    expect(band.code, band.stderr).toBe(0);
    expect(readFileSync(bandFile, 'utf8').split('\n').length).toBeGreaterThan(2);
    const report = await runSgnInProcess(['report', ID, '--out', join(tmp, 'report')], reader);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toContain('report.html');
    // The dashboard as the reader: its list, figures and CSV are reads only.
    const prisma = createPrisma(urlAs('reader'));
    const { server, url } = await startDashboard({
      prisma,
      links: { namespace: 'default' },
      host: '127.0.0.1',
      port: 0,
    });
    try {
      const get = async (path: string) => {
        const res = await fetch(new URL(path, url));
        expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
        return res;
      };
      expect(((await (await get('/api/sweeps')).json()) as { id: string }[]).map((s) => s.id)).toEqual([ID]);
      expect(
        ((await (await get(`/api/sweeps/${ID}`)).json()) as { figures: unknown[] }).figures.length,
      ).toBeGreaterThan(0);
      expect((await (await get(`/api/sweeps/${ID}/results.csv`)).text()).trim().split('\n')).toHaveLength(
        resolved.totalCells + 1,
      );
    } finally {
      server.close();
      await prisma.$disconnect();
    }
  }, 240_000);
});

/** Statements none of the three roles may run: schema changes, deleting sweeps, rewriting results. */
const FORBIDDEN_TO_ALL = [
  'DROP TABLE sweeps',
  'ALTER TABLE sweeps ADD COLUMN x int',
  'ALTER TABLE cell_results DROP COLUMN alpha',
  'CREATE TABLE x (x int)',
  'CREATE SCHEMA x',
  'CREATE INDEX x ON cell_results (alpha)',
  'DROP FUNCTION delete_sweep_cell_results() CASCADE',
  'DELETE FROM sweeps',
  'TRUNCATE sweeps',
  'TRUNCATE cell_results',
  "UPDATE sweeps SET spec = '{}'::jsonb",
  'UPDATE cell_results SET certified = NOT certified',
  'DELETE FROM _prisma_migrations',
  "INSERT INTO _prisma_migrations (id, checksum, migration_name) VALUES ('x', 'x', 'x')",
];

describe('the worker role', () => {
  it('may write what a batch writes', async () => {
    expect(
      await failsWith(
        'worker',
        `UPDATE sweeps SET done_cells = done_cells, updated_at = now() WHERE id = '${ID}'`,
      ),
    ).toBeNull();
    expect(await failsWith('worker', `SELECT id FROM sweeps WHERE id = '${ID}' FOR KEY SHARE`)).toBeNull();
    expect(
      await failsWith(
        'worker',
        `INSERT INTO band_maps (sweep_id, param_name, param_value, ratios, alphas, certified_fraction) VALUES ('${ID}', 'x', 1, '{}', '{}', 1)`,
      ),
    ).toBeNull();
  });

  it('cannot change the schema, delete sweeps or results, register a sweep or touch the migration history', async () => {
    for (const sql of [
      ...FORBIDDEN_TO_ALL,
      'DELETE FROM cell_results',
      'DELETE FROM band_maps',
      "INSERT INTO sweeps (id, kind, status, spec, spec_hash, total_cells, workflow_id, updated_at) VALUES ('x', 'certify', 'running', '{}', 'h', 1, 'w', now())",
    ])
      expect(await failsWith('worker', sql), sql).toBe('42501');
  });

  it('cannot run migrations: sgn migrate refuses it in one line, and the server refuses prisma migrate deploy', async () => {
    const line = oneLine(
      await runSgnInProcess(['migrate'], { DATABASE_URL: urlAs('worker') }),
      2,
      'migrate as the worker',
    );
    expect(line).toBe(
      `sgn migrate: DATABASE_URL: role "${role.worker}" does not own the sgn tables of database "${DATABASE}" at ${server.host}:${server.port} (their owner is "${role.owner}"): run \`sgn migrate\` as "${role.owner}"`,
    );
    // The newest migration taken back out of the history: the database is behind.
    const newest = await asAdmin(async (c) => {
      const { rows } = await c.query<Record<string, unknown>>(
        'DELETE FROM _prisma_migrations WHERE migration_name = (SELECT max(migration_name) FROM _prisma_migrations) RETURNING *',
      );
      return rows[0];
    });
    try {
      await expect(migrateDeploy(urlAs('worker'))).rejects.toThrow(/permission denied|must be owner/);
      // A worker does not migrate: it names the step to run, in one line, and exits 2.
      const start = await runCli(['worker'], {
        DATABASE_URL: urlAs('worker'),
        TEMPORAL_ADDRESS: temporal.address,
      });
      expect(oneLine(start, 2, 'worker on a database behind its schema')).toMatch(
        new RegExp(
          `^sgn worker: DATABASE_URL: database schema is behind: run \`sgn migrate\` \\(database "${DATABASE}" at .* lacks 1 of \\d+ migrations, the newest ${String(newest.migration_name)}\\)$`,
        ),
      );
      const check = await runSgnInProcess(['migrate', '--check'], { DATABASE_URL: urlAs('reader') });
      expect(oneLine(check, 2, 'migrate --check')).toContain('database schema is behind: run `sgn migrate`');
    } finally {
      await asAdmin(async (c) => {
        const keys = Object.keys(newest);
        await c.query(
          `INSERT INTO _prisma_migrations (${keys.map(quoteIdent).join(', ')}) VALUES (${keys.map((_, i) => `$${i + 1}`).join(', ')})`,
          keys.map((k) => newest[k]),
        );
      });
    }
    // Nothing was changed by either attempt.
    const check = await runSgnInProcess(['migrate', '--check'], { DATABASE_URL: urlAs('worker') });
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toMatch(/is up to date/);
  }, 120_000);
});

describe('sgn migrate as a role that may not set up a database', () => {
  it('a missing database it may not create, an empty one it may not create tables in: one line each, nothing created', async () => {
    const missing = `${DATABASE}_missing`;
    const as = (database: string): string =>
      formatDatabaseUrl({ ...server, user: role.operator, password: PASSWORD, database });
    expect(oneLine(await runSgnInProcess(['migrate'], { DATABASE_URL: as(missing) }), 2, 'missing')).toBe(
      `sgn migrate: DATABASE_URL: database "${missing}" at ${server.host}:${server.port} does not exist and role "${role.operator}" may not create it: create it as a superuser (CREATE DATABASE ${missing} OWNER ${role.operator}; db/roles.sql does) or give the role CREATEDB`,
    );
    const empty = `${DATABASE}_empty`;
    await asAdmin((c) => c.query(`CREATE DATABASE ${quoteIdent(empty)}`), 'postgres');
    try {
      expect(oneLine(await runSgnInProcess(['migrate'], { DATABASE_URL: as(empty) }), 2, 'empty')).toBe(
        `sgn migrate: DATABASE_URL: role "${role.operator}" may not create tables in schema "public" of database "${empty}" at ${server.host}:${server.port}: make it the database's owner (ALTER DATABASE ${empty} OWNER TO ${role.operator}) or GRANT CREATE ON SCHEMA public TO ${role.operator}`,
      );
      const tables = await asAdmin(
        async (c) => (await c.query("SELECT 1 FROM pg_tables WHERE schemaname = 'public'")).rowCount,
        empty,
      );
      expect(tables).toBe(0);
    } finally {
      await asAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(empty)} WITH (FORCE)`), 'postgres');
    }
    const exists = await asAdmin(
      async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [missing])).rowCount,
      'postgres',
    );
    expect(exists).toBe(0);
  });

  it('a superuser is not the owner either: its migrations would leave tables the owner does not own', async () => {
    const r = await runSgnInProcess(['migrate'], { DATABASE_URL: withDatabase(testServerUrl(), DATABASE) });
    expect(oneLine(r, 2, 'migrate as the superuser')).toBe(
      `sgn migrate: DATABASE_URL: role "${server.user}" does not own the sgn tables of database "${DATABASE}" at ${server.host}:${server.port} (their owner is "${role.owner}"): run \`sgn migrate\` as "${role.owner}"`,
    );
  });

  it('refuses to grant a superuser, itself, or a role inside the owner', async () => {
    const owner = { DATABASE_URL: urlAs('owner') };
    expect(
      oneLine(await runSgnInProcess(['migrate', '--reader-role', server.user], owner), 2, 'superuser'),
    ).toMatch(
      new RegExp(`^sgn migrate: --reader-role: role "${server.user}" is a superuser: no grant restricts it`),
    );
    expect(
      oneLine(await runSgnInProcess(['migrate', '--worker-role', role.owner], owner), 2, 'itself'),
    ).toMatch(/--worker-role: ".*" is the role sgn migrate runs as, the owner of the tables: name another$/);
    const inner = `${ROLE_PREFIX}_inner`;
    await asAdmin(async (c) => {
      await c.query(`CREATE ROLE ${quoteIdent(inner)} IN ROLE ${quoteIdent(role.owner)}`);
    }, 'postgres');
    try {
      expect(oneLine(await runSgnInProcess(['migrate', '--reader-role', inner], owner), 2, 'member')).toBe(
        `sgn migrate: --reader-role: role "${inner}" is a member of "${role.owner}", the owner of the tables, and holds all its privileges: name a role outside it`,
      );
    } finally {
      await asAdmin((c) => c.query(`DROP ROLE IF EXISTS ${quoteIdent(inner)}`), 'postgres');
    }
  });
});

describe('the reader role', () => {
  it('cannot write anything', async () => {
    for (const sql of [
      ...FORBIDDEN_TO_ALL,
      `UPDATE sweeps SET status = 'failed' WHERE id = '${ID}'`,
      'DELETE FROM cell_results',
      "INSERT INTO sweeps (id, kind, status, spec, spec_hash, total_cells, workflow_id, updated_at) VALUES ('x', 'certify', 'running', '{}', 'h', 1, 'w', now())",
      `INSERT INTO band_maps (sweep_id, param_name, param_value, ratios, alphas, certified_fraction) VALUES ('${ID}', 'x', 1, '{}', '{}', 1)`,
      `SELECT id FROM sweeps WHERE id = '${ID}' FOR KEY SHARE`,
    ])
      expect(await failsWith('reader', sql), sql).toBe('42501');
  });

  it('sweep start as the reader: one line naming the role, exit 2, nothing registered', async () => {
    const r = await runSgnInProcess(
      ['sweep', 'start', join(projectRoot, 'examples', 'small.yaml'), '--id', 'not-mine'],
      {
        DATABASE_URL: urlAs('reader'),
        TEMPORAL_ADDRESS: temporal.address,
      },
    );
    expect(oneLine(r, 2, 'sweep start as the reader')).toBe(
      `sgn sweep: DATABASE_URL: role "${role.reader}" may not do this: permission denied for table sweeps (each command needs its role's privileges: docs/deployment.md, "Roles")`,
    );
    const ids = await asAdmin(async (c) =>
      (await c.query<{ id: string }>('SELECT id FROM sweeps')).rows.map((x) => x.id),
    );
    expect(ids).toEqual([ID]);
  });
});

describe('the operator role', () => {
  it('cannot change the schema, delete sweeps or write results', async () => {
    for (const sql of [
      ...FORBIDDEN_TO_ALL,
      `INSERT INTO band_maps (sweep_id, param_name, param_value, ratios, alphas, certified_fraction) VALUES ('${ID}', 'x', 1, '{}', '{}', 1)`,
    ])
      expect(await failsWith('operator', sql), sql).toBe('42501');
    // What --retry-failed does.
    expect(
      await failsWith('operator', `DELETE FROM cell_results WHERE sweep_id = '${ID}' AND error IS NOT NULL`),
    ).toBeNull();
  });
});
