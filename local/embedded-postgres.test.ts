// The embedded PostgreSQL as the demo, the tests' fallback and the fault suite use it: a real
// server from node_modules, started, taken down and up again with its data, stopped.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js';

const dirs: string[] = [];
const servers: EmbeddedPostgres[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
}

describe('startEmbeddedPostgres', () => {
  it('starts a server that keeps its data across down/up and a new start, and stops it', async () => {
    const state = mkdtempSync(join(tmpdir(), 'sgn-embedded-pg-test-'));
    dirs.push(state);
    const log: string[] = [];
    const opts = { stateDir: state, persistent: true, database: 'postgres', log: (l: string) => log.push(l) };
    const pg1 = await startEmbeddedPostgres(opts);
    servers.push(pg1);
    expect(pg1.url).toMatch(/^postgresql:\/\/postgres:[0-9a-f]+@127\.0\.0\.1:\d+\/postgres$/);
    expect(log.join('\n')).toContain('initialising embedded PostgreSQL');
    const [{ version }] = await query<{ version: string }>(
      pg1.url,
      'SELECT current_setting($$server_version$$) AS version',
    );
    expect(version).toMatch(/^18\./);
    // As root it runs as the postgres user (PostgreSQL refuses root), which owns the data.
    const [{ user }] = await query<{ user: string }>(pg1.url, 'SELECT current_user AS user');
    expect(user).toBe('postgres');
    if (userInfo().uid === 0) expect(statSync(pg1.dataDir).uid).not.toBe(0);
    await query(pg1.url, 'CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)');

    await pg1.down();
    await expect(query(pg1.url, 'SELECT 1')).rejects.toThrow(/ECONNREFUSED/);
    await pg1.up();
    expect(await query(pg1.url, 'SELECT n FROM kept')).toEqual([{ n: 42 }]);
    await pg1.stop();
    expect(existsSync(join(pg1.dataDir, 'postmaster.pid'))).toBe(false);
    expect(readFileSync(join(state, 'postgres.log'), 'utf8')).toMatch(/database system is shut down/);

    // A second start on the same state: no initdb, same password, same data.
    log.length = 0;
    const pg2 = await startEmbeddedPostgres(opts);
    servers.push(pg2);
    expect(log.join('\n')).not.toContain('initialising');
    expect(await query(pg2.url, 'SELECT n FROM kept')).toEqual([{ n: 42 }]);
    await pg2.stop();
    expect(existsSync(pg2.dataDir)).toBe(true); // persistent
  }, 120_000);

  it('deletes a non-persistent state directory at stop', async () => {
    const state = mkdtempSync(join(tmpdir(), 'sgn-embedded-pg-test-'));
    dirs.push(state);
    const server = await startEmbeddedPostgres({
      stateDir: state,
      persistent: false,
      database: 'postgres',
      settings: ['fsync=off'],
      log: () => undefined,
    });
    servers.push(server);
    expect(await query<{ fsync: string }>(server.url, 'SHOW fsync')).toEqual([{ fsync: 'off' }]);
    await server.stop();
    expect(existsSync(state)).toBe(false);
  }, 120_000);
});
