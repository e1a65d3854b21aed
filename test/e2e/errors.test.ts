// Upstream errors and races (checklist rows 7 and 10): temporary errors are retried until
// the message goes out, permanent ones fail it and refund the customer, and a receipt that
// overtakes its submit_sm_resp is parked and applied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SmppClient, type Receipt } from '../../src/smpp/index.js';
import { collectReceipts, configuredHermod } from '../support/hermod.js';
import { until as waitUntil } from '../support/until.js';

const until = (what: string, cond: () => boolean | Promise<boolean>, ms = 15_000) =>
  waitUntil(what, cond, ms);

async function withCustomer(
  doc: object,
  fn: (h: Awaited<ReturnType<typeof configuredHermod>>, c: SmppClient, receipts: Receipt[]) => Promise<void>,
) {
  const h = await configuredHermod({
    users: [{ username: 'shop', password: 'pw', balance: 1, rate: 0.01 }],
    routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
    ...doc,
  });
  const c = new SmppClient({
    host: '127.0.0.1',
    port: h.smppPort,
    systemId: 'shop',
    password: 'pw',
    reconnect: false,
  });
  const receipts = collectReceipts(c);
  try {
    await c.connect();
    await fn(h, c, receipts);
    await c.close();
  } finally {
    await h.stop();
  }
}

test('row 10: ESME_RMSGQFUL is retried with back-off until sent; ESME_RINVDSTADR fails at once and refunds', async () => {
  await withCustomer(
    {
      connectors: [
        {
          id: 'sim',
          type: 'simulator',
          latencyMs: { min: 0, max: 0 },
          errorRate: 0.3,
          failPrefixes: ['4478'],
        },
      ],
    },
    async (h, c, receipts) => {
      const user = (await h.store.getUserByName('shop'))!;
      const ids: string[] = [];
      // 20 messages at a 30 % error rate: some are surely retried (0.7^20 < 0.1 % that none is),
      // and none needs the 8 failures in a row that would outlast the wait (back-off 0.2 s doubling).
      for (let i = 0; i < 20; i++)
        ids.push(
          (
            await c.submitSm({
              destinationAddr: `4477009001${String(i).padStart(2, '0')}`,
              registeredDelivery: 1,
            })
          ).messageId,
        );
      const bad = (await c.submitSm({ destinationAddr: '447800900123', registeredDelivery: 1 })).messageId;
      await until(
        'all delivered and the bad one failed',
        async () => {
          const states = await Promise.all(
            [...ids, bad].map(async (id) => (await h.store.getMessage(id))?.state),
          );
          return states.slice(0, 20).every((s) => s === 'delivered') && states[20] === 'failed';
        },
        40_000,
      );
      const retried = (await Promise.all(ids.map((id) => h.store.history(id)))).filter((hist) =>
        hist.some((e) => e.state === 'queued' && /MSGQFUL/.test(e.detail ?? '')),
      ).length;
      assert.ok(retried > 0, 'some were retried after ESME_RMSGQFUL');
      assert.match((await h.store.getMessage(bad))!.error ?? '', /ESME_RINVDSTADR/);
      assert.equal(
        await h.store.getBalance(user.id),
        1_000_000 - 20 * 10_000,
        'the failed message was refunded',
      );
      await until('receipts to the customer', () => receipts.length === 21);
      assert.equal(receipts.find((r) => r.id === bad)?.state, 'undelivered');
    },
  );
});

test('row 7: a receipt that arrives before its submit_sm_resp is parked, then applied', async () => {
  await withCustomer(
    {
      connectors: [
        { id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 0 }, receiptBeforeResponse: true },
      ],
    },
    async (h, c, receipts) => {
      let parked = 0;
      h.gateway.on('receipt_parked', () => parked++);
      const id = (await c.submitSm({ destinationAddr: '447700900123', registeredDelivery: 1 })).messageId;
      await until('delivered', async () => (await h.store.getMessage(id))?.state === 'delivered');
      assert.equal(parked, 1);
      await until('receipt to the customer', () => receipts.length === 1);
      assert.equal(receipts[0].id, id);
    },
  );
});
