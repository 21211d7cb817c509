/**
 * Where workers and clients find Temporal, and how they connect: Temporal's standard environment
 * configuration, read by the official loader (@temporalio/envconfig), with local defaults.
 *
 * - TEMPORAL_ADDRESS (default localhost:7233), TEMPORAL_NAMESPACE (default `default`);
 * - TEMPORAL_API_KEY (sent as `authorization: Bearer <key>`; turns TLS on, as Temporal Cloud needs);
 * - TEMPORAL_TLS=true|false, TEMPORAL_TLS_SERVER_CA_CERT_PATH, TEMPORAL_TLS_SERVER_NAME,
 *   TEMPORAL_TLS_CLIENT_CERT_PATH + TEMPORAL_TLS_CLIENT_KEY_PATH (mTLS), and the *_DATA forms;
 * - TEMPORAL_GRPC_META_<NAME>: extra gRPC headers;
 * - TEMPORAL_PROFILE (default `default`) picks a profile of the TOML file TEMPORAL_CONFIG_FILE
 *   (default ~/.config/temporalio/temporal.toml); variables override the profile's values.
 *
 * SGN_TASK_QUEUE is ours (see temporalConfig). The variables come in as SgnConfig.temporal
 * (config/config.ts), which has already refused what their text alone shows to be wrong (a
 * TEMPORAL_TLS that is neither true nor false, a TEMPORAL_ADDRESS that is not host:port). What
 * needs the files is checked here, as InputErrors naming the setting (exit 2): an unreadable or
 * non-PEM certificate file, a client certificate without its key, a missing profile or config
 * file, a profile's address that is not host:port.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { checkServerIdentity as checkIdentity, connect as tlsConnect } from 'node:tls';
import {
  loadClientConfigProfile,
  toClientOptions,
  type ClientConfigProfile,
  type ConfigDataSource,
} from '@temporalio/envconfig';
import type { TLSConfig } from '@temporalio/client';
import { TEMPORAL_ADDRESS_PATTERN, type Env, type TemporalSettings } from '../config/config.js';
import { ServiceUnavailable, shortReason } from '../db/unavailable.js';
import { InputError } from '../sgn/util/errors.js';

export interface TemporalConfig {
  readonly address: string;
  readonly namespace: string;
  readonly taskQueue: string;
  /**
   * True: `taskQueue` is a prefix, and the queue actually used is `<taskQueue>-<database key>`
   * (see scopedTaskQueue). Set when SGN_TASK_QUEUE is not; absent or false: used as given.
   */
  readonly perDatabaseQueue?: boolean;
  /** TLS: absent or false for plain TCP; true for TLS with the system's roots; or its settings. */
  readonly tls?: TLSConfig | boolean;
  readonly apiKey?: string;
  /** Extra gRPC headers (TEMPORAL_GRPC_META_*, a profile's grpc_meta). */
  readonly metadata?: Record<string, string>;
  /** Where the TLS settings came from, for error messages (e.g. `TEMPORAL_TLS_SERVER_CA_CERT_PATH`). */
  readonly tlsSettings?: string;
}

/** What Connection.connect (client) and NativeConnection.connect (worker) are given. */
export interface TemporalConnectionOptions {
  readonly address: string;
  readonly tls?: TLSConfig | boolean;
  readonly apiKey?: string;
  readonly metadata?: Record<string, string>;
}

/** The default task queue's prefix. */
export const DEFAULT_TASK_QUEUE = 'sgn-sweeps';
export const DEFAULT_ADDRESS = 'localhost:7233';

/** The connection options of `config`: the one builder both the client and the workers use. */
export function temporalConnectionOptions(config: TemporalConfig): TemporalConnectionOptions {
  if (config.tls !== undefined && config.tls !== false && isIP(hostPort(config.address).host))
    quietIpServerNameWarning();
  return {
    address: config.address,
    ...(config.tls !== undefined && config.tls !== false ? { tls: config.tls } : {}),
    ...(config.apiKey !== undefined ? { apiKey: config.apiKey } : {}),
    ...(config.metadata && Object.keys(config.metadata).length ? { metadata: { ...config.metadata } } : {}),
  };
}

/**
 * The TOML file: TEMPORAL_CONFIG_FILE, else temporalio/temporal.toml in the user's config
 * directory, found as @temporalio/envconfig finds it (XDG_CONFIG_HOME or ~/.config on Linux).
 */
function configFilePath(env: Env): string {
  const explicit = env.TEMPORAL_CONFIG_FILE;
  if (explicit !== undefined) return explicit;
  const home = env.HOME || homedir();
  const dir =
    process.platform === 'win32'
      ? env.APPDATA || join(home, 'AppData', 'Roaming')
      : process.platform === 'darwin'
        ? join(home, 'Library', 'Application Support')
        : env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME)
          ? env.XDG_CONFIG_HOME
          : join(home, '.config');
  return join(dir, 'temporalio', 'temporal.toml');
}

const firstLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]!;

const TLS_FILES = [
  { key: 'serverCACert', env: 'TEMPORAL_TLS_SERVER_CA_CERT', toml: 'server_ca_cert' },
  { key: 'clientCert', env: 'TEMPORAL_TLS_CLIENT_CERT', toml: 'client_cert' },
  { key: 'clientKey', env: 'TEMPORAL_TLS_CLIENT_KEY', toml: 'client_key' },
] as const;

/**
 * Temporal's address, namespace, TLS and API key from Temporal's environment configuration
 * (@temporalio/envconfig: variables over the TEMPORAL_PROFILE profile of the TOML file), with
 * certificate files read here so that a bad one is an InputError naming its setting.
 *
 * The task queue: a worker is bound to one database: it reads the spec of every batch it is
 * given from its own DATABASE_URL and writes the rows there. Workers of two databases polling
 * one task queue would take each other's batches and compute them against the wrong database (or
 * fail them with "not in the database"). So unless SGN_TASK_QUEUE names a queue, the queue is
 * scoped to the database: `sgn-sweeps-<key>`, with the key derived from the database itself
 * (db/client.ts databaseKey: its name and a random id stored in it when it was first migrated),
 * not from the URL, so that a worker reaching PostgreSQL as `postgresql:5432` (docker compose)
 * and a CLI reaching it as `localhost:5432` agree. Workers also check each activity's workflow id
 * against the sweep's stored one (workers/worker.ts), which catches two databases given one queue
 * by hand.
 */
export function temporalConfig(settings: TemporalSettings): TemporalConfig {
  const explicit = settings.taskQueue;
  const env: Env = settings.variables;
  const vars = { ...settings.variables };
  const tlsFlag = env.TEMPORAL_TLS;

  const file = configFilePath(env);
  const profileName = env.TEMPORAL_PROFILE || 'default';
  const fileSetting = env.TEMPORAL_CONFIG_FILE !== undefined ? 'TEMPORAL_CONFIG_FILE' : file;
  // The file is read here: one named by TEMPORAL_CONFIG_FILE must be there (the loader takes a
  // missing file for an empty one), and the loader trips over a file without any profile table.
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (env.TEMPORAL_CONFIG_FILE !== undefined || (e as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new InputError(fileSetting, `cannot read ${file}: ${shortReason(e)}`);
  }
  const data = /^\s*\[\s*profile\s*\]\s*$/m.test(text) ? text : `${text}\n[profile]\n`;
  let profile: ClientConfigProfile;
  try {
    profile = loadClientConfigProfile({ configSource: { data }, overrideEnvVars: vars });
  } catch (e) {
    const message = firstLine(e);
    if (/^Profile '.*' not found/.test(message))
      throw new InputError('TEMPORAL_PROFILE', `no profile "${profileName}" in ${file}`);
    if (/Cannot specify both/.test(message)) throw new InputError('Temporal TLS settings', message);
    throw new InputError(fileSetting, `${file}: ${message}`);
  }

  // Where each setting came from: the variable when it is set, else the profile's key.
  const origin = (envName: string, tomlKey: string): string =>
    env[envName] !== undefined ? envName : `tls.${tomlKey} of profile "${profileName}" in ${file}`;

  let tlsSettings: string | undefined;
  if (profile.tls && profile.tls.disabled !== true) {
    const tls = { ...profile.tls };
    const named: string[] = [];
    for (const f of TLS_FILES) {
      const source: ConfigDataSource | undefined = tls[f.key];
      if (source === undefined) continue;
      const setting =
        'path' in source
          ? origin(`${f.env}_PATH`, `${f.toml}_path`)
          : origin(`${f.env}_DATA`, `${f.toml}_data`);
      named.push(setting);
      let data: Buffer;
      if ('path' in source) {
        try {
          data = readFileSync(source.path);
        } catch (e) {
          throw new InputError(setting, `cannot read ${source.path}: ${shortReason(e)}`);
        }
      } else data = Buffer.from(source.data);
      if (!data.toString('latin1').includes('-----BEGIN '))
        throw new InputError(setting, `${'path' in source ? source.path : 'the value'} is not PEM`);
      tls[f.key] = { data };
    }
    if ((tls.clientCert === undefined) !== (tls.clientKey === undefined)) {
      const [has, lacks] = tls.clientCert ? ['CERT', 'KEY'] : ['KEY', 'CERT'];
      throw new InputError(
        `TEMPORAL_TLS_CLIENT_${lacks}_PATH`,
        `a client TLS ${has === 'CERT' ? 'certificate' : 'key'} needs its ${lacks === 'KEY' ? 'key' : 'certificate'} too`,
      );
    }
    if (tls.serverName !== undefined) named.push(origin('TEMPORAL_TLS_SERVER_NAME', 'server_name'));
    if (!named.length)
      named.push(tlsFlag !== undefined ? 'TEMPORAL_TLS' : `tls of profile "${profileName}" in ${file}`);
    tlsSettings = named.join(', ');
    profile = { ...profile, tls };
  } else if (profile.apiKey !== undefined && profile.tls?.disabled !== true) {
    tlsSettings =
      env.TEMPORAL_API_KEY !== undefined
        ? 'TEMPORAL_API_KEY (TLS on)'
        : `api_key of profile "${profileName}" (TLS on)`;
  }

  // The official mapping from a profile to connection options (TLS on with an API key, ...).
  const { connectionOptions, namespace } = toClientOptions(profile);
  const tls = connectionOptions.tls ?? undefined;
  const apiKey = typeof connectionOptions.apiKey === 'string' ? connectionOptions.apiKey : undefined;
  const metadata = connectionOptions.metadata as Record<string, string> | undefined;
  const address = connectionOptions.address || DEFAULT_ADDRESS;
  // The variable was checked with the settings; an address from the profile is checked here.
  if (!TEMPORAL_ADDRESS_PATTERN.test(address))
    throw new InputError('TEMPORAL_ADDRESS', `must be host:port, got ${JSON.stringify(address)}`);
  return {
    address,
    namespace: namespace || 'default',
    taskQueue: explicit || DEFAULT_TASK_QUEUE,
    perDatabaseQueue: !explicit,
    ...(tls !== undefined && tls !== false ? { tls, tlsSettings } : {}),
    ...(apiKey !== undefined ? { apiKey } : {}),
    ...(metadata && Object.keys(metadata).length ? { metadata } : {}),
  };
}

/** The config with its task queue fixed for the database of key `databaseKey`. */
export function scopedTaskQueue(config: TemporalConfig, databaseKey: string): TemporalConfig {
  if (!config.perDatabaseQueue) return config;
  return { ...config, taskQueue: `${config.taskQueue}-${databaseKey}`, perDatabaseQueue: false };
}

let warningFiltered = false;

/**
 * The client's gRPC library gives TLS an IP address as the server name when TEMPORAL_ADDRESS is
 * one, and Node then warns (DEP0123, RFC 6066) on stderr, two lines the user can do nothing
 * about, before the CLI's one-line messages. That warning alone is dropped.
 */
function quietIpServerNameWarning(): void {
  if (warningFiltered) return;
  warningFiltered = true;
  const emit = process.emitWarning.bind(process) as (warning: string | Error, ...rest: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]): void => {
    if (rest.includes('DEP0123')) return;
    emit(warning, ...rest);
  }) as typeof process.emitWarning;
}

/** host and port of `address` (`host:port`, `[v6]:port`; 7233 when absent). */
function hostPort(address: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(address) ?? /^([^:]*)(?::(\d+))?$/.exec(address);
  return { host: m?.[1] || 'localhost', port: m?.[2] ? Number(m[2]) : 7233 };
}

/**
 * Why a TLS handshake with Temporal at `config.address`, made with `config`'s TLS settings, fails
 * (e.g. "self-signed certificate in certificate chain"); undefined when it succeeds or the
 * server cannot be reached at all. The SDKs' own errors say little more than "transport error".
 */
export function tlsHandshakeFailure(config: TemporalConfig, timeoutMs = 3000): Promise<string | undefined> {
  const { host, port } = hostPort(config.address);
  const tls = typeof config.tls === 'object' ? config.tls : {};
  const servername = tls.serverNameOverride ?? (isIP(host) ? undefined : host);
  return new Promise((resolve) => {
    const buf = (b: Uint8Array | undefined): Buffer | undefined => (b ? Buffer.from(b) : undefined);
    const socket = tlsConnect({
      host,
      port,
      ...(servername !== undefined ? { servername } : {}),
      ca: buf(tls.serverRootCACertificate),
      cert: buf(tls.clientCertPair?.crt),
      key: buf(tls.clientCertPair?.key),
      ALPNProtocols: ['h2'],
      ...(tls.serverNameOverride !== undefined
        ? { checkServerIdentity: (_h: string, cert) => checkIdentity(tls.serverNameOverride!, cert) }
        : {}),
    });
    const done = (reason: string | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(reason);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.once('secureConnect', () => done(undefined));
    socket.once('error', (e: NodeJS.ErrnoException) =>
      done(
        /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|EAI_AGAIN/.test(e.code ?? '')
          ? undefined
          : shortReason(e),
      ),
    );
  });
}

/**
 * Temporal at `config.address` could not be connected to (`e`, from Connection.connect or
 * NativeConnection.connect): one line for the user (exit 3), naming the setting to look at. With
 * TLS on, a failed handshake is told apart and names the TLS settings in use.
 */
export async function temporalUnavailable(config: TemporalConfig, e: unknown): Promise<ServiceUnavailable> {
  if (config.tls !== undefined && config.tls !== false) {
    const handshake = await tlsHandshakeFailure(config);
    if (handshake !== undefined)
      return new ServiceUnavailable(
        'Temporal',
        `TLS handshake with Temporal at ${config.address} failed (${config.tlsSettings ?? 'TEMPORAL_TLS'}): ${handshake}`,
        { cause: e },
      );
    return new ServiceUnavailable(
      'Temporal',
      `cannot reach Temporal at ${config.address} over TLS (TEMPORAL_ADDRESS; ${config.tlsSettings ?? 'TEMPORAL_TLS'}): ${shortReason(e)}`,
      { cause: e },
    );
  }
  return new ServiceUnavailable(
    'Temporal',
    `cannot reach Temporal at ${config.address} (TEMPORAL_ADDRESS): ${shortReason(e)}`,
    { cause: e },
  );
}
