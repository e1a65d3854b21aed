import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SmppClient, SmppServer, SmppStatusError, type Pdu, type Session } from '../../../src/smpp/index.js';
import { requireTool } from '../../support/services.js';

test('bind and submit over TLS with a self-signed certificate', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hermod-tls-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  const made = requireTool(t, 'openssl', () =>
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    ),
  );
  if (!made) return;
  const server = new SmppServer({
    host: '127.0.0.1',
    port: 0,
    lockout: false,
    tls: { key: readFileSync(key), cert: readFileSync(cert) },
  });
  server.on('session', (s: Session) => s.on('pdu', (pdu: Pdu) => s.respond(pdu, { messageId: 'tls-1' })));
  const port = await server.listen();

  const c = new SmppClient({
    host: '127.0.0.1',
    port,
    systemId: 'a',
    reconnect: false,
    tls: { ca: readFileSync(cert) },
  });
  await c.connect();
  assert.equal(
    (await c.submitSm({ destinationAddr: '1', shortMessage: Buffer.from('secret') })).messageId,
    'tls-1',
  );
  await c.close();

  // A client that does not trust the certificate never binds.
  const untrusting = new SmppClient({ host: '127.0.0.1', port, systemId: 'a', reconnect: false, tls: true });
  await assert.rejects(
    untrusting.connect(),
    (e: unknown) => !(e instanceof SmppStatusError) && /certificate/i.test(String(e)),
  );
  await server.close();
});
