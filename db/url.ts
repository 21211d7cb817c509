// Database URL handling shared by prisma.config.ts (loaded by the Prisma CLI before the
// client is generated) and db/client.ts. Must not import the generated client.
import { InputError } from '../sgn/util/errors.js';

export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/sgn';

/** Object config for `new PrismaPg(...)` / `new pg.Client(...)`. */
export interface PgConnectionConfig {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
}

/** DATABASE_URL from the environment, or the local default. */
export function databaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const v = env.DATABASE_URL?.trim();
  return v ? v : DEFAULT_DATABASE_URL;
}

/**
 * The URL with any password replaced, safe for messages and logs. Greedy up to the last '@':
 * a password typed with a raw '@' or '/' in it is still hidden whole (over-redacting is fine).
 */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:).*@/i, '$1***@');
}

/** Passwords shorter than this are not searched for as bare text (they would mask ordinary words). */
const MIN_LITERAL_SECRET = 4;

/**
 * Any text (an error message, a log line) with credentials hidden: passwords in URLs
 * (`scheme://user:password@`), and the password of DATABASE_URL wherever it appears bare or
 * percent-encoded (a driver may echo it outside a URL).
 */
export function redactSecrets(text: string, env: NodeJS.ProcessEnv = process.env): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@]*@/gi, '$1***@');
  const url = env.DATABASE_URL?.trim();
  const m = url ? /^[a-z][a-z0-9+.-]*:\/\/[^:/@]*:(.*)@/i.exec(url) : null;
  if (m) {
    const raw = m[1];
    let decoded = raw;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      // keep the raw form only
    }
    for (const secret of new Set([raw, decoded])) {
      if (secret.length >= MIN_LITERAL_SECRET) out = out.split(secret).join('***');
    }
  }
  return out;
}

/**
 * Parse a `postgres[ql]://user[:password]@host[:port]/database` URL into an object
 * config. Percent-encoded user, password and database names are decoded. Throws an
 * InputError naming DATABASE_URL (never including the password) when malformed: one line for
 * the user and exit 2, like any other bad input.
 */
export function parseDatabaseUrl(url: string): PgConnectionConfig {
  const fail = (why: string): never => {
    throw new InputError(
      'DATABASE_URL',
      `"${redactUrl(url)}" is not a valid PostgreSQL URL (${why}); it must be a postgresql:// URL like postgresql://user@host:5432/database`,
    );
  };
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return fail('cannot be parsed');
  }
  if (u.protocol !== 'postgresql:' && u.protocol !== 'postgres:') {
    fail(`scheme ${u.protocol}//, not postgresql://`);
  }
  const decode = (s: string, what: string): string => {
    try {
      return decodeURIComponent(s);
    } catch {
      return fail(`bad percent-encoding in ${what}`);
    }
  };
  let host = u.hostname;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (!host) fail('missing host');
  let port = 5432;
  if (u.port) {
    port = Number(u.port);
    if (!Number.isInteger(port) || port <= 0 || port > 65535) fail('bad port');
  }
  const user = decode(u.username, 'user');
  if (!user) fail('missing user');
  const database = decode(u.pathname.replace(/^\//, ''), 'database name');
  if (!database || database.includes('/')) fail('missing or bad database name');
  const cfg: PgConnectionConfig = { host, port, user, database };
  if (u.password) cfg.password = decode(u.password, 'password');
  return cfg;
}

/** Build a URL from a config (used to derive per-test database URLs). */
export function formatDatabaseUrl(cfg: PgConnectionConfig): string {
  const auth =
    encodeURIComponent(cfg.user) + (cfg.password !== undefined ? `:${encodeURIComponent(cfg.password)}` : '');
  const host = cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host;
  return `postgresql://${auth}@${host}:${cfg.port}/${encodeURIComponent(cfg.database)}`;
}
