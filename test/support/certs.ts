/** Self-signed certificates for TLS tests, made by openssl (CN localhost, SAN 127.0.0.1 and localhost). */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** A certificate and its key as PEM files in `dir`, named `name.crt` and `name.key`. */
export function makeCert(dir: string, name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}
