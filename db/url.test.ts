// DATABASE_URL -> pg / PrismaPg config (parseDatabaseUrl): what libpq users write is accepted,
// mapped onto node-postgres' `ssl` option with libpq's meaning, and anything wrong is one
// InputError naming DATABASE_URL and the parameter, without the password.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../sgn/util/errors.js';
import {
  formatDatabaseUrl,
  parseDatabaseUrl,
  pgClientConfig,
  redactSecrets,
  redactUrl,
  withDatabase,
  type PgConnectionConfig,
} from './url.js';

const dir = mkdtempSync(join(tmpdir(), 'sgn-url-test-'));
const CA = join(dir, 'ca.pem');
const CERT = join(dir, 'client.crt');
const KEY = join(dir, 'client.key');
writeFileSync(CA, 'CA PEM');
writeFileSync(CERT, 'CERT PEM');
writeFileSync(KEY, 'KEY PEM');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BASE = 'postgresql://u:hunter22@db.example:6543/sgn';

function refusal(url: string): string {
  try {
    parseDatabaseUrl(url);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    const message = (e as Error).message;
    expect(message).toMatch(/^DATABASE_URL: /);
    expect(message).not.toContain('hunter22');
    expect(message.split('\n')).toHaveLength(1);
    return message;
  }
  throw new Error(`${url} was accepted`);
}

function tls(url: string): PgConnectionConfig['ssl'] {
  return parseDatabaseUrl(url).ssl;
}

describe('parseDatabaseUrl: the URL itself', () => {
  it('decodes user, password and database; default port 5432; no TLS without sslmode', () => {
    expect(parseDatabaseUrl('postgres://us%40er:p%2Fw%3A@db.example:6543/my%20db')).toEqual({
      host: 'db.example',
      port: 6543,
      user: 'us@er',
      password: 'p/w:',
      database: 'my db',
    });
    expect(parseDatabaseUrl('postgresql://postgres@127.0.0.1/sgn')).toStrictEqual({
      host: '127.0.0.1',
      port: 5432,
      user: 'postgres',
      database: 'sgn',
    });
    expect(parseDatabaseUrl('postgresql://u@[::1]:5433/sgn')).toMatchObject({ host: '::1', port: 5433 });
  });

  it('Unix sockets: host= a directory (and port= its number), or a percent-encoded path as host', () => {
    expect(parseDatabaseUrl('postgresql://postgres@/test?host=/var/run/postgresql')).toStrictEqual({
      host: '/var/run/postgresql',
      port: 5432,
      user: 'postgres',
      database: 'test',
    });
    expect(parseDatabaseUrl('postgresql://postgres@/test?host=%2Ftmp%2Fpg&port=5433')).toMatchObject({
      host: '/tmp/pg',
      port: 5433,
    });
    expect(parseDatabaseUrl('postgresql://postgres@%2Fvar%2Frun%2Fpostgresql/test').host).toBe(
      '/var/run/postgresql',
    );
    // No TLS over a socket, as libpq (the server does not offer it there).
    expect(
      tls(`postgresql://postgres@/test?host=/tmp&sslmode=verify-full&sslrootcert=${CA}`),
    ).toBeUndefined();
  });

  it('application_name, options, connect_timeout (libpq: 0 = none, at least 2 s)', () => {
    const cfg = parseDatabaseUrl(
      `${BASE}?application_name=sgn%20worker&options=-c%20search_path%3Dsgn&connect_timeout=1`,
    );
    expect(cfg).toMatchObject({
      application_name: 'sgn worker',
      options: '-c search_path=sgn',
      connectionTimeoutMillis: 2000,
    });
    expect(parseDatabaseUrl(`${BASE}?connect_timeout=0`).connectionTimeoutMillis).toBeUndefined();
    expect(parseDatabaseUrl(`${BASE}?connect_timeout=15`).connectionTimeoutMillis).toBe(15000);
  });

  it('refuses what is not a PostgreSQL URL, naming DATABASE_URL, without the password', () => {
    expect(refusal('not a url')).toContain('is not a valid PostgreSQL URL');
    expect(refusal('mysql://u:hunter22@h/db')).toContain('scheme mysql://');
    expect(refusal('postgresql://u:hunter22@h:99999/db')).toContain('is not a valid PostgreSQL URL');
    expect(refusal('postgresql://u:hunter22@h/')).toContain('missing or bad database name');
    expect(refusal('postgresql://:hunter22@h/db')).toContain('missing user');
    expect(refusal('postgresql://u:hunter22@/db')).toContain('missing host');
  });
});

describe('parseDatabaseUrl: sslmode onto pg.ssl (libpq semantics)', () => {
  it('disable (and none): no TLS', () => {
    expect(tls(`${BASE}?sslmode=disable`)).toBeUndefined();
    expect(tls(BASE)).toBeUndefined();
  });

  it('prefer: TLS without checking, decided against the server on connecting (sslPrefer)', () => {
    const cfg = parseDatabaseUrl(`${BASE}?sslmode=prefer`);
    expect(cfg.ssl).toStrictEqual({ rejectUnauthorized: false });
    expect(cfg.sslPrefer).toBe(true);
    expect(pgClientConfig(cfg)).not.toHaveProperty('sslPrefer');
  });

  it('require: TLS, certificate not checked; with sslrootcert, checked as verify-ca', () => {
    expect(tls(`${BASE}?sslmode=require`)).toStrictEqual({ rejectUnauthorized: false });
    const withCa = tls(`${BASE}?sslmode=require&sslrootcert=${CA}`);
    expect(withCa).toMatchObject({ rejectUnauthorized: true, ca: 'CA PEM' });
    expect(withCa && withCa.checkServerIdentity?.()).toBeUndefined();
    expect(withCa && typeof withCa.checkServerIdentity).toBe('function');
  });

  it('verify-ca: the chain against sslrootcert, not the host name; needs sslrootcert', () => {
    const v = tls(`${BASE}?sslmode=verify-ca&sslrootcert=${CA}`);
    expect(v).toMatchObject({ rejectUnauthorized: true, ca: 'CA PEM' });
    expect(v && typeof v.checkServerIdentity).toBe('function');
    expect(refusal(`${BASE}?sslmode=verify-ca`)).toMatch(/sslmode=verify-ca needs sslrootcert/);
  });

  it("verify-full: chain and host name (Node's check); sslrootcert, else Node's CAs", () => {
    expect(tls(`${BASE}?sslmode=verify-full&sslrootcert=${CA}`)).toStrictEqual({
      rejectUnauthorized: true,
      ca: 'CA PEM',
    });
    expect(tls(`${BASE}?sslmode=verify-full`)).toStrictEqual({ rejectUnauthorized: true });
    expect(tls(`${BASE}?sslmode=verify-full&sslrootcert=system`)).toStrictEqual({ rejectUnauthorized: true });
  });

  it('client certificates: sslcert with sslkey', () => {
    expect(tls(`${BASE}?sslmode=verify-full&sslcert=${CERT}&sslkey=${KEY}`)).toStrictEqual({
      rejectUnauthorized: true,
      cert: 'CERT PEM',
      key: 'KEY PEM',
    });
    expect(refusal(`${BASE}?sslmode=require&sslcert=${CERT}`)).toContain('sslcert and sslkey go together');
  });

  it('refuses a bad sslmode, an unreadable file, an unknown or repeated parameter: one line each', () => {
    expect(refusal(`${BASE}?sslmode=verify_full`)).toMatch(
      /^DATABASE_URL: sslmode=verify_full is not one of disable, prefer, require, verify-ca, verify-full in "postgresql:\/\/u:\*\*\*@/,
    );
    expect(refusal(`${BASE}?sslmode=no-verify`)).toContain('sslmode=no-verify is not one of');
    expect(refusal(`${BASE}?sslmode=verify-full&sslrootcert=${dir}/missing.pem`)).toContain(
      `sslrootcert=${dir}/missing.pem cannot be read (ENOENT)`,
    );
    expect(refusal(`${BASE}?sslmode=verify-full&sslrootcert=${dir}`)).toContain('cannot be read (EISDIR)');
    expect(refusal(`${BASE}?sslkey=/nope&sslcert=${CERT}`)).toContain('sslkey=/nope cannot be read');
    expect(refusal(`${BASE}?schema=sgn`)).toContain('unknown parameter schema');
    expect(refusal(`${BASE}?password=hunter22`)).toContain('unknown parameter password');
    expect(refusal(`${BASE}?sslmode=require&sslmode=disable`)).toContain('sslmode given twice');
    expect(refusal(`${BASE}?connect_timeout=soon`)).toContain('connect_timeout=soon');
  });
});

describe('derived URLs', () => {
  it('withDatabase replaces the database name only, keeping credentials and parameters', () => {
    expect(withDatabase(`${BASE}?sslmode=verify-full&sslrootcert=${CA}`, 'sgn_test_1')).toBe(
      `postgresql://u:hunter22@db.example:6543/sgn_test_1?sslmode=verify-full&sslrootcert=${CA}`,
    );
    const socket = withDatabase('postgresql://postgres@/test?host=/var/run/postgresql', 'other db');
    expect(socket).toBe('postgresql://postgres@/other%20db?host=/var/run/postgresql');
    expect(parseDatabaseUrl(socket)).toMatchObject({ host: '/var/run/postgresql', database: 'other db' });
  });

  it('formatDatabaseUrl round-trips a socket directory and an IPv6 address', () => {
    for (const host of ['/var/run/postgresql', '::1', 'db.example']) {
      const cfg = { host, port: 5433, user: 'u@x', password: 'p/w', database: 'd b' };
      expect(parseDatabaseUrl(formatDatabaseUrl(cfg))).toStrictEqual(cfg);
    }
  });
});

describe('redaction', () => {
  it('redactUrl and redactSecrets keep hiding the password with query parameters present', () => {
    const url = `postgresql://u:hunter22@db:5432/sgn?sslmode=verify-full&sslrootcert=${CA}`;
    expect(redactUrl(url)).toBe(`postgresql://u:***@db:5432/sgn?sslmode=verify-full&sslrootcert=${CA}`);
    expect(redactUrl('postgresql://u@db/sgn?sslmode=require&password=hunter22&x=1')).toBe(
      'postgresql://u@db/sgn?sslmode=require&password=***&x=1',
    );
    // An '@' in a parameter is not the end of the userinfo: the host stays visible.
    expect(redactUrl('postgresql://u:hunter22@db/sgn?application_name=me@site')).toBe(
      'postgresql://u:***@db/sgn?application_name=me@site',
    );
    expect(
      redactSecrets('echo hunter22', {
        DATABASE_URL: 'postgresql://u:hunter22@db/sgn?application_name=me@site',
      }),
    ).toBe('echo ***');
    expect(redactSecrets('bad: postgresql://u@db/sgn?sslpassword=hunter22')).toBe(
      'bad: postgresql://u@db/sgn?sslpassword=***',
    );
    expect(redactSecrets(`failed: hunter22 at ${url}`, { DATABASE_URL: url })).toBe(
      `failed: *** at postgresql://u:***@db:5432/sgn?sslmode=verify-full&sslrootcert=${CA}`,
    );
  });
});
