// Row 19: a customer resends the same submit (its submit_sm_resp was lost). With the dedupe
// window on: one message, one charge, the same id. With it off: two messages, both charged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SmppClient } from '../../src/smpp/index.js';
import type { SimulatorConnector } from '../../src/connectors/index.js';
import { configuredHermod } from '../support/hermod.js';

async function resend(dedupeWindowS: number) {
  const h = await configuredHermod({
    users: [{ username: 'shop', password: 'pw', balance: 1, rate: 0.01 }],
    connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 0 } }],
    routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
    dedupeWindowS,
  });
  try {
    const c = new SmppClient({
      host: '127.0.0.1',
      port: h.smppPort,
      systemId: 'shop',
      password: 'pw',
      reconnect: false,
    });
    await c.connect();
    const submit = () =>
      c.submitSm({
        sourceAddr: 'Shop',
        destinationAddr: '447700900123',
        shortMessage: Buffer.from('Your code is 1234'),
      });
    const a = (await submit()).messageId;
    const b = (await submit()).messageId;
    const other = (
      await c.submitSm({
        sourceAddr: 'Shop',
        destinationAddr: '447700900123',
        shortMessage: Buffer.from('Your code is 5678'),
      })
    ).messageId;
    const sim = (h.connectors.get('sim') as SimulatorConnector).simulator;
    const end = Date.now() + 5000;
    const expected = dedupeWindowS > 0 ? 2 : 3;
    while (sim.stats.submits < expected && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    const balance = await h.store.getBalance((await h.store.getUserByName('shop'))!.id);
    await c.close();
    return { a, b, other, atSmsc: sim.stats.submits, balance };
  } finally {
    await h.stop();
  }
}

test('dedupe window on: the resend gets the same id, one message, one charge', async () => {
  const r = await resend(60);
  assert.equal(r.a, r.b);
  assert.notEqual(r.other, r.a, 'a different text is a different message');
  assert.equal(r.atSmsc, 2);
  assert.equal(r.balance, 1_000_000 - 2 * 10_000);
});

test('dedupe window off: two messages, both billed (documented)', async () => {
  const r = await resend(0);
  assert.notEqual(r.a, r.b);
  assert.equal(r.atSmsc, 3);
  assert.equal(r.balance, 1_000_000 - 3 * 10_000);
});
