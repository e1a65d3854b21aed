// Jasmin's most reported bug, end to end, and its cousin: SMSCs that answer submit_sm_resp
// with one rendering of the message id and send the receipt with another, and two SMSCs
// handing out the same ids. Four real SMPP connectors to four simulators:
// - one answers hex ids with leading zeros ("0000001a") and reports them in decimal ("26"),
//   another answers decimal and reports upper-case hex ("1A"); with `messageIdBase` set
//   (Kannel's msg-id-type) each receipt is read one way only, so even the small sequential
//   ids that read as numbers in both bases ("10") find their own message;
// - two answer plain decimal ids from 1 up: the same ids, told apart by the connector's
//   DLR scope.
// Every message ends delivered, through the connector it was sent by.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SmscSimulator } from '../../src/simulator/index.js';
import { ConfigError, parseConfig } from '../../src/config/index.js';
import { configuredHermod } from '../support/hermod.js';
import { until } from '../support/until.js';

test('receipts match their own message: other renderings of the id (messageIdBase), and the same ids from two SMSCs (DLR scope)', async () => {
  const sims = {
    hexdec: new SmscSimulator({ port: 0, idFormat: 'hex', receiptIdFormat: 'dec' }),
    dechex: new SmscSimulator({ port: 0, idFormat: 'dec', receiptIdFormat: 'hex' }),
    one: new SmscSimulator({ port: 0, idFormat: 'dec' }),
    two: new SmscSimulator({ port: 0, idFormat: 'dec' }),
  };
  const ports = Object.fromEntries(
    await Promise.all(Object.entries(sims).map(async ([k, s]) => [k, await s.listen()] as const)),
  );
  const up = (id: keyof typeof sims, extra: object = {}) => ({
    id,
    type: 'smpp',
    host: '127.0.0.1',
    port: ports[id],
    systemId: 'hermod',
    password: 'x',
    ...extra,
  });
  const h = await configuredHermod({
    users: [{ username: 'shop', password: 'pw', balance: 10, rate: 0.01 }],
    connectors: [
      up('hexdec', { messageIdBase: { response: 'hex', receipt: 'dec' } }),
      up('dechex', { messageIdBase: { response: 'dec', receipt: 'hex' } }),
      up('one'),
      up('two'),
    ],
    routes: [
      { name: 'uk', prefixes: ['44'], connectors: ['hexdec'] },
      { name: 'it', prefixes: ['39'], connectors: ['dechex'] },
      { name: 'fr', prefixes: ['33'], connectors: ['one'] },
      { name: 'de', prefixes: ['49'], connectors: ['two'] },
    ],
  });
  try {
    await until('all bound', () => Object.keys(sims).every((id) => h.connectors.get(id)!.ready));
    const user = (await h.store.getUserByName('shop'))!;
    const to = ['4477009001', '3933312345', '336123456', '4915112345'];
    const submit = (dest: string) =>
      h.gateway.submit(user, {
        systemId: 'shop',
        source: 'Shop',
        destination: dest,
        esmClass: 0,
        dataCoding: 0,
        body: Buffer.from(`to ${dest}`),
        registeredDelivery: 1,
      });
    const ids = await Promise.all(
      Array.from({ length: 80 }, (_, i) => submit(`${to[i % 4]}${String(i).padStart(2, '0')}`)),
    );
    await until('every message delivered', async () =>
      (await Promise.all(ids.map((id) => h.store.getMessage(id)))).every((m) => m?.state === 'delivered'),
    );
    // The renderings really differed, and the ids really collided.
    assert.match(sims.hexdec.submitted[0].id, /^0{4,}[0-9a-f]+$/);
    assert.match(sims.dechex.submitted[0].id, /^\d+$/);
    assert.deepEqual(
      sims.one.submitted.map((m) => m.id).sort(),
      sims.two.submitted.map((m) => m.id).sort(),
      'the same ids from both',
    );
    // Hermod answers a receipt's deliver_sm once its state is committed, so the simulators
    // count their confirmed receipts a moment after the messages read as delivered.
    await until('every receipt confirmed', () => Object.values(sims).every((s) => s.stats.receipts >= 20));
    for (const s of Object.values(sims)) assert.equal(s.stats.receipts, 20);
    const parts = await Promise.all(ids.map(async (id) => (await h.store.getParts(id))[0]));
    assert.ok(
      parts.every((p) => p.state === 'delivered'),
      'each part took its own receipt',
    );
  } finally {
    await h.stop();
    await Promise.all(Object.values(sims).map((s) => s.close()));
  }

  const issues = (extra: object) => {
    try {
      parseConfig({
        connectors: [{ id: 'up', type: 'smpp', host: 'smsc.example', port: 2775, systemId: 'h', ...extra }],
        routes: [{ name: 'd', connectors: ['up'] }],
      });
    } catch (err) {
      return (err as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
    }
    return [];
  };
  assert.deepEqual(issues({ messageIdBase: { response: 'hex' } }), [
    'connectors[0].messageIdBase.receipt: is required (one of hex, dec)',
  ]);
  assert.deepEqual(issues({ messageIdBase: { response: 'oct', receipt: 'dec' } }), [
    'connectors[0].messageIdBase.response: expected one of hex, dec, got "oct"',
  ]);
  assert.deepEqual(issues({ dlrScope: 'x'.repeat(65) }), ['connectors[0].dlrScope: at most 64 characters']);
  assert.deepEqual(issues({ dlrScope: 'acme', messageIdBase: { response: 'dec', receipt: 'dec' } }), []);
});
