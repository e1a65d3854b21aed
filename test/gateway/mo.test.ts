// The MO service alone (real SQLite, events recorded): concatenated parts joined, opt-out
// keywords kept per number and sender, and a reply that cannot be sent reported, never thrown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { moPartOf, MoService, type ReplySender } from '../../src/gateway/mo.js';
import type { InboundPdu } from '../../src/gateway/index.js';
import type { SubmitDraft } from '../../src/gateway/draft.js';
import type { User } from '../../src/domain/index.js';
import { testContext } from './context.js';

const pdu = (text: string | Buffer, extra: Partial<InboundPdu> = {}): InboundPdu => ({
  source: '+447700900123',
  destination: '555',
  esmClass: 0,
  dataCoding: 0,
  shortMessage: Buffer.isBuffer(text) ? text : Buffer.from(text),
  ...extra,
});
const udh = (seq: number, text: string) =>
  Buffer.concat([Buffer.from([5, 0, 3, 0x42, 2, seq]), Buffer.from(text)]);

/** Replies recorded, sent as whoever currentUser knows. */
function replies(users: Record<string, User>): ReplySender & { sent: SubmitDraft[] } {
  const sent: SubmitDraft[] = [];
  return {
    sent,
    currentUser: async (name) => users[name],
    submit: async (_user, req) => {
      sent.push(req);
      return `reply-${sent.length}`;
    },
  };
}

test('moPartOf: a UDH concatenation header places the part and is taken off its body; a leading + is dropped', () => {
  const part = moPartOf('c1', pdu(udh(2, 'world'), { esmClass: 0x40 }));
  assert.deepEqual(
    { ...part, body: part.body.toString() },
    {
      groupKey: 'c1|447700900123|555|66|2',
      seq: 2,
      total: 2,
      source: '447700900123',
      destination: '555',
      body: 'world',
    },
  );
  const single = moPartOf('c1', pdu('hi'));
  assert.equal(single.total, 1);
  assert.match(single.groupKey, /^single\|/);
});

test('parts are joined into one MO once all are stored, and it is routed by the MO routes', async () => {
  const t = await testContext({ moRoutes: [{ user: 'shop', prefixes: [] }] });
  try {
    const mo = new MoService(t.ctx, replies({}));
    await mo.onMo('c1', pdu(udh(1, 'hello '), { esmClass: 0x40 }));
    assert.equal(t.of('mo').length, 0, 'waits for its second part');
    await mo.onMo('c1', pdu(udh(2, 'world'), { esmClass: 0x40 }));
    const [[joined]] = t.of('mo');
    assert.equal(joined.body.toString(), 'hello world');
    assert.equal(joined.routedTo, 'shop');
    assert.deepEqual(t.of('outbox'), [['shop']]);
  } finally {
    await t.close();
  }
});

test('STOP opts the handset out of that number and sends the confirmation as the routed customer; START opts back in', async () => {
  const t = await testContext({ moRoutes: [{ user: 'shop', prefixes: [] }] });
  try {
    const sender = replies({ shop: t.user });
    const mo = new MoService(t.ctx, sender);
    await mo.onMo('c1', pdu('stop'));
    assert.deepEqual(t.of('optout'), [['447700900123', '555']]);
    assert.equal(await t.store.isOptedOut('447700900123', '555'), true);
    await new Promise((r) => setImmediate(r));
    assert.equal(sender.sent.length, 1);
    assert.equal(sender.sent[0].destination, '447700900123');
    assert.equal(sender.sent[0].ignoreOptOut, true, 'the STOP confirmation reaches the opted-out handset');
    await mo.onMo('c1', pdu('START'));
    assert.deepEqual(t.of('optin'), [['447700900123', '555']]);
    assert.equal(await t.store.isOptedOut('447700900123', '555'), false);
  } finally {
    await t.close();
  }
});

test('a keyword reply without an account to send it as is reported as optout_reply_failed; the MO itself is stored', async () => {
  const t = await testContext();
  try {
    const mo = new MoService(t.ctx, replies({}));
    await mo.onMo('c1', pdu('STOP'));
    await new Promise((r) => setImmediate(r));
    const [[, kind, err]] = t.of('optout_reply_failed');
    assert.equal(kind, 'stop');
    assert.match(err.message, /no account/);
    assert.equal(t.of('mo').length, 1);
  } finally {
    await t.close();
  }
});
