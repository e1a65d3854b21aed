// The receipts service alone (real SQLite, events recorded): matching a receipt to its part
// under the connector's DLR scope, parking one that overtook its submit_sm_resp, and the
// customer's outbox item once the message is final.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Receipt } from '../../src/smpp/index.js';
import { Notifier } from '../../src/gateway/notify.js';
import { inBase, ownPart, ReceiptService, writtenAsResponse } from '../../src/gateway/receipts.js';
import type { Connector } from '../../src/gateway/index.js';
import type { PartMatch } from '../../src/store/store.js';
import { testContext } from './context.js';

const connector = { id: 'c1' } as Connector;
const receipt = (id: string, state: Receipt['state'] = 'delivered'): Receipt =>
  ({ id, state, stat: state === 'delivered' ? 'DELIVRD' : 'UNDELIV', err: '000' }) as Receipt;

test('writtenAsResponse: only the same id with a hex letter in it shows that receipts are written as responses', () => {
  assert.equal(writtenAsResponse('0000000A', 'a'), true);
  assert.equal(writtenAsResponse('1a2b', '1A2B'), true);
  assert.equal(
    writtenAsResponse('00000016', '16'),
    false,
    'all digits: a decimal receipt may meet a hex id by chance',
  );
  assert.equal(writtenAsResponse('0000000b', '0000000c'), false);
});

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
    await receipts.applyParked(keys, { id: m.id, seq: 1, connectorId: 'c1', upstreamId: 'up-2' });
    assert.equal((await t.store.getMessage(m.id))?.state, 'undelivered');
    assert.equal(t.of('receipt').length, 1);
    assert.equal(t.of('outbox').length, 0, 'registered_delivery 0: no receipt for the customer');
    assert.deepEqual(await t.store.parkedReceipts(keys), [], 'unparked once applied');
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

/** A message of `t` stored as sent through connector c1 under `upstreamId` (keyed as the dispatcher keys it). */
async function sentAs(
  t: Awaited<ReturnType<typeof testContext>>,
  receipts: ReceiptService,
  upstreamId: string,
): Promise<string> {
  const m = await t.message({ registeredDelivery: 0 });
  const keys = receipts.scopedKeys('c1', upstreamId, false);
  await t.store.markPartSent({ id: m.id, seq: 1, total: 1, connectorId: 'c1', upstreamId, keys });
  return m.id;
}

/** The receipts parked for the part of message `id` sent through c1 as `upstreamId`, applied as the dispatcher does once it is stored. */
const parkedTo = (receipts: ReceiptService, id: string, upstreamId: string) =>
  receipts.applyParked(receipts.scopedKeys('c1', upstreamId, false), {
    id,
    seq: 1,
    connectorId: 'c1',
    upstreamId,
  });

test('an SMSC seen writing receipt ids as its responses: a receipt that overtakes its response waits for its own part, never another rendering’s', async () => {
  const t = await testContext();
  try {
    const receipts = new ReceiptService(t.ctx, new Notifier(t.ctx));
    // Dense hex ids (like the simulator's): "00000012" read as decimal 12 is hex "c", and
    // hex 0x12 is decimal "18": both are other parts' ids.
    const first = await sentAs(t, receipts, '0000000a');
    const c = await sentAs(t, receipts, '0000000c');
    const eighteen = await sentAs(t, receipts, '00000018');
    // Before anything is known, another rendering of a waiting part's id is taken as its own.
    assert.deepEqual(
      receipts.scopedKeys('c1', '00000012', true).map((k) => k.split('\u001f')[1]),
      ['12', 'c', '18'],
    );
    await receipts.onReceipt(connector, receipt('0000000a'));
    assert.equal((await t.store.getMessage(first))?.state, 'delivered', 'matched under its exact id');
    // From now on c1's receipt ids are read as written.
    assert.deepEqual(receipts.scopedKeys('c1', '00000012', true), ['c1\u001f12']);
    await receipts.onReceipt(connector, receipt('00000012', 'undelivered'));
    assert.deepEqual(t.of('receipt_parked'), [['00000012']], 'parked: its own part is not stored yet');
    assert.equal((await t.store.getMessage(c))?.state, 'sent', 'not applied to "c" (12 read as decimal)');
    assert.equal((await t.store.getMessage(eighteen))?.state, 'sent', 'nor to "18" (0x12 in decimal)');
    const twelve = await sentAs(t, receipts, '00000012');
    await parkedTo(receipts, twelve, '00000012');
    assert.equal((await t.store.getMessage(twelve))?.state, 'undelivered', 'applied to its own part');
  } finally {
    await t.close();
  }
});

test('a receipt parked under every rendering is applied only to its own part once the renderings are known', async () => {
  const t = await testContext();
  try {
    const receipts = new ReceiptService(t.ctx, new Notifier(t.ctx));
    // Parked before anything was known about c1: under "12", "c" and "18".
    await receipts.onReceipt(connector, receipt('00000012'));
    assert.deepEqual(t.of('receipt_parked'), [['00000012']]);
    const first = await sentAs(t, receipts, '0000000a');
    await receipts.onReceipt(connector, receipt('0000000a'));
    assert.equal((await t.store.getMessage(first))?.state, 'delivered');
    // Part "18" is stored: the receipt parked under "18" is 0x12's, not its own.
    const eighteen = await sentAs(t, receipts, '00000018');
    const keys18 = receipts.scopedKeys('c1', '00000018', false);
    await receipts.applyParked(keys18, { id: eighteen, seq: 1, connectorId: 'c1', upstreamId: '00000018' });
    assert.equal((await t.store.getMessage(eighteen))?.state, 'sent', 'left waiting for its own receipt');
    assert.equal((await t.store.parkedReceipts(keys18)).length, 1, 'and the receipt left parked');
    const twelve = await sentAs(t, receipts, '00000012');
    await parkedTo(receipts, twelve, '00000012');
    assert.equal((await t.store.getMessage(twelve))?.state, 'delivered');
  } finally {
    await t.close();
  }
});

test('a receipt whose response came and is being stored waits for that part, even before the renderings are known', async () => {
  const t = await testContext();
  try {
    const receipts = new ReceiptService(t.ctx, new Notifier(t.ctx));
    const fifteen = await sentAs(t, receipts, '00000015');
    // "0000000f" was accepted upstream; its part is not stored yet (the store is slow).
    const stored = receipts.recordingSent('c1', '0000000f');
    await receipts.onReceipt(connector, receipt('0000000f'));
    assert.deepEqual(t.of('receipt_parked'), [['0000000f']]);
    assert.equal((await t.store.getMessage(fifteen))?.state, 'sent', 'not applied to "15" (0xf in decimal)');
    const f = await sentAs(t, receipts, '0000000f');
    await parkedTo(receipts, f, '0000000f');
    stored();
    assert.equal((await t.store.getMessage(f))?.state, 'delivered');
    // Once stored, the heuristics are back: another rendering of a waiting part matches it.
    await receipts.onReceipt(connector, receipt('21'));
    assert.equal((await t.store.getMessage(fifteen))?.state, 'delivered', '21 in decimal is 0x15');
  } finally {
    await t.close();
  }
});

test('an SMSC writing receipt ids in decimal and responses in hex keeps being matched after an all-digit id met a part by chance', async () => {
  const t = await testContext();
  try {
    const receipts = new ReceiptService(t.ctx, new Notifier(t.ctx));
    const sixteen = await sentAs(t, receipts, '16');
    const x1a = await sentAs(t, receipts, '1a');
    // "16" is found under its exact id: it proves nothing about how ids are written.
    await receipts.onReceipt(connector, receipt('16'));
    assert.equal((await t.store.getMessage(sixteen))?.state, 'delivered');
    // Decimal 26 is hex 1a: still found under the other rendering.
    await receipts.onReceipt(connector, receipt('26'));
    assert.equal((await t.store.getMessage(x1a))?.state, 'delivered');
  } finally {
    await t.close();
  }
});
