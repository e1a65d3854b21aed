// The same gateway path on PostgreSQL: customer ESME → Hermod (PostgreSQL store) →
// simulator → receipt → customer, and the credit limit holding under parallel submits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CommandStatus,
  SmppClient,
  SmppStatusError,
  formatSmppTime,
  receiptFromPdu,
  type Pdu,
  type Receipt,
} from '../../src/smpp/index.js';
import { startHermod } from '../../src/compose/index.js';
import { parseConfig } from '../../src/config/index.js';
import { PostgresStore } from '../../src/store/index.js';
import { PG_URL, requirePostgres } from '../support/services.js';

test('gateway on PostgreSQL: receipts come back, the balance limit holds', async (t) => {
  if (!(await requirePostgres(t))) return;
  const schema = `hermod_e2e_${randomBytes(5).toString('hex')}`;
  const config = parseConfig(
    {
      users: [{ username: 'shop', password: 'pw', balance: 0.05, rate: 0.01 }],
      connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 10 } }],
      routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
    },
    {
      HERMOD_DATABASE_URL: PG_URL,
      HERMOD_DATABASE_SCHEMA: schema,
      HERMOD_SMPP_PORT: '0',
      HERMOD_HTTP_PORT: '0',
      HERMOD_API_PORT: '0',
      HERMOD_BIND: '127.0.0.1',
      HERMOD_DATA_DIR: mkdtempSync(join(tmpdir(), 'h-')),
    },
    'test',
  );
  assert.equal(config.store.type, 'postgres');
  const h = await startHermod(config);
  try {
    const c = new SmppClient({
      host: '127.0.0.1',
      port: h.smppPort,
      systemId: 'shop',
      password: 'pw',
      reconnect: false,
      windowSize: 20,
    });
    const receipts: Receipt[] = [];
    c.on('deliver_sm', (pdu: Pdu, respond: () => void) => {
      const r = receiptFromPdu(pdu as never);
      if (r) receipts.push(r);
      respond();
    });
    await c.connect();
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        c.submitSm({ destinationAddr: `44770090012${i % 10}`, registeredDelivery: 1 }),
      ),
    );
    const ok = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.messageId] : []));
    assert.equal(ok.length, 5, 'exactly what 0.05 at 0.01 pays for');
    for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof SmppStatusError);
    const end = Date.now() + 10_000;
    while (receipts.length < 5 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(receipts.map((r) => r.id).sort(), [...ok].sort());
    assert.equal((await h.store.getMessage(ok[0]))?.state, 'delivered');
    assert.equal(await h.store.getBalance((await h.store.getUserByName('shop'))!.id), 0);
    await c.close();
  } finally {
    await h.stop();
    await PostgresStore.dropSchema(PG_URL, schema);
  }
});

test('gateway on PostgreSQL: SMS-count quota exact under parallel submits, disabled group refused, scheduled message waits, expired refunded', async (t) => {
  if (!(await requirePostgres(t))) return;
  const schema = `hermod_e2e_${randomBytes(5).toString('hex')}`;
  const config = parseConfig(
    {
      groups: [{ id: 'paused', enabled: false }],
      users: [
        { username: 'shop', password: 'pw', balance: 10, rate: 0.01, quota: { smsCount: 4 } },
        { username: 'outcast', password: 'pw', balance: 10, rate: 0.01, group: 'paused' },
      ],
      connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 0 } }],
      routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
    },
    {
      HERMOD_DATABASE_URL: PG_URL,
      HERMOD_DATABASE_SCHEMA: schema,
      HERMOD_SMPP_PORT: '0',
      HERMOD_HTTP_PORT: '0',
      HERMOD_API_PORT: '0',
      HERMOD_BIND: '127.0.0.1',
      HERMOD_DATA_DIR: mkdtempSync(join(tmpdir(), 'h-')),
    },
    'test',
  );
  const h = await startHermod(config);
  try {
    const outcast = new SmppClient({
      host: '127.0.0.1',
      port: h.smppPort,
      systemId: 'outcast',
      password: 'pw',
      reconnect: false,
    });
    await assert.rejects(
      outcast.connect(),
      (e: unknown) => e instanceof SmppStatusError && e.commandStatus === CommandStatus.ESME_RBINDFAIL,
    );
    const c = new SmppClient({
      host: '127.0.0.1',
      port: h.smppPort,
      systemId: 'shop',
      password: 'pw',
      reconnect: false,
      windowSize: 20,
    });
    await c.connect();
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => c.submitSm({ destinationAddr: '447700900123' })),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 4, 'exactly the SMS count');
    for (const r of results)
      if (r.status === 'rejected')
        assert.ok(
          r.reason instanceof SmppStatusError && r.reason.commandStatus === CommandStatus.ESME_RSUBMITFAIL,
        );
    const u = (await h.store.getUserByName('shop'))!;
    assert.deepEqual([u.smsCount, u.balanceMicros], [0, 10_000_000 - 4 * 10_000]);

    await h.store.topUp(u.id, { smsCount: 2 });
    h.gateway.forgetAccounts();
    const at = Math.ceil(Date.now() / 100) * 100 + 1500;
    const scheduled = await c.submitSm({
      destinationAddr: '447700900124',
      scheduleDeliveryTime: formatSmppTime(at),
      shortMessage: Buffer.from('later'),
    });
    const sim = h.connectors.get('sim')!;
    const end = Date.now() + 10_000;
    while ((await h.store.getMessage(scheduled.messageId))?.state === 'queued' && Date.now() < end)
      await new Promise((r) => setTimeout(r, 20));
    const sent = (await h.store.history(scheduled.messageId)).find((e) => e.state === 'sent');
    assert.ok(sent && sent.at >= at, 'sent, not before its time');

    await sim.stop();
    const expiring = await c.submitSm({
      destinationAddr: '447700900125',
      validityPeriod: '000000000001000R',
      shortMessage: Buffer.from('too late'),
    });
    const m = (await h.store.getMessage(expiring.messageId))!;
    while (Date.now() <= m.meta.validUntil! + 50) await new Promise((r) => setTimeout(r, 20));
    await sim.start();
    while ((await h.store.getMessage(expiring.messageId))?.state !== 'expired' && Date.now() < end + 10_000)
      await new Promise((r) => setTimeout(r, 20));
    assert.equal((await h.store.getMessage(expiring.messageId))?.state, 'expired');
    assert.equal(
      h.simulator!.simulator.submitted.filter((x) => x.shortMessage.toString() === 'too late').length,
      0,
      'never sent',
    );
    assert.equal((await h.store.getUserByName('shop'))!.smsCount, 1, 'the expired message’s SMS given back');
    await c.close();
  } finally {
    await h.stop();
    await PostgresStore.dropSchema(PG_URL, schema);
  }
});
