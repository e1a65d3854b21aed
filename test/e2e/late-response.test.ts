// Checklist row 5: the SMSC answers a submit after the response timer has fired. Hermod
// took the part for not sent and requeued it. A late ESME_ROK before the resend is stored
// as sent with its id (no resend, its receipt matches); after a resend, the SMSC has the
// message twice: counted (hermod_duplicate_submits_total), said in the history, and the
// receipts of both ids still find the message. Real sockets, the simulator, SQLite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SmppClient, messageIdKeys } from '../../src/smpp/index.js';
import { hashPassword } from '../../src/domain/index.js';
import { SqliteStore } from '../../src/store/index.js';
import { Gateway } from '../../src/gateway/index.js';
import { SmppConnector } from '../../src/connectors/index.js';
import { CustomerSmppServer } from '../../src/smpp-server/index.js';
import { SmscSimulator } from '../../src/simulator/index.js';
import { HermodMetrics } from '../../src/observability/index.js';
import { collectReceipts } from '../support/hermod.js';
import { until } from '../support/until.js';

/** A gateway whose connector times a submit out after 200 ms, in front of a simulator that answers the first one `respondAfterMs` late. */
async function rig(respondAfterMs: number, retryMs: number) {
  const sim = new SmscSimulator({
    port: 0,
    latencyMs: { min: 0, max: 0 },
    scripts: [{ prefix: '4477', respondAfterMs, times: 1 }],
  });
  const simPort = await sim.listen();
  const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'hermod-late-')), 'hermod.db'));
  await store.upsertUser({
    username: 'shop',
    passwordHash: hashPassword('pw'),
    balanceMicros: 1_000_000,
    rateMicros: 10_000,
  });
  const gateway = new Gateway(store, { retry: { initialMs: retryMs, maxMs: retryMs, factor: 1, jitter: 0 } });
  const metrics = new HermodMetrics({
    version: 'test',
    connectors: () => [],
    queueDepth: async () => 0,
    processMetrics: false,
  });
  metrics.attach(gateway);
  await gateway.addConnector(
    new SmppConnector('up', {
      host: '127.0.0.1',
      port: simPort,
      systemId: 'hermod',
      password: 'x',
      responseTimeoutMs: 200,
      windowSize: 10,
    }),
  );
  await gateway.start();
  const server = new CustomerSmppServer(gateway, { host: '127.0.0.1', port: 0 });
  const client = new SmppClient({
    host: '127.0.0.1',
    port: await server.listen(),
    systemId: 'shop',
    password: 'pw',
    reconnect: false,
  });
  const receipts = collectReceipts(client);
  await client.connect();
  const counter = async (name: string, labels: Record<string, string>) =>
    (await metrics.registry.getSingleMetric(name)!.get()).values.find((v) =>
      Object.entries(labels).every(([k, val]) => v.labels[k] === val),
    )?.value ?? 0;
  const stop = async () => {
    await client.close();
    await server.close();
    await gateway.stop();
    await store.close();
    await sim.close();
  };
  return { sim, store, gateway, client, receipts, counter, stop };
}

test('row 5: a late submit_sm_resp (ESME_ROK) before the resend is stored as sent with its id: no resend, its receipt matches', async () => {
  // Answered 700 ms late; the resend would come 200 ms + 5 s after the submit.
  const r = await rig(700, 5000);
  try {
    const { messageId } = await r.client.submitSm({ destinationAddr: '447700900123', registeredDelivery: 1 });
    await until('delivered', async () => (await r.store.getMessage(messageId))?.state === 'delivered', 4000);
    const m = (await r.store.getMessage(messageId))!;
    assert.equal(r.sim.submitted.length, 1, 'sent once');
    assert.equal(m.upstreamId, r.sim.submitted[0].id, 'with the id of the late response');
    const history = await r.store.history(messageId);
    assert.ok(
      history.some((e) => e.state === 'queued' && /no response to submit_sm/.test(e.detail ?? '')),
      'the timeout requeued it',
    );
    assert.ok(
      history.some((e) => e.state === 'sent' && e.detail === r.sim.submitted[0].id),
      'then the late response made it sent',
    );
    assert.equal(await r.store.queueDepth(), 0, 'nothing left to resend');
    await until('the customer receipt', () => r.receipts.length === 1);
    assert.equal(r.receipts[0].id, messageId);
    assert.equal(
      await r.counter('hermod_late_submit_responses_total', { connector: 'up', outcome: 'recorded' }),
      1,
    );
    assert.equal(await r.counter('hermod_duplicate_submits_total', { connector: 'up' }), 0);
    await new Promise((res) => setTimeout(res, 5500)); // past the retry time: still no resend
    assert.equal(r.sim.submitted.length, 1, 'never resent');
    assert.equal(r.receipts.length, 1);
  } finally {
    await r.stop();
  }
});

test('row 5: a late submit_sm_resp after the resend was accepted counts the duplicate, says so in the history, and both ids find the message', async () => {
  // Resent 200 ms + 10 ms after the submit and accepted at once; the first answer comes at 1.5 s.
  const r = await rig(1500, 10);
  const duplicates: string[] = [];
  r.gateway.on('duplicate_submit', (id: string) => duplicates.push(id));
  try {
    const { messageId } = await r.client.submitSm({ destinationAddr: '447700900123', registeredDelivery: 1 });
    await until('the duplicate is seen', () => duplicates.length === 1, 4000);
    assert.deepEqual(duplicates, [messageId]);
    assert.equal(r.sim.submitted.length, 2, 'the SMSC got it twice');
    const [first, resend] = r.sim.submitted.map((s) => s.id);
    const m = (await r.store.getMessage(messageId))!;
    assert.equal(m.upstreamId, resend, 'the resend was stored first');
    assert.equal(m.state, 'delivered');
    const dup = (await r.store.history(messageId)).find((e) =>
      /accepted this message twice/.test(e.detail ?? ''),
    );
    assert.ok(dup, 'the history says it');
    assert.match(dup.detail!, new RegExp(`upstream id ${first}.*the resend is ${resend}`));
    for (const id of [first, resend]) {
      // Keyed under the connector's DLR scope (its id), as the gateway keys every part.
      const found = await r.store.findPartByUpstreamKeys(messageIdKeys(id).map((k) => `up\u001f${k}`));
      assert.equal(found?.message.id, messageId, `the receipt of ${id} finds the message`);
    }
    // The first id's receipt came before its response and was parked; it is applied now, not left.
    assert.equal(await r.store.expireParkedReceipts(0), 0, 'no receipt left parked');
    assert.equal(await r.counter('hermod_duplicate_submits_total', { connector: 'up' }), 1);
    assert.equal(
      await r.counter('hermod_late_submit_responses_total', { connector: 'up', outcome: 'duplicate' }),
      1,
    );
    await until('the customer receipt', () => r.receipts.length === 1);
    await new Promise((res) => setTimeout(res, 300));
    assert.equal(r.receipts.length, 1, 'one receipt to the customer');
  } finally {
    await r.stop();
  }
});
