// SMPP over TLS for customers (server.smppTls; Jasmin's SMPP server has none): the npm
// `smpp` package (a client we did not write) binds over ssmpp://, verifying our certificate,
// submits and gets its receipt; our own SmppClient binds on the same TLS port while the plain
// port keeps working; a missing file or a key of another certificate stops the start naming
// the key. The certificate is made by openssl for this test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import smpp, { type PduObject, type Session as TheirSession } from 'smpp';
import { ConfigError, parseConfig } from '../../src/config/index.js';
import { SmppClient } from '../../src/smpp/index.js';
import { configuredHermod } from '../support/hermod.js';
import { requireTool } from '../support/services.js';
import { makeCert } from '../support/certs.js';
import { until } from '../support/until.js';

const once = <T>(register: (cb: (v: T) => void) => void): Promise<T> =>
  new Promise((resolve) => register(resolve));

const DOC = (tls: unknown) => ({
  server: { smppTls: tls },
  users: [{ username: 'shop', password: 'pw', balance: 10, rate: 0.01 }],
  connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 0 } }],
  routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
});

test('SMPP over TLS: npm smpp binds over ssmpp:// verifying our certificate, submits and gets its receipt; our client too; the plain port still works', async (t) => {
  if (!requireTool(t, 'openssl', () => execFileSync('openssl', ['version']))) return;
  const dir = mkdtempSync(join(tmpdir(), 'hermod-tls-'));
  const { cert, key } = makeCert(dir, 'server');
  const h = await configuredHermod(DOC({ port: 0, cert, key }));
  try {
    assert.ok(h.smppTlsPort !== undefined && h.smppTlsPort !== h.smppPort, 'a second listener');
    await until('bound upstream', () => h.connectors.get('sim')!.ready);

    const their: TheirSession = smpp.connect({
      url: `ssmpp://127.0.0.1:${h.smppTlsPort}`,
      ca: readFileSync(cert),
    } as never);
    const errors: Error[] = [];
    their.on('error', (e: Error) => errors.push(e));
    await once((cb) => their.on('secureConnect', cb));
    const bind = await once<PduObject>((cb) =>
      (their.bind_transceiver as (o: object, cb: (p: PduObject) => void) => void)(
        { system_id: 'shop', password: 'pw' },
        cb,
      ),
    );
    assert.equal(bind.command_status, 0);
    const receipt = once<PduObject>((cb) =>
      their.on('deliver_sm', (pdu: PduObject) => {
        their.send(pdu.response());
        cb(pdu);
      }),
    );
    const resp = await once<PduObject>((cb) =>
      (their.submit_sm as (o: object, cb: (p: PduObject) => void) => void)(
        {
          source_addr: 'Shop',
          destination_addr: '447700900123',
          short_message: 'over TLS',
          registered_delivery: 1,
        },
        cb,
      ),
    );
    assert.equal(resp.command_status, 0);
    const r = await receipt;
    assert.equal(r.receipted_message_id, resp.message_id, 'the receipt for that message came back over TLS');
    assert.equal(r.message_state, 2);
    assert.deepEqual(errors, []);
    their.close();

    // A client that does not trust our certificate is refused by TLS, not by SMPP.
    const untrusting = new SmppClient({
      host: '127.0.0.1',
      port: h.smppTlsPort!,
      tls: true,
      systemId: 'shop',
      password: 'pw',
      reconnect: false,
    });
    await assert.rejects(untrusting.connect(), /self[- ]signed/i);
    await untrusting.close();

    // Our own client over TLS, and a plain bind at the same time: both deliver.
    const secure = new SmppClient({
      host: '127.0.0.1',
      port: h.smppTlsPort!,
      tls: { ca: readFileSync(cert) },
      systemId: 'shop',
      password: 'pw',
      reconnect: false,
    });
    const plain = new SmppClient({
      host: '127.0.0.1',
      port: h.smppPort,
      systemId: 'shop',
      password: 'pw',
      reconnect: false,
    });
    await Promise.all([secure.connect(), plain.connect()]);
    const [a, b] = await Promise.all([
      secure.submitSm({
        sourceAddr: 'Shop',
        destinationAddr: '447700900124',
        shortMessage: Buffer.from('secure'),
        registeredDelivery: 0,
      }),
      plain.submitSm({
        sourceAddr: 'Shop',
        destinationAddr: '447700900125',
        shortMessage: Buffer.from('plain'),
        registeredDelivery: 0,
      }),
    ]);
    await until(
      'both delivered',
      async () =>
        (await h.store.getMessage(a.messageId))?.state === 'delivered' &&
        (await h.store.getMessage(b.messageId))?.state === 'delivered',
    );
    await Promise.all([secure.close(), plain.close()]);
  } finally {
    await h.stop();
  }
});

test('server.smppTls: a missing file, or a key of another certificate, stops the start naming the key', (t) => {
  if (!requireTool(t, 'openssl', () => execFileSync('openssl', ['version']))) return;
  const dir = mkdtempSync(join(tmpdir(), 'hermod-tls-'));
  const one = makeCert(dir, 'one');
  const two = makeCert(dir, 'two');
  const env = { HERMOD_DATA_DIR: dir };
  const issues = (tls: unknown) => {
    try {
      parseConfig(DOC(tls), env, 'test');
    } catch (err) {
      assert.ok(err instanceof ConfigError, String(err));
      return err.issues.map((i) => `${i.path}: ${i.message}`);
    }
    assert.fail('accepted');
  };
  assert.deepEqual(issues({ cert: join(dir, 'nope.crt'), key: one.key }), [
    `server.smppTls.cert: cannot read "${join(dir, 'nope.crt')}": ENOENT`,
  ]);
  const mismatch = issues({ cert: one.cert, key: two.key });
  assert.equal(mismatch.length, 1);
  assert.match(
    mismatch[0],
    /^server\.smppTls: the certificate and key do not make a TLS identity: .*key values mismatch/,
  );
  assert.deepEqual(issues({ cert: one.cert }), ['server.smppTls.key: is required']);
  assert.deepEqual(
    issues({ cert: one.cert, key: one.key, port: 70000 }).map((m) => m.split(':')[0]),
    ['server.smppTls.port'],
  );
  const ok = parseConfig(
    DOC({ cert: one.cert, key: one.key }),
    { ...env, HERMOD_SMPP_TLS_PORT: '3551' },
    'test',
  );
  assert.deepEqual(ok.server.smppTls, { port: 3551, cert: one.cert, key: one.key });
  assert.equal(
    parseConfig(DOC({ cert: one.cert, key: one.key }), env, 'test').server.smppTls?.port,
    3550,
    'node-smpp’s ssmpp port by default',
  );
});
