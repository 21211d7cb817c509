// A PostgreSQL 15 cluster of its own for TLS tests: initdb in a temporary directory, a
// self-signed CA and a server certificate made with openssl, `ssl = on`, and a pg_hba.conf that
// accepts TCP connections over TLS only (`hostssl`), on a free port. Started as the `postgres`
// system user when running as root (initdb refuses root).
import { makeTestCertificates } from './tls-certificates.js';
import { freePort } from '../../local/free-port.js';
import { spawn, type SpawnOptions } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export const PG_BIN = process.env.SGN_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface TlsCluster {
  port: number;
  /** CA that signed the server certificate (PEM file). */
  caFile: string;
  /** Another CA, which did not. */
  wrongCaFile: string;
  /** The name the server certificate is issued to (its only subjectAltName). */
  serverName: string;
  /** Directory of the cluster's Unix socket (pg_hba: trusted, no TLS). */
  socketDir: string;
  stop(): Promise<void>;
}

interface RunResult {
  code: number | null;
  output: string;
}

function run(cmd: string, args: string[], opts: SpawnOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

async function must(cmd: string, args: string[], opts: SpawnOptions = {}): Promise<string> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.code}):\n${r.output.trim()}`);
  return r.output;
}

/** Why a cluster cannot be started here (no binaries, no openssl, no postgres user), or null. */
export function tlsClusterUnavailable(): string | null {
  if (!existsSync(join(PG_BIN, 'initdb'))) return `no initdb in ${PG_BIN} (set SGN_TEST_PG_BIN)`;
  if (!['/usr/bin/openssl', '/usr/local/bin/openssl'].some((p) => existsSync(p))) return 'no openssl';
  return null;
}

/**
 * Starts the cluster. Throws (with initdb's / pg_ctl's output) when it cannot be started; the
 * caller decides whether that skips or fails.
 */
export async function startTlsCluster(): Promise<TlsCluster> {
  const root = userInfo().uid === 0;
  // mkdtemp makes a mode-700 directory: the postgres user must reach into it.
  const dir = mkdtempSync(join(tmpdir(), 'sgn-tls-pg-'));
  chmodSync(dir, 0o755);
  const serverName = 'localhost';
  let started = false;
  const data = join(dir, 'data');
  let as: SpawnOptions = {};
  try {
    makeTestCertificates(dir, [`DNS:${serverName}`]);
    if (root) {
      const ids = await must('id', ['-u', 'postgres']).then(async (uid) => ({
        uid: Number(uid.trim()),
        gid: Number((await must('id', ['-g', 'postgres'])).trim()),
      }));
      for (const f of ['server.key', 'server.crt', 'ca.crt']) chownSync(join(dir, f), ids.uid, ids.gid);
      chownSync(dir, ids.uid, ids.gid);
      as = { uid: ids.uid, gid: ids.gid, env: { ...process.env, HOME: dir } };
    }
    chmodSync(join(dir, 'server.key'), 0o600);
    await must(join(PG_BIN, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8'], {
      ...as,
      cwd: dir,
    });
    const port = await freePort();
    appendFileSync(
      join(data, 'postgresql.conf'),
      [
        `port = ${port}`,
        `listen_addresses = '127.0.0.1'`,
        `unix_socket_directories = '${dir}'`,
        'ssl = on',
        `ssl_cert_file = '${join(dir, 'server.crt')}'`,
        `ssl_key_file = '${join(dir, 'server.key')}'`,
        'fsync = off',
        '',
      ].join('\n'),
    );
    // TCP only over TLS; the socket (in `dir`) for nothing but pg_ctl's readiness check.
    writeFileSync(
      join(data, 'pg_hba.conf'),
      'local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostssl all all ::1/128 trust\n',
    );
    const pgCtl = join(PG_BIN, 'pg_ctl');
    await must(pgCtl, ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', 'start'], { ...as, cwd: dir });
    started = true;
    return {
      port,
      caFile: join(dir, 'ca.crt'),
      wrongCaFile: join(dir, 'wrong-ca.crt'),
      serverName,
      socketDir: dir,
      async stop() {
        await run(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop'], { ...as, cwd: dir });
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    if (started)
      await run(join(PG_BIN, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop'], { ...as, cwd: dir });
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
