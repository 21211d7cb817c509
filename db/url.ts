// Database URL handling shared by prisma.config.ts (loaded by the Prisma CLI before the
// client is generated) and db/client.ts. Must not import the generated client. The URL itself is
// a setting (DATABASE_URL, SgnConfig.databaseUrl: config/config.ts); it is parsed here.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import pg from 'pg';
import { parse } from 'pg-connection-string';
import { InputError } from '../sgn/util/errors.js';

export { DEFAULT_DATABASE_URL } from '../config/config.js';

/**
 * The sslmode values libpq knows. Without one, no TLS (as before; libpq's default is `prefer`).
 * - disable: no TLS.
 * - prefer: TLS (certificate not checked) when the server offers it, else a plain connection.
 * - require: TLS; the certificate is not checked, unless sslrootcert is given (then as verify-ca).
 * - verify-ca: TLS, certificate chain checked against sslrootcert (required); host name not checked.
 * - verify-full: TLS, chain checked (sslrootcert, else Node's built-in CAs) and host name checked.
 * Over a Unix socket there is never TLS, as with libpq.
 */
export const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** The query parameters DATABASE_URL accepts (libpq's names). Anything else is refused, not dropped. */
export const URL_PARAMETERS = [
  'host',
  'port',
  'sslmode',
  'sslrootcert',
  'sslcert',
  'sslkey',
  'application_name',
  'options',
  'connect_timeout',
] as const;

/** TLS options for node-postgres (a subset of tls.ConnectionOptions). */
export interface PgTlsOptions {
  rejectUnauthorized: boolean;
  ca?: string;
  cert?: string;
  key?: string;
  /** Replaces Node's host name check (verify-ca: the chain is checked, the name is not). */
  checkServerIdentity?: () => undefined;
}

/** Object config for `new PrismaPg(...)` / `new pg.Client(...)`. */
export interface PgConnectionConfig {
  /** Host name or address, or a Unix socket directory (starts with '/'). */
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  /** false or absent: no TLS. */
  ssl?: false | PgTlsOptions;
  application_name?: string;
  options?: string;
  connectionTimeoutMillis?: number;
  /** Set (only) for sslmode=prefer over TCP: `ssl` is used when the server offers TLS, else none. */
  sslPrefer?: true;
}

/** Double-quote a PostgreSQL identifier. */
export function quoteIdent(name: string): string {
  if (name.includes('\0')) throw new Error('identifier contains a NUL byte');
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * The URL with any password replaced, safe for messages and logs. Greedy up to the last '@':
 * a password typed with a raw '@' or '/' in it is still hidden whole (over-redacting is fine).
 */
export function redactUrl(url: string): string {
  const [head, query] = splitQuery(url);
  return (
    head.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:).*@/i, '$1***@') +
    query.replace(PASSWORD_PARAMETER, '$1***')
  );
}

/** [everything before the first '?', the rest] (an '@' in a parameter is not the userinfo's). */
function splitQuery(url: string): [string, string] {
  const q = url.indexOf('?');
  return q < 0 ? [url, ''] : [url.slice(0, q), url.slice(q)];
}

/** A password given as a query parameter (libpq's password= and sslpassword=; refused, but echoed). */
const PASSWORD_PARAMETER = /([?&](?:ssl)?password=)[^&#\s]*/gi;

/** Passwords shorter than this are not searched for as bare text (they would mask ordinary words). */
const MIN_LITERAL_SECRET = 4;

/**
 * Any text (an error message, a log line) with credentials hidden: passwords in URLs
 * (`scheme://user:password@`), and the password of the DATABASE_URL in `secrets` wherever it
 * appears bare or percent-encoded (a driver may echo it outside a URL). `secrets` is the
 * environment the settings came from (the CLI's), or just `{ DATABASE_URL: url }`.
 */
export function redactSecrets(
  text: string,
  secrets: Readonly<{ DATABASE_URL?: string | undefined }> = {},
): string {
  let out = text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@]*@/gi, '$1***@')
    .replace(PASSWORD_PARAMETER, '$1***');
  const url = secrets.DATABASE_URL?.trim();
  const m = url ? /^[a-z][a-z0-9+.-]*:\/\/[^:/@]*:(.*)@/i.exec(splitQuery(url)[0]) : null;
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

/** The query string of a URL (after the first '?', before any '#'), as parameters. */
function queryParameters(url: string): URLSearchParams {
  const q = url.indexOf('?');
  return new URLSearchParams(q < 0 ? '' : url.slice(q + 1).split('#')[0]);
}

function readTlsFile(parameter: string, path: string, url: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    throw new InputError(
      'DATABASE_URL',
      `${parameter}=${path} cannot be read (${typeof code === 'string' ? code : 'error'}) in "${redactUrl(url)}"`,
    );
  }
}

/**
 * The one place a DATABASE_URL becomes connection settings: a `postgres[ql]://user[:password]@host
 * [:port]/database[?parameters]` URL (libpq's syntax; parsed by pg-connection-string) into an
 * object config for pg and PrismaPg. Query parameters: URL_PARAMETERS (host= a Unix socket
 * directory, sslmode per SSL_MODES, sslrootcert/sslcert/sslkey files read here). Throws an
 * InputError naming DATABASE_URL (and the parameter; never the password) when anything is wrong:
 * one line for the user and exit 2, like any other bad input.
 */
export function parseDatabaseUrl(url: string): PgConnectionConfig {
  const fail = (why: string): never => {
    throw new InputError(
      'DATABASE_URL',
      `"${redactUrl(url)}" is not a valid PostgreSQL URL (${why}); it must be a postgresql:// URL like postgresql://user@host:5432/database`,
    );
  };
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url);
  if (!scheme) fail('cannot be parsed');
  if (!/^postgres(ql)?$/i.test(scheme![1])) fail(`scheme ${scheme![1]}://, not postgresql://`);

  const params = queryParameters(url);
  const known: readonly string[] = URL_PARAMETERS;
  for (const key of new Set(params.keys())) {
    if (!known.includes(key))
      throw new InputError(
        'DATABASE_URL',
        `unknown parameter ${key} in "${redactUrl(url)}" (accepted: ${URL_PARAMETERS.join(', ')})`,
      );
    if (params.getAll(key).length > 1)
      throw new InputError('DATABASE_URL', `parameter ${key} given twice in "${redactUrl(url)}"`);
  }
  const modeText = params.get('sslmode');
  const modes: readonly string[] = SSL_MODES;
  if (modeText !== null && !modes.includes(modeText))
    throw new InputError(
      'DATABASE_URL',
      `sslmode=${modeText} is not one of ${SSL_MODES.join(', ')} in "${redactUrl(url)}"`,
    );
  const mode = (modeText ?? undefined) as SslMode | undefined;

  let parsed: ReturnType<typeof parse>;
  try {
    // Its own TLS reading (and its files) is not used: this function reads the files and maps
    // sslmode itself; the parameters it sees here carry no sslmode, so it neither warns nor reads.
    const stripped = new URLSearchParams(params);
    for (const k of ['sslmode', 'sslrootcert', 'sslcert', 'sslkey']) stripped.delete(k);
    const q = url.indexOf('?');
    const rest = stripped.toString();
    parsed = parse(q < 0 ? url : `${url.slice(0, q)}${rest ? `?${rest}` : ''}`);
  } catch {
    return fail('cannot be parsed');
  }
  const host = parsed.host ?? '';
  if (!host) fail('missing host');
  let port = 5432;
  if (parsed.port) {
    port = /^\d+$/.test(parsed.port) ? Number(parsed.port) : NaN;
    if (!Number.isInteger(port) || port <= 0 || port > 65535) fail('bad port');
  }
  const user = parsed.user ?? '';
  if (!user) fail('missing user');
  const database = parsed.database ?? '';
  if (!database || database.includes('/')) fail('missing or bad database name');

  const cfg: PgConnectionConfig = { host, port, user, database };
  if (parsed.password) cfg.password = parsed.password;
  const appName = params.get('application_name');
  if (appName !== null) cfg.application_name = appName;
  const options = params.get('options');
  if (options !== null) cfg.options = options;
  const timeout = params.get('connect_timeout');
  if (timeout !== null) {
    if (!/^\d+$/.test(timeout))
      throw new InputError('DATABASE_URL', `connect_timeout=${timeout} is not a whole number of seconds`);
    // libpq: 0 means wait forever, and less than 2 s counts as 2 s.
    if (Number(timeout) > 0) cfg.connectionTimeoutMillis = Math.max(2, Number(timeout)) * 1000;
  }

  const rootcert = params.get('sslrootcert');
  const sslcert = params.get('sslcert');
  const sslkey = params.get('sslkey');
  if ((sslcert === null) !== (sslkey === null))
    throw new InputError('DATABASE_URL', `sslcert and sslkey go together in "${redactUrl(url)}"`);
  if (mode === 'verify-ca' && (rootcert === null || rootcert === 'system'))
    throw new InputError(
      'DATABASE_URL',
      `sslmode=verify-ca needs sslrootcert=<file of the CA that signed the server's certificate> in "${redactUrl(url)}"`,
    );
  // Files are read (so checked) whatever the mode: a typo is reported, not ignored.
  const ca =
    rootcert !== null && rootcert !== 'system' ? readTlsFile('sslrootcert', rootcert, url) : undefined;
  const cert = sslcert !== null ? readTlsFile('sslcert', sslcert, url) : undefined;
  const key = sslkey !== null ? readTlsFile('sslkey', sslkey, url) : undefined;

  if (mode === undefined || mode === 'disable' || host.startsWith('/')) return cfg;
  const tls: PgTlsOptions = { rejectUnauthorized: true };
  if (ca !== undefined) tls.ca = ca;
  if (cert !== undefined && key !== undefined) {
    tls.cert = cert;
    tls.key = key;
  }
  if (mode === 'prefer' || (mode === 'require' && ca === undefined)) tls.rejectUnauthorized = false;
  else if (mode === 'verify-ca' || mode === 'require') tls.checkServerIdentity = () => undefined;
  cfg.ssl = tls;
  if (mode === 'prefer') cfg.sslPrefer = true;
  return cfg;
}

/**
 * Build a URL from host, port, user, password and database (nothing else of `cfg`: to derive a
 * URL keeping TLS and other parameters, use withDatabase).
 */
export function formatDatabaseUrl(cfg: PgConnectionConfig): string {
  const auth =
    encodeURIComponent(cfg.user) + (cfg.password !== undefined ? `:${encodeURIComponent(cfg.password)}` : '');
  const host = cfg.host.startsWith('/')
    ? encodeURIComponent(cfg.host) // a Unix socket directory
    : cfg.host.includes(':')
      ? `[${cfg.host}]`
      : cfg.host;
  return `postgresql://${auth}@${host}:${cfg.port}/${encodeURIComponent(cfg.database)}`;
}

/** `url` naming another database, all else (host, credentials, parameters) kept. */
export function withDatabase(url: string, database: string): string {
  parseDatabaseUrl(url); // a clear error for a bad URL
  const [head, query] = splitQuery(url);
  const m = /^([a-z][a-z0-9+.-]*:\/\/[^/]*)(\/.*)?$/i.exec(head);
  if (!m) throw new InputError('DATABASE_URL', `"${redactUrl(url)}" has no database name to replace`);
  return `${m[1]}/${encodeURIComponent(database)}${query}`;
}

/** The config as node-postgres takes it (without this module's own markers). */
export function pgClientConfig(cfg: PgConnectionConfig): pg.ClientConfig {
  const { sslPrefer: _prefer, ...rest } = cfg;
  return rest;
}

/**
 * Whether the server at host:port answers PostgreSQL's SSLRequest with 'S' (TLS offered).
 * When it cannot be asked (no answer, refused), true: the TLS connection then fails with the
 * driver's own reason.
 */
export function serverOffersTls(host: string, port: number, timeoutMs = 10_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (offers: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(offers);
    };
    const timer = setTimeout(() => done(true), timeoutMs);
    socket.once('connect', () => socket.write(Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f])));
    socket.once('data', (b: Buffer) => done(b[0] === 0x53));
    socket.once('error', () => done(true));
    socket.once('close', () => done(true));
  });
}

/** `cfg` with sslmode=prefer decided (asks the server once): TLS if it offers it, else none. */
export async function resolveSslPrefer(cfg: PgConnectionConfig): Promise<pg.ClientConfig> {
  if (!cfg.sslPrefer) return pgClientConfig(cfg);
  const offers = await serverOffersTls(cfg.host, cfg.port);
  return { ...pgClientConfig(cfg), ssl: offers ? cfg.ssl : false };
}

/** A pool that decides sslmode=prefer (asks the server) before its first connection. */
class PreferTlsPool extends pg.Pool {
  private decided: Promise<void> | undefined;

  constructor(
    config: pg.PoolConfig,
    private readonly target: PgConnectionConfig,
  ) {
    super(config);
  }

  private decide(): Promise<void> {
    this.decided ??= serverOffersTls(this.target.host, this.target.port).then((offers) => {
      if (!offers) this.options.ssl = false;
    });
    return this.decided;
  }

  override connect(): Promise<pg.PoolClient>;
  override connect(callback: Parameters<pg.Pool['connect']>[0]): void;
  override connect(callback?: Parameters<pg.Pool['connect']>[0]): Promise<pg.PoolClient> | void {
    if (callback === undefined) return this.decide().then(() => super.connect());
    void this.decide().then(() => super.connect(callback));
  }
}

/**
 * What `new PrismaPg(...)` takes for `cfg` plus pool settings: the object config, or, for
 * sslmode=prefer, a pool that decides TLS on its first connection (pass `disposeExternalPool`).
 */
export function prismaPgPool(cfg: PgConnectionConfig, extra: pg.PoolConfig = {}): pg.Pool | pg.PoolConfig {
  const config: pg.PoolConfig = { ...pgClientConfig(cfg), ...extra };
  return cfg.sslPrefer ? new PreferTlsPool(config, cfg) : config;
}
