/**
 * `sgn migrate`'s settings and its printed grants, without a database (test/roles.test.ts runs it
 * against real roles), SGN_AUTO_MIGRATE's values, and the Prisma CLI's reason on one line.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig, type Env } from '../config/config.js';
import { prismaReason } from '../db/client.js';
import { grantStatements, PRIVILEGES, ROLE_KINDS, SGN_SEQUENCES, SGN_TABLES } from '../db/roles.js';
import { runSgnInProcess } from './support/sgn-in-process.js';

/** Exit 2, one line on stderr, nothing on stdout; the line. */
async function refused(argv: string[], env: Record<string, string | undefined> = {}): Promise<string> {
  const r = await runSgnInProcess(argv, { DATABASE_URL: 'postgresql://u@127.0.0.1:1/sgn', ...env });
  const shown = `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
  expect(r.code, shown).toBe(2);
  expect(r.stdout, shown).toBe('');
  expect(r.stderr.trimEnd(), shown).not.toContain('\n');
  return r.stderr.trimEnd();
}

describe('sgn migrate settings (refused before connecting: the server in DATABASE_URL does not exist)', () => {
  it('names the flag at fault, in one line', async () => {
    expect(await refused(['migrate', 'extra'])).toMatch(
      /^sgn migrate: migrate: takes no positional arguments/,
    );
    expect(await refused(['migrate', '--admin-role', 'x'])).toMatch(
      /^sgn migrate: migrate: Unknown option '--admin-role'/,
    );
    expect(await refused(['migrate', '--check', '--worker-role', 'w'])).toBe(
      'sgn migrate: --check: only checks the schema: it takes no role flags nor --print-grants',
    );
    expect(await refused(['migrate', '--worker-role', 'same', '--reader-role', 'same'])).toBe(
      'sgn migrate: --reader-role: "same" is already the worker role: each role gets the privileges of one kind',
    );
    expect(await refused(['migrate', '--reader-role', ''])).toBe(
      'sgn migrate: --reader-role: must be a role name (1 to 63 bytes), got ""',
    );
    expect(await refused(['migrate', '--reader-role', 'x'.repeat(64)])).toMatch(
      /must be a role name \(1 to 63 bytes\)/,
    );
    expect(await refused(['migrate', '--print-grants'])).toBe(
      'sgn migrate: --print-grants: needs at least one of --operator-role, --worker-role, --reader-role',
    );
    expect(await refused(['migrate'], { DATABASE_URL: 'mysql://u@h/db' })).toMatch(
      /^sgn migrate: DATABASE_URL: /,
    );
  });

  it('an unreachable server is exit 3, one line naming DATABASE_URL', async () => {
    const r = await runSgnInProcess(['migrate'], {
      DATABASE_URL: 'postgresql://u:secret-pw@127.0.0.1:1/sgn',
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /^sgn migrate: cannot reach PostgreSQL at postgresql:\/\/u:\*\*\*@127\.0\.0\.1:1\/sgn \(DATABASE_URL\): .*ECONNREFUSED/,
    );
    expect(r.stderr).not.toContain('secret-pw');
  });
});

describe('sgn migrate --print-grants', () => {
  it('prints, for each role named, the statements of its kind, quoted, for the database of DATABASE_URL', async () => {
    const r = await runSgnInProcess(
      ['migrate', '--print-grants', '--worker-role', 'w"x', '--reader-role', 'r'],
      {
        DATABASE_URL: 'postgresql://u@127.0.0.1:1/my db',
      },
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('-- the worker role');
    expect(lines).toContain('GRANT CONNECT ON DATABASE "my db" TO "w""x";');
    expect(lines).toContain(
      'GRANT INSERT ON TABLE "public"."cell_results", "public"."stepsize_results", "public"."stepsize_traces", "public"."band_maps" TO "w""x";',
    );
    expect(lines).toContain('-- the reader role');
    expect(
      lines.filter(
        (l) => l.endsWith(' TO "r";') && l.startsWith('GRANT ') && !/SELECT|CONNECT|USAGE ON SCHEMA/.test(l),
      ),
    ).toEqual([]);
    expect(lines.every((l) => l.startsWith('--') || l.endsWith(';'))).toBe(true);
  });

  it('every grant names known tables and sequences; nobody but the worker touches a sequence, nobody deletes a sweep', () => {
    for (const kind of ROLE_KINDS) {
      const sql = grantStatements(kind, 'r', 'sgn', 'public');
      expect(sql.slice(0, 5).map((s) => s.split(' ')[0])).toEqual([
        'GRANT',
        'GRANT',
        'REVOKE',
        'REVOKE',
        'REVOKE',
      ]);
      for (const g of PRIVILEGES[kind]) {
        for (const o of g.objects) expect(g.on === 'TABLE' ? SGN_TABLES : SGN_SEQUENCES).toContain(o);
        if (g.on === 'SEQUENCE') expect(kind).toBe('worker');
        if (g.privilege === 'DELETE') expect(g.objects).not.toContain('sweeps');
      }
    }
  });
});

describe('SGN_AUTO_MIGRATE', () => {
  // Read with the other settings at start-up (config/config.ts).
  const autoMigrate = (env: Env): string => loadConfig(env).autoMigrate;
  it('sets up new databases unless 0; 1 also upgrades; anything else is one line naming it', async () => {
    expect(autoMigrate({})).toBe('new');
    expect(autoMigrate({ SGN_AUTO_MIGRATE: '' })).toBe('new');
    for (const v of ['0', 'false', 'FALSE']) expect(autoMigrate({ SGN_AUTO_MIGRATE: v }), v).toBe('never');
    for (const v of ['1', 'true', ' True ']) expect(autoMigrate({ SGN_AUTO_MIGRATE: v }), v).toBe('always');
    expect(() => autoMigrate({ SGN_AUTO_MIGRATE: 'yes' })).toThrow(
      'SGN_AUTO_MIGRATE: must be 1 or 0, got "yes"',
    );
    expect(await refused(['worker'], { SGN_AUTO_MIGRATE: 'maybe' })).toBe(
      'sgn worker: SGN_AUTO_MIGRATE: must be 1 or 0, got "maybe"',
    );
  });
});

describe("the Prisma CLI's reason", () => {
  it('is its last Error line with the text after it, else its last line', () => {
    expect(
      prismaReason(
        'Loaded Prisma config\n6 migrations found\n\nError: P3005\n\nThe database schema is not empty. Read more\n',
      ),
    ).toBe('P3005 The database schema is not empty. Read more');
    expect(prismaReason('a\nError: permission denied for table _prisma_migrations')).toBe(
      'permission denied for table _prisma_migrations',
    );
    expect(prismaReason('first\nlast\n')).toBe('last');
    expect(prismaReason('')).toBe('no reason given');
  });
});
