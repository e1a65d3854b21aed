// An upstream SMSC over TLS with a certificate of a private CA (here self-signed, made by
// openssl): a connector with `tls: { ca }` verifies it, binds and delivers; one with
// `tls: true` (the system's CAs only) is refused by TLS and says so in its status; a CA
// path that cannot be read, or a file with no certificate, stops the start naming the key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, parseConfig } from '../../src/config/index.js';
import { SmscSimulator } from '../../src/simulator/index.js';
import { makeCert } from '../support/certs.js';
import { configuredHermod } from '../support/hermod.js';
import { requireTool } from '../support/services.js';
import { until } from '../support/until.js';

test('connector tls: { ca } binds to an SMSC with a private certificate and delivers; tls: true refuses it; a bad CA file is named at start', async (t) => {
  if (!requireTool(t, 'openssl', () => execFileSync('openssl', ['version']))) return;
  const dir = mkdtempSync(join(tmpdir(), 'hermod-upstream-tls-'));
  const { cert, key } = makeCert(dir, 'smsc');
  const sim = new SmscSimulator({ port: 0, tls: { cert: readFileSync(cert), key: readFileSync(key) } });
  const port = await sim.listen();
  const h = await configuredHermod({
    users: [{ username: 'shop', password: 'pw', balance: 1, rate: 0.01 }],
    connectors: [
      {
        id: 'secure',
        type: 'smpp',
        host: '127.0.0.1',
        port,
        systemId: 'hermod',
        password: 'x',
        tls: { ca: cert },
      },
      {
        id: 'untrusting',
        type: 'smpp',
        host: '127.0.0.1',
        port,
        systemId: 'other',
        password: 'x',
        tls: true,
        reconnectDelayS: { min: 0.2, max: 0.5 },
      },
    ],
    routes: [{ name: 'default', type: 'static', connectors: ['secure'] }],
  });
  try {
    await until('the CA-verified bind', () => h.connectors.get('secure')!.ready);
    const user = (await h.store.getUserByName('shop'))!;
    const id = await h.gateway.submit(user, {
      systemId: 'shop',
      source: 'Shop',
      destination: '447700900123',
      esmClass: 0,
      dataCoding: 0,
      body: Buffer.from('over TLS'),
      registeredDelivery: 0,
    });
    await until('at the SMSC', () => sim.submitted.some((m) => m.shortMessage.toString() === 'over TLS'));
    await until('delivered', async () => (await h.store.getMessage(id))?.state === 'delivered');
    await until('the untrusting connector gave up on the handshake', () =>
      /self[- ]signed/i.test(String(h.connectors.get('untrusting')!.status().lastError)),
    );
    assert.equal(h.connectors.get('untrusting')!.ready, false);
    assert.ok(!sim.sessions.some((s) => s.systemId === 'other'), 'never reached a bind');
  } finally {
    await h.stop();
    await sim.close();
  }

  const issues = (tls: unknown) => {
    try {
      parseConfig({
        connectors: [{ id: 'up', type: 'smpp', host: 'smsc.example', port: 3550, systemId: 'h', tls }],
        routes: [{ name: 'default', connectors: ['up'] }],
      });
    } catch (err) {
      return (err as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
    }
    return [];
  };
  assert.deepEqual(issues({ ca: join(dir, 'none.pem') }), [
    `connectors[0].tls.ca: cannot read "${join(dir, 'none.pem')}": ENOENT`,
  ]);
  assert.deepEqual(issues({ ca: key }), [`connectors[0].tls.ca: "${key}" holds no PEM certificate`]);
  assert.deepEqual(issues({ cafile: cert }), ['connectors[0].tls.cafile: unknown key']);
  assert.deepEqual(issues({ ca: cert, servername: 'smsc.example', insecure: false }), []);
});
