import { connect } from 'node:net';
import { InputError } from '../sgn/util/errors.js';
import { parseDatabaseUrl, redactUrl } from './url.js';

/**
 * A service the CLI needs (PostgreSQL, Temporal) cannot be reached: one line for the user,
 * naming the service, where it was looked for and the setting that chooses it. Not an input
 * error (exit 2) nor a bug (a stack trace): exit 3.
 */
export class ServiceUnavailable extends Error {
  constructor(
    readonly service: 'PostgreSQL' | 'Temporal',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ServiceUnavailable';
  }
}

/**
 * `e`, from a first query of the database at `url`, as ServiceUnavailable when it means that
 * PostgreSQL cannot be reached (exit 3, one line naming DATABASE_URL); otherwise `e` itself.
 */
export function postgresUnavailable(e: unknown, url: string): unknown {
  if (!isConnectionFailure(e)) return e;
  return new ServiceUnavailable(
    'PostgreSQL',
    `cannot reach PostgreSQL at ${redactUrl(url)} (DATABASE_URL): ${tlsReason(e)}`,
    { cause: e },
  );
}

/** The driver's reason, saying TLS when it is a TLS failure and does not say so itself. */
function tlsReason(e: unknown): string {
  const reason = shortReason(e);
  return isTlsFailure(e) && !/TLS|SSL/.test(reason) ? `TLS: ${reason}` : reason;
}

/**
 * Resolves once a TCP connection to `address` (`host:port`, `[v6]:port`; port `defaultPort` when
 * absent) opens; rejects with the socket's error (ECONNREFUSED, ENOTFOUND, ...) or on timeout.
 * A quick check that a service listens there, before loading what talks to it.
 */
export function probeTcp(address: string, defaultPort: number, timeoutMs = 3000): Promise<void> {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(address) ?? /^([^:]*)(?::(\d+))?$/.exec(address);
  const host = m?.[1] || 'localhost';
  const port = m?.[2] ? Number(m[2]) : defaultPort;
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    });
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** Driver errors that mean "no server there" (or it refused us), as opposed to a query gone wrong. */
const CONNECTION_FAILURE =
  /Can't reach database server|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|P1001|P1002|P1017|password authentication failed|no pg_hba\.conf entry|the database system is (starting up|shutting down)|Connection terminated|timeout exceeded when trying to connect/i;

/**
 * TLS failures (sslmode): a certificate that does not verify, a host name it does not name, a
 * server without TLS. Node's own messages ("unable to verify the first certificate") do not say
 * TLS: the reason shown gets that word.
 */
const TLS_FAILURE =
  /Error opening a TLS connection|does not support SSL|error establishing an SSL connection|CERT_|_CERT\b|UNABLE_TO_|ERR_TLS_|ERR_SSL_|self[- ]signed certificate|Hostname\/IP does not match certificate/i;

function matches(e: unknown, re: RegExp): boolean {
  for (let err: unknown = e, depth = 0; err && depth < 5; depth++) {
    const code = (err as { code?: unknown }).code;
    const text = `${typeof code === 'string' ? code : ''} ${err instanceof Error ? err.message : String(err)}`;
    if (re.test(text)) return true;
    err = (err as { cause?: unknown }).cause;
  }
  return false;
}

export function isConnectionFailure(e: unknown): boolean {
  return matches(e, CONNECTION_FAILURE) || isTlsFailure(e);
}

export function isTlsFailure(e: unknown): boolean {
  return matches(e, TLS_FAILURE);
}

/** The driver's own short reason: the last line of its message that says something. */
export function shortReason(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const m = /Message: `([^`]*)`/.exec(text);
  if (m) return m[1];
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines[lines.length - 1] ?? 'no reason given';
}

/**
 * PostgreSQL's own error (code and message) inside `e`: a pg error, or one passed through
 * Prisma's driver adapter (as `meta.driverAdapterError.cause` or `cause`).
 */
export function postgresError(e: unknown): { code: string; message: string } | undefined {
  for (let err: unknown = e, depth = 0; err && typeof err === 'object' && depth < 5; depth++) {
    const o = err as {
      code?: unknown;
      message?: unknown;
      severity?: unknown;
      originalCode?: unknown;
      originalMessage?: unknown;
      meta?: { driverAdapterError?: unknown };
      cause?: unknown;
    };
    if (typeof o.originalCode === 'string')
      return {
        code: o.originalCode,
        message: typeof o.originalMessage === 'string' ? o.originalMessage : '',
      };
    // node-postgres: a five-character SQLSTATE with a severity.
    if (typeof o.code === 'string' && /^[0-9A-Z]{5}$/.test(o.code) && typeof o.severity === 'string')
      return { code: o.code, message: typeof o.message === 'string' ? o.message : '' };
    err = o.meta?.driverAdapterError ?? o.cause;
  }
  return undefined;
}

/**
 * `e` as one line for the user when PostgreSQL refused the role of DATABASE_URL a privilege
 * (SQLSTATE 42501: a command run with a role that lacks its privileges, docs/deployment.md
 * "Roles"): an InputError naming DATABASE_URL and the role (exit 2). Undefined for anything else.
 */
export function permissionDenied(e: unknown, url: string): InputError | undefined {
  const pgErr = postgresError(e);
  if (pgErr?.code !== '42501') return undefined;
  let role = '';
  try {
    role = ` "${parseDatabaseUrl(url).user}"`;
  } catch {
    // a URL that does not parse never reached the server
  }
  return new InputError(
    'DATABASE_URL',
    `role${role} may not do this: ${pgErr.message || 'permission denied'} (each command needs its role's privileges: docs/deployment.md, "Roles")`,
  );
}
