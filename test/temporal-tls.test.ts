/**
 * Temporal as users deploy it (issue 22): workers and the CLI reach Temporal over TLS, configured
 * by Temporal's environment configuration (workers/config.ts), against a real dev server.
 *
 * The dev server (temporal CLI 1.9.1 `server start-dev`) has no TLS flags, so a TLS-terminating
 * proxy (node:tls, ALPN h2) made here with a CA and server certificate from openssl sits in front
 * of it. A real worker process and `sgn sweep start --wait` complete a sweep through it, with
 * TEMPORAL_TLS_SERVER_CA_CERT_PATH, and again with a TOML profile chosen by TEMPORAL_PROFILE
 * (address, namespace, TLS). A wrong CA: one line naming Temporal and the setting, exit 3; an
 * unreadable CA: one line naming the variable, exit 2. TEMPORAL_API_KEY: an HTTP/2 server behind
 * the same certificate records the `authorization` header both the CLI and a worker send.
 */
import { makeTestCertificates } from './support/tls-certificates.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import { connect as netConnect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSpecFile } from '../sweep/resolve.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { runCli, startWorker, type CliResult, type WorkerProcess } from './support/processes.js';
import { projectRoot } from './support/reference.js';
import { checkStored, referenceCells } from './support/results.js';
import { startTemporalDevServer, type TemporalDevServer } from '../local/temporal-dev-server.js';

const SPEC = join(projectRoot, 'examples', 'small.yaml');
const NAMESPACE = 'sgn-tls';
const tmp = mkdtempSync(join(tmpdir(), 'sgn-temporal-tls-'));

let temporal: TemporalDevServer;
let db: TestDatabase;
let proxy: TlsServer;
let proxied = 0;
let proxyAddress: string;
let capture: Http2SecureServer;
let captureAddress: string;
const captured: Record<string, string | string[] | undefined>[] = [];
const workers: WorkerProcess[] = [];
const caPath = join(tmp, 'ca.crt');
const wrongCaPath = join(tmp, 'wrong-ca.crt');

/** A CA, a server certificate it signs (127.0.0.1, localhost), and an unrelated CA. */
function makeCertificates(): { key: Buffer; cert: Buffer } {
  const made = makeTestCertificates(tmp, ['IP:127.0.0.1', 'DNS:localhost']);
  return { key: readFileSync(made.serverKeyFile), cert: readFileSync(made.serverCertFile) };
}

const listen = (server: TlsServer | Http2SecureServer): Promise<string> =>
  new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );

/** One line on stderr, nothing on stdout, no stack trace; returns the line. */
function oneLine(r: CliResult, code: number, what: string): string {
  const shown = `${what}\nexit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
  expect(r.code, shown).toBe(code);
  expect(r.stdout, shown).toBe('');
  const line = r.stderr.replace(/\n$/, '');
  expect(line, `one line: ${shown}`).not.toContain('\n');
  expect(line, `no stack trace: ${shown}`).not.toMatch(/\bat .*:\d+:\d+|Error:/);
  return line;
}

beforeAll(async () => {
  // Only what each test gives: none of the caller's Temporal settings.
  for (const k of Object.keys(process.env))
    if (k.startsWith('TEMPORAL_') && k !== 'TEMPORAL_CLI_PATH') delete process.env[k];
  delete process.env.SGN_TASK_QUEUE;
  process.env.TEMPORAL_CONFIG_FILE = join(tmp, 'empty.toml');
  writeFileSync(process.env.TEMPORAL_CONFIG_FILE, '');
  const tlsOptions = makeCertificates();
  [temporal, db] = await Promise.all([
    startTemporalDevServer({ namespaces: [NAMESPACE] }),
    createTestDatabase({ label: 'tls' }),
  ]);
  const [host, port] = temporal.address.split(':');
  proxy = createTlsServer({ ...tlsOptions, ALPNProtocols: ['h2'] }, (client) => {
    proxied++;
    const upstream = netConnect(Number(port), host);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  proxy.on('tlsClientError', () => undefined);
  proxyAddress = await listen(proxy);
  // Answers every gRPC call "unauthenticated" after noting its headers.
  capture = createSecureServer(tlsOptions, (req, res) => {
    captured.push({ ...req.headers });
    res.writeHead(200, {
      'content-type': 'application/grpc',
      'grpc-status': '16',
      'grpc-message': 'who are you',
    });
    res.end();
  });
  capture.on('sessionError', () => undefined);
  captureAddress = await listen(capture);
}, 240_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill('SIGTERM')));
  proxy?.close();
  capture?.close();
  await temporal?.stop();
  await db?.drop();
  rmSync(tmp, { recursive: true, force: true });
}, 60_000);

/** The sweep `id` is stored complete with the reference cells. */
async function expectComplete(id: string): Promise<void> {
  const resolved = resolveSpecFile(SPEC);
  expect(await checkStored(db.prisma, id, await referenceCells(resolved))).toMatchObject({
    stored: resolved.totalCells,
    mismatches: 0,
    missing: 0,
    status: 'completed',
  });
}

describe('Temporal over TLS', () => {
  it('a worker and sgn sweep start --wait complete a sweep with TEMPORAL_TLS_SERVER_CA_CERT_PATH', async () => {
    const env = {
      DATABASE_URL: db.url,
      TEMPORAL_ADDRESS: proxyAddress,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: caPath,
    };
    const before = proxied;
    const w = startWorker(env, 2);
    workers.push(w);
    await w.ready;
    expect(w.output()).toContain(`at ${proxyAddress} over TLS (namespace default)`);
    const r = await runCli(['sweep', 'start', SPEC, '--id', 'tls-env', '--wait'], env);
    expect(r.code, r.stderr).toBe(0);
    await expectComplete('tls-env');
    expect(proxied - before).toBeGreaterThanOrEqual(2);
    // Without the CA, the same proxy is refused (the test server's CA is not a system root).
    const plain = oneLine(
      await runCli(['sweep', 'start', SPEC, '--id', 'tls-roots'], {
        DATABASE_URL: db.url,
        TEMPORAL_ADDRESS: proxyAddress,
        TEMPORAL_TLS: 'true',
      }),
      3,
      'system roots',
    );
    expect(plain).toMatch(/TLS handshake with Temporal/);
    await w.kill('SIGTERM');
  }, 240_000);

  it('a wrong CA: one line naming Temporal and the setting, exit 3 (CLI and worker)', async () => {
    const env = {
      DATABASE_URL: db.url,
      TEMPORAL_ADDRESS: proxyAddress,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: wrongCaPath,
    };
    for (const args of [['sweep', 'start', SPEC, '--id', 'tls-wrong'], ['worker']]) {
      const line = oneLine(await runCli(args, env), 3, args[0]!);
      expect(line).toContain(
        `TLS handshake with Temporal at ${proxyAddress} failed (TEMPORAL_TLS_SERVER_CA_CERT_PATH)`,
      );
    }
  }, 120_000);

  it('a missing CA file: one line naming the variable, exit 2', async () => {
    const env = {
      DATABASE_URL: db.url,
      TEMPORAL_ADDRESS: proxyAddress,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: join(tmp, 'no.pem'),
    };
    for (const args of [['sweep', 'start', SPEC, '--id', 'tls-missing'], ['worker']]) {
      const line = oneLine(await runCli(args, env), 2, args[0]!);
      expect(line).toMatch(/^sgn \w+: TEMPORAL_TLS_SERVER_CA_CERT_PATH: cannot read .*no\.pem/);
    }
  }, 120_000);

  it('a TOML profile chosen by TEMPORAL_PROFILE supplies address, namespace and TLS', async () => {
    const toml = join(tmp, 'temporal.toml');
    writeFileSync(
      toml,
      [
        '[profile.default]',
        'address = "127.0.0.1:1"',
        '[profile.staging]',
        `address = "${proxyAddress}"`,
        `namespace = "${NAMESPACE}"`,
        '[profile.staging.tls]',
        `server_ca_cert_path = "${caPath}"`,
        'server_name = "localhost"',
        '',
      ].join('\n'),
    );
    const env = { DATABASE_URL: db.url, TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'staging' };
    const w = startWorker(env, 2);
    workers.push(w);
    await w.ready;
    expect(w.output()).toContain(`at ${proxyAddress} over TLS (namespace ${NAMESPACE})`);
    const r = await runCli(['sweep', 'start', SPEC, '--id', 'tls-profile', '--wait'], env);
    expect(r.code, r.stderr).toBe(0);
    await expectComplete('tls-profile');
    // The workflow ran in the profile's namespace.
    const row = await db.prisma.sweep.findUniqueOrThrow({ where: { id: 'tls-profile' } });
    const connection = await Connection.connect({ address: temporal.address });
    try {
      const d = await new Client({ connection, namespace: NAMESPACE }).workflow
        .getHandle(row.workflowId)
        .describe();
      expect(d.status.name).toBe('COMPLETED');
    } finally {
      await connection.close();
    }
    await w.kill('SIGTERM');
  }, 240_000);

  it('TEMPORAL_API_KEY is sent as authorization: Bearer <key> by the CLI and by a worker', async () => {
    const env = {
      DATABASE_URL: db.url,
      TEMPORAL_ADDRESS: captureAddress,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: caPath,
      TEMPORAL_API_KEY: 'sgn-test-key',
    };
    for (const args of [['sweep', 'start', SPEC, '--id', 'tls-key'], ['worker']]) {
      captured.length = 0;
      const line = oneLine(await runCli(args, env), 3, args[0]!);
      expect(line).toContain(`Temporal at ${captureAddress}`);
      expect(captured.length, args[0]).toBeGreaterThan(0);
      expect(captured.map((h) => h.authorization)).toContain('Bearer sgn-test-key');
    }
  }, 120_000);
});
