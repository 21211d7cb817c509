/**
 * Throwaway certificates for the TLS tests (PostgreSQL and Temporal), made with openssl in `dir`:
 * a CA, a server certificate it signs for the given names, and an unrelated CA (a wrong one).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCertificates {
  readonly caFile: string;
  readonly wrongCaFile: string;
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
}

/** `altNames` as openssl writes them: e.g. ['DNS:localhost', 'IP:127.0.0.1']. */
export function makeTestCertificates(dir: string, altNames: readonly string[]): TestCertificates {
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const newKey = ['-newkey', 'rsa:2048', '-nodes'];
  for (const ca of ['ca', 'wrong-ca'])
    openssl(
      'req',
      '-x509',
      ...newKey,
      '-days',
      '2',
      '-subj',
      `/CN=sgn test ${ca}`,
      '-keyout',
      `${ca}.key`,
      '-out',
      `${ca}.crt`,
    );
  openssl('req', ...newKey, '-subj', '/CN=localhost', '-keyout', 'server.key', '-out', 'server.csr');
  writeFileSync(join(dir, 'server.ext'), `subjectAltName=${altNames.join(',')}\nbasicConstraints=CA:FALSE\n`);
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'server.ext',
    '-out',
    'server.crt',
  );
  return {
    caFile: join(dir, 'ca.crt'),
    wrongCaFile: join(dir, 'wrong-ca.crt'),
    serverCertFile: join(dir, 'server.crt'),
    serverKeyFile: join(dir, 'server.key'),
  };
}
