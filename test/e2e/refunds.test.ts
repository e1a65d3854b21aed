// Refunds as configured (checklist row 10, `billing.refund`): a message that ends without
// reaching the SMSC gets its price back, or not, per the way it ended: refused by the SMSC
// with a permanent error (`rejected`), given up after the retries (`failed`), or past its
// validity period before it could be sent (`expired`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandStatus, SmppClient } from '../../src/smpp/index.js';
import { hashPassword } from '../../src/domain/index.js';
import { SqliteStore } from '../../src/store/index.js';
import { Gateway } from '../../src/gateway/index.js';
import { SimulatorConnector } from '../../src/connectors/index.js';
import { CustomerSmppServer } from '../../src/smpp-server/index.js';
import { configuredHermod } from '../support/hermod.js';
import { until } from '../support/until.js';

const PRICE = 10_000; // rate 0.01, in micro-units

async function shop(refund: Record<string, boolean> | undefined) {
  const h = await configuredHermod({
    users: [{ username: 'shop', password: 'pw', balance: 1, rate: 0.01, quota: { smsCount: 10 } }],
    connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 0 }, failPrefixes: ['4478'] }],
    routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
    ...(refund ? { billing: { refund } } : {}),
  });
  const c = new SmppClient({
    host: '127.0.0.1',
    port: h.smppPort,
    systemId: 'shop',
    password: 'pw',
    reconnect: false,
  });
  await c.connect();
  const account = async () => {
    const u = (await h.store.getUserByName('shop'))!;
    return [u.balanceMicros, u.smsCount];
  };
  return { h, c, account, stop: async () => (await c.close(), await h.stop()) };
}

for (const rejected of [true, false]) {
  test(`row 10: a submit the SMSC refuses with a permanent error (ESME_RINVDSTADR) ends failed, ${rejected ? 'refunded (the default)' : 'kept with billing.refund.rejected: false'}`, async () => {
    const s = await shop(rejected ? undefined : { rejected: false });
    try {
      await until('bound', () => s.h.connectors.get('sim')!.ready);
      const { messageId } = await s.c.submitSm({ destinationAddr: '447800900123', registeredDelivery: 1 });
      await until('failed', async () => (await s.h.store.getMessage(messageId))?.state === 'failed');
      assert.match((await s.h.store.getMessage(messageId))!.error ?? '', /ESME_RINVDSTADR/);
      assert.deepEqual(
        await s.account(),
        rejected ? [1_000_000, 10] : [1_000_000 - PRICE, 9],
        rejected ? 'price and SMS count back' : 'price and SMS count kept',
      );
    } finally {
      await s.stop();
    }
  });

  test(`row 10: a message whose validity ends before it can be sent ends expired, ${rejected ? 'refunded (the default)' : 'kept with billing.refund.expired: false'}`, async () => {
    const s = await shop(rejected ? undefined : { expired: false });
    try {
      const sim = s.h.connectors.get('sim')!;
      await sim.stop(); // the SMSC is away: the message waits in the queue past its validity
      await until('connector down', () => !sim.ready);
      const { messageId } = await s.c.submitSm({
        destinationAddr: '447700900009',
        registeredDelivery: 1,
        validityPeriod: '000000000001000R',
      });
      assert.deepEqual(await s.account(), [1_000_000 - PRICE, 9], 'charged at accept');
      const m = (await s.h.store.getMessage(messageId))!;
      await until('validity passed', () => Date.now() > m.meta.validUntil! + 50);
      await sim.start();
      await until('expired', async () => (await s.h.store.getMessage(messageId))?.state === 'expired');
      assert.equal(s.h.simulator!.simulator.submitted.length, 0, 'never sent');
      assert.deepEqual(await s.account(), rejected ? [1_000_000, 10] : [1_000_000 - PRICE, 9]);
    } finally {
      await s.stop();
    }
  });
}

for (const failed of [true, false]) {
  test(`row 10: a message that keeps failing transiently (ESME_RMSGQFUL) ends failed after maxAttempts, ${failed ? 'refunded' : 'kept with refund.failed: false'}`, async () => {
    const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'hermod-refund-')), 'hermod.db'));
    const user = await store.upsertUser({
      username: 'shop',
      passwordHash: hashPassword('pw'),
      balanceMicros: 1_000_000,
      rateMicros: PRICE,
    });
    const gateway = new Gateway(store, {
      maxAttempts: 2,
      retry: { initialMs: 10, maxMs: 10, factor: 1, jitter: 0 },
      refund: { failed },
    });
    gateway.addConnector(
      new SimulatorConnector('sim', {
        latencyMs: { min: 0, max: 0 },
        scripts: [{ prefix: '4477', status: CommandStatus.ESME_RMSGQFUL }],
      }),
    );
    await gateway.start();
    const server = new CustomerSmppServer(gateway, { host: '127.0.0.1', port: 0 });
    const c = new SmppClient({
      host: '127.0.0.1',
      port: await server.listen(),
      systemId: 'shop',
      password: 'pw',
      reconnect: false,
    });
    try {
      await c.connect();
      const { messageId } = await c.submitSm({ destinationAddr: '447700900123', registeredDelivery: 1 });
      await until('failed', async () => (await store.getMessage(messageId))?.state === 'failed');
      assert.equal(
        (await store.history(messageId)).filter((e) => e.state === 'queued' && /MSGQFUL/.test(e.detail ?? ''))
          .length,
        1,
        'retried once, then given up',
      );
      assert.equal(await store.getBalance(user.id), failed ? 1_000_000 : 1_000_000 - PRICE);
    } finally {
      await c.close();
      await server.close();
      await gateway.stop();
      await store.close();
    }
  });
}
