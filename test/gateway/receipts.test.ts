// The receipts service alone (real SQLite, events recorded): matching a receipt to its part
// under the connector's DLR scope, parking one that overtook its submit_sm_resp, and the
// customer's outbox item once the message is final.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Receipt } from '../../src/smpp/index.js';
import { Notifier } from '../../src/gateway/notify.js';
import { inBase, ownPart, ReceiptService } from '../../src/gateway/receipts.js';
import type { Connector } from '../../src/gateway/index.js';
import type { PartMatch } from '../../src/store/store.js';
import { testContext } from './context.js';

const connector = { id: 'c1' } as Connector;
const receipt = (id: string, state: Receipt['state'] = 'delivered'): Receipt =>
  ({ id, state, stat: state === 'delivered' ? 'DELIVRD' : 'UNDELIV', err: '000' }) as Receipt;

test('inBase rewrites an id between hex and decimal, and refuses what is not such a number', () => {
  assert.equal(inBase('ff', 'hex', 'dec'), '255');
  assert.equal(inBase('255', 'dec', 'hex'), 'ff');
  assert.equal(inBase('xyz', 'hex', 'dec'), undefined);
});

test('ownPart: a match under another rendering of the id is taken only while its part waits for a receipt', () => {
  const match = (upstreamId: string, state: 'sent' | 'delivered', exact = false) =>
    ({ message: {}, seq: 1, exact, part: { upstreamId, state } }) as unknown as PartMatch;
  assert.equal(ownPart(match('10', 'delivered', true), '0a'), true, 'exact key: its own');
  assert.equal(ownPart(match('0000000a', 'delivered'), '0a'), true, 'same canonical id');
  assert.equal(ownPart(match('10', 'sent'), '0a'), true, 'another rendering, part still waiting');
  assert.equal(ownPart(match('10', 'delivered'), '0a'), false, 'another rendering, part final: park');
});

test('scopedKeys: a connector that knows both bases reads a receipt id one way only; the scope defaults to the connector', async () => {
  const t = await testContext({
    receiptMatching: (id) =>
      id === 'kannel' ? { scope: 'smsc-a', base: { response: 'hex', receipt: 'dec' } } : undefined,
  });
  try {
    const receipts = new ReceiptService(t.ctx, new Notifier(t.ctx));
    assert.deepEqual(receipts.scopedKeys('kannel', '255', true), ['smsc-a\u001fff']);
    const plain = receipts.scopedKeys('c1', '255', false);
    assert.ok(plain.length >= 1 && plain.every((k) => k.startsWith('c1\u001f')));
  } finally {
    await t.close();
  }
});

test('a receipt for a stored part is applied: receipt event, then the outbox item the customer asked for', async () => {
  const t = await testContext();
  try {
    const receipts = new ReceiptService(t.ctx, new Notifier(t.ctx));
    const m = await t.message({ registeredDelivery: 1 });
    const keys = receipts.scopedKeys('c1', 'up-1', false);
    await t.store.markPartSent({
      id: m.id,
      seq: 1,
      total: 1,
      connectorId: 'c1',
      upstreamId: 'up-1',
      keys: keys,
    });
    await receipts.onReceipt(connector, receipt('up-1'));
    assert.equal((await t.store.getMessage(m.id))?.state, 'delivered');
    assert.deepEqual(
      t.events.map((e) => e[0]),
      ['receipt', 'outbox'],
    );
    assert.equal(t.of('receipt')[0][1], 'delivered');
    assert.deepEqual(t.of('outbox'), [['shop']]);
    const [item] = await t.store.claimOutbox('shop', 10, 1000);
    assert.equal(JSON.parse(item.payload).stat, 'DELIVRD');
  } finally {
    await t.close();
  }
});

test('a receipt that overtakes its submit_sm_resp is parked, then applied when the part is keyed', async () => {
  const t = await testContext();
  try {
    const receipts = new ReceiptService(t.ctx, new Notifier(t.ctx));
    const m = await t.message({ registeredDelivery: 0 });
    await receipts.onReceipt(connector, receipt('up-2', 'undelivered'));
    assert.deepEqual(t.of('receipt_parked'), [['up-2']]);
    assert.equal((await t.store.getMessage(m.id))?.state, 'queued');
    const keys = receipts.scopedKeys('c1', 'up-2', false);
    await t.store.markPartSent({
      id: m.id,
      seq: 1,
      total: 1,
      connectorId: 'c1',
      upstreamId: 'up-2',
      keys: keys,
    });
    await receipts.applyParked(keys, { id: m.id, seq: 1, connectorId: 'c1' });
    assert.equal((await t.store.getMessage(m.id))?.state, 'undelivered');
    assert.equal(t.of('receipt').length, 1);
    assert.equal(t.of('outbox').length, 0, 'registered_delivery 0: no receipt for the customer');
    assert.deepEqual(await t.store.takeParkedReceipts(keys), [], 'taken once');
  } finally {
    await t.close();
  }
});

test('expireAwaiting ends the parts of a connector with dlrExpiryMs that heard nothing, with one event per part', async () => {
  const t = await testContext();
  try {
    t.connectors.set('c1', { id: 'c1', dlrExpiryMs: 1 } as Connector);
    const receipts = new ReceiptService(t.ctx, new Notifier(t.ctx));
    const m = await t.message({ registeredDelivery: 1 });
    await t.store.markPartSent({
      id: m.id,
      seq: 1,
      total: 1,
      connectorId: 'c1',
      upstreamId: 'up-3',
      keys: receipts.scopedKeys('c1', 'up-3', false),
    });
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(await receipts.expireAwaiting(), 1);
    assert.deepEqual(t.of('receipt_expired'), [[m.id, 1, 'c1', 'expired']]);
    assert.deepEqual(t.of('outbox'), [['shop']]);
    assert.equal((await t.store.getMessage(m.id))?.state, 'expired');
  } finally {
    await t.close();
  }
});
