/**
 * workers/config.ts: Temporal's environment configuration (@temporalio/envconfig) into the one
 * set of connection options the client and the workers use (unit tests; no server). The TLS
 * suite (test/temporal-tls.test.ts) checks the same settings against a real server.
 * (Here rather than beside workers/config.ts: vitest.config.ts does not collect workers/.)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import { InputError } from '../sgn/util/errors.js';
import { temporalConfig, temporalConnectionOptions } from '../workers/config.js';

const dir = mkdtempSync(join(tmpdir(), 'sgn-temporal-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PEM = (what: string): string => `-----BEGIN ${what}-----\nMIIB${what.length}\n-----END ${what}-----\n`;
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const ca = file('ca.pem', PEM('CERTIFICATE'));
const crt = file('client.pem', PEM('CERTIFICATE') + '\n');
const key = file('client.key', PEM('PRIVATE KEY'));
// No user config file: HOME points at an empty directory.
const base = { HOME: dir, XDG_CONFIG_HOME: join(dir, 'xdg') };
// The variables go through the settings, as at start-up (TEMPORAL_TLS and TEMPORAL_ADDRESS are
// checked there; the files here).
const config = (env: NodeJS.ProcessEnv) => temporalConfig(loadConfig({ ...base, ...env }).temporal);
const options = (env: NodeJS.ProcessEnv) => temporalConnectionOptions(config(env));

/** The InputError the settings or temporalConfig throw for `env`: its field. */
function badField(env: NodeJS.ProcessEnv): string {
  try {
    config(env);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).not.toContain('\n');
    return (e as InputError).field;
  }
  throw new Error(`no error for ${JSON.stringify(env)}`);
}

describe('temporalConfig', () => {
  it('defaults: localhost:7233, namespace default, plain TCP, no key', () => {
    const c = config({});
    expect(c).toMatchObject({ address: 'localhost:7233', namespace: 'default', taskQueue: 'sgn-sweeps' });
    expect(temporalConnectionOptions(c)).toEqual({ address: 'localhost:7233' });
  });

  it('TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, SGN_TASK_QUEUE', () => {
    const c = config({ TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_NAMESPACE: 'ns', SGN_TASK_QUEUE: 'q' });
    expect(c).toMatchObject({
      address: 'temporal:7233',
      namespace: 'ns',
      taskQueue: 'q',
      perDatabaseQueue: false,
    });
  });

  it('TEMPORAL_API_KEY is passed to the connection, with TLS on (system roots)', () => {
    expect(options({ TEMPORAL_API_KEY: 'k-123' })).toEqual({
      address: 'localhost:7233',
      apiKey: 'k-123',
      tls: true,
    });
    // TLS explicitly off keeps the key (a local proxy that terminates TLS).
    expect(options({ TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' })).toEqual({
      address: 'localhost:7233',
      apiKey: 'k',
    });
  });

  it('TEMPORAL_TLS_SERVER_CA_CERT_PATH, TEMPORAL_TLS_SERVER_NAME, client certificate and key', () => {
    const o = options({
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca,
      TEMPORAL_TLS_SERVER_NAME: 'temporal.example',
      TEMPORAL_TLS_CLIENT_CERT_PATH: crt,
      TEMPORAL_TLS_CLIENT_KEY_PATH: key,
    });
    expect(o.tls).toBeTypeOf('object');
    const tls = o.tls as Exclude<typeof o.tls, boolean | undefined>;
    expect(Buffer.from(tls.serverRootCACertificate!).toString()).toBe(PEM('CERTIFICATE'));
    expect(tls.serverNameOverride).toBe('temporal.example');
    expect(Buffer.from(tls.clientCertPair!.crt).toString()).toBe(PEM('CERTIFICATE') + '\n');
    expect(Buffer.from(tls.clientCertPair!.key).toString()).toBe(PEM('PRIVATE KEY'));
    expect(config({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca }).tlsSettings).toBe(
      'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
    );
  });

  it('TEMPORAL_TLS=true alone: TLS with the system roots; false turns a CA off', () => {
    expect(options({ TEMPORAL_TLS: 'true' }).tls).toEqual({});
    expect(options({ TEMPORAL_TLS: 'false', TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca }).tls).toBeUndefined();
  });

  it('TEMPORAL_GRPC_META_* headers', () => {
    expect(options({ TEMPORAL_GRPC_META_X_TENANT: 'a' }).metadata).toEqual({ 'x-tenant': 'a' });
  });

  it('bad settings: one line naming the variable', () => {
    expect(badField({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: join(dir, 'missing.pem') })).toBe(
      'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
    );
    expect(badField({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: dir })).toBe('TEMPORAL_TLS_SERVER_CA_CERT_PATH');
    expect(badField({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: file('junk.pem', 'not a certificate') })).toBe(
      'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
    );
    expect(
      badField({ TEMPORAL_TLS_CLIENT_CERT_PATH: join(dir, 'nope.pem'), TEMPORAL_TLS_CLIENT_KEY_PATH: key }),
    ).toBe('TEMPORAL_TLS_CLIENT_CERT_PATH');
    expect(badField({ TEMPORAL_TLS_CLIENT_CERT_PATH: crt })).toBe('TEMPORAL_TLS_CLIENT_KEY_PATH');
    expect(badField({ TEMPORAL_TLS_CLIENT_KEY_PATH: key })).toBe('TEMPORAL_TLS_CLIENT_CERT_PATH');
    expect(badField({ TEMPORAL_TLS: 'maybe' })).toBe('TEMPORAL_TLS');
    expect(badField({ TEMPORAL_ADDRESS: 'http://x:7233' })).toBe('TEMPORAL_ADDRESS');
    expect(badField({ TEMPORAL_CONFIG_FILE: join(dir, 'none.toml') })).toBe('TEMPORAL_CONFIG_FILE');
    expect(badField({ TEMPORAL_CONFIG_FILE: file('bad.toml', '[profile.x\naddress = ') })).toBe(
      'TEMPORAL_CONFIG_FILE',
    );
    expect(badField({ TEMPORAL_PROFILE: 'nope' })).toBe('TEMPORAL_PROFILE');
  });
});

describe('the TOML profile file', () => {
  const toml = file(
    'temporal.toml',
    [
      '[profile.default]',
      'address = "default-host:7233"',
      '',
      '[profile.prod]',
      'address = "prod-host:7233"',
      'namespace = "prod-ns"',
      'api_key = "prod-key"',
      '[profile.prod.tls]',
      `server_ca_cert_path = "${ca}"`,
      'server_name = "prod.example"',
      '',
      '[profile.broken.tls]',
      `server_ca_cert_path = "${join(dir, 'gone.pem')}"`,
      '',
    ].join('\n'),
  );

  it('TEMPORAL_PROFILE selects a profile of TEMPORAL_CONFIG_FILE; without it, profile default', () => {
    expect(config({ TEMPORAL_CONFIG_FILE: toml }).address).toBe('default-host:7233');
    const c = config({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'prod' });
    expect(c).toMatchObject({ address: 'prod-host:7233', namespace: 'prod-ns', apiKey: 'prod-key' });
    const tls = temporalConnectionOptions(c).tls;
    expect(tls).toMatchObject({ serverNameOverride: 'prod.example' });
    expect(c.tlsSettings).toContain(`tls.server_ca_cert_path of profile "prod" in ${toml}`);
  });

  it('variables override the profile', () => {
    const c = config({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'prod', TEMPORAL_ADDRESS: 'other:1' });
    expect(c.address).toBe('other:1');
    expect(c.namespace).toBe('prod-ns');
  });

  it('the default file is ~/.config/temporalio/temporal.toml', () => {
    const home = mkdtempSync(join(dir, 'home-'));
    const cfg = join(home, '.config', 'temporalio');
    mkdirSync(cfg, { recursive: true });
    writeFileSync(join(cfg, 'temporal.toml'), '[profile.default]\nnamespace = "from-home"\n');
    expect(temporalConfig(loadConfig({ HOME: home }).temporal).namespace).toBe('from-home');
  });

  it("a profile's unreadable certificate names the profile's key", () => {
    expect(badField({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'broken' })).toBe(
      `tls.server_ca_cert_path of profile "broken" in ${toml}`,
    );
  });
});
