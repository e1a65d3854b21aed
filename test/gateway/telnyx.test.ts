// Telnyx's shapes of a /v2 message (src/gateway/telnyx.ts): each state's to[].status and
// errors, which state changes owe an event, and the signed request the webhook sender makes
// of a `telnyx` item (Ed25519 over "timestamp|body", checked with node:crypto's verify).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, verify } from 'node:crypto';
import type { StoredMessage } from '../../src/domain/index.js';
import { telnyxMessage, telnyxOutcome, telnyxWebhook } from '../../src/gateway/telnyx.js';
import { WebhookSender, webhooksForState } from '../../src/gateway/index.js';
import type { Store, WebhookItem } from '../../src/store/index.js';

const message = (over: Partial<StoredMessage> = {}): StoredMessage => ({
  id: '01m98jv6xq34m0ey0bk7n14928',
  userId: 1,
  systemId: 'shop',
  source: '15550001111',
  destination: '447700900123',
  esmClass: 0,
  dataCoding: 0,
  body: Buffer.from('hello', 'latin1'),
  registeredDelivery: 0,
  priority: 0,
  connectorId: 'sim',
  priceMicros: 10_000,
  meta: { origin: 'rest', callbackUrl: 'https://hooks.example/t', telnyx: {}, segments: 1 },
  state: 'queued',
  upstreamId: null,
  error: null,
  createdAt: Date.parse('2026-12-07T10:00:00Z'),
  updatedAt: Date.parse('2026-12-07T10:00:00Z'),
  ...over,
});

test('each state as Telnyx says it: to[].status and errors', () => {
  assert.deepEqual(telnyxOutcome('queued'), { status: 'queued', errors: [] });
  assert.deepEqual(telnyxOutcome('sent'), { status: 'sent', errors: [] });
  assert.deepEqual(telnyxOutcome('delivered'), { status: 'delivered', errors: [] });
  assert.equal(telnyxOutcome('undelivered').status, 'delivery_failed');
  assert.equal(telnyxOutcome('undelivered').errors[0].code, '40008');
  assert.equal(telnyxOutcome('rejected').errors[0].code, '40004');
  assert.deepEqual(telnyxOutcome('failed', { error: 'ESME_RINVDSTADR' }), {
    status: 'sending_failed',
    errors: [{ code: '40008', title: 'Undeliverable', detail: 'ESME_RINVDSTADR' }],
  });
  // expired: by a receipt, by no receipt after sending, or never sent in time.
  assert.equal(telnyxOutcome('expired', { receipt: true }).errors[0].code, '40005');
  assert.deepEqual(telnyxOutcome('expired', { sent: true }), { status: 'delivery_unconfirmed', errors: [] });
  assert.equal(telnyxOutcome('expired').status, 'sending_failed');
  assert.equal(telnyxOutcome('expired').errors[0].code, '40014');
});

test('the message object: E.164 with "+", alphanumeric senders as they are, UCS-2, cost, valid_until', () => {
  const m = telnyxMessage(
    message({
      source: 'Shop',
      dataCoding: 8,
      body: Buffer.from('\u00e9\u00e9', 'utf16le').swap16(),
      meta: { origin: 'rest', validUntil: Date.parse('2026-12-08T10:00:00Z'), segments: 1 },
    }),
  );
  assert.deepEqual(m.from, { phone_number: 'Shop', carrier: null, line_type: null });
  assert.equal(m.encoding, 'UCS-2');
  assert.equal(m.text, 'éé');
  assert.equal(m.valid_until, '2026-12-08T10:00:00.000Z');
  assert.deepEqual(m.cost, { amount: '0.01', currency: null });
  assert.equal(m.webhook_url, null);
  assert.equal((m.to as { status: string }[])[0].status, 'queued');
});

test('which state changes owe an event: sent by the submit (not a receipt), final states; none without webhook_url', () => {
  const m = message();
  const at = Date.parse('2026-12-07T10:00:05Z');
  const sent = telnyxWebhook(m, { state: 'sent', at }, at + 1000)!;
  assert.equal(sent.kind, 'telnyx');
  const data = JSON.parse(sent.body) as {
    event_type: string;
    record_type: string;
    payload: { sent_at: string };
  };
  assert.equal(data.event_type, 'message.sent');
  assert.equal(data.record_type, 'event');
  assert.equal(data.payload.sent_at, '2026-12-07T10:00:05.000Z');
  const receipt = { stat: 'ENROUTE' } as never;
  assert.equal(telnyxWebhook(m, { state: 'sent', at, receipt }, at), undefined);
  assert.equal(telnyxWebhook(m, { state: 'queued', at }, at), undefined);
  const fin = JSON.parse(telnyxWebhook(m, { state: 'delivered', at }, at)!.body) as {
    event_type: string;
    payload: { completed_at: string; to: { status: string }[] };
  };
  assert.equal(fin.event_type, 'message.finalized');
  assert.equal(fin.payload.to[0].status, 'delivered');
  assert.equal(fin.payload.completed_at, '2026-12-07T10:00:05.000Z');
  assert.equal(telnyxWebhook(message({ meta: { telnyx: {} } }), { state: 'delivered', at }, at), undefined);
  // A /v2 message gets Telnyx events only, not REST v1's as well.
  const items = webhooksForState(m, { state: 'delivered', at });
  assert.deepEqual(
    items.map((w) => w.kind),
    ['telnyx'],
  );
  // A /v1 message with the same callback keeps REST v1's event.
  assert.deepEqual(
    webhooksForState(message({ meta: { callbackUrl: 'https://hooks.example/t' } }), {
      state: 'delivered',
      at,
    }).map((w) => w.kind),
    ['rest'],
  );
});

test("the sender's request of a telnyx item: {data, meta} body, telnyx-timestamp, Ed25519 signature of 'timestamp|body'", () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const sender = new WebhookSender({} as Store, { telnyxKey: () => privateKey });
  const item = telnyxWebhook(message(), { state: 'delivered', at: Date.now() }, Date.now() + 1000)!;
  const w: WebhookItem = { ...item, id: 1, attempts: 2, createdAt: Date.now() };
  const req = sender.request(w);
  assert.equal(req.method, 'POST');
  assert.equal(req.headers['content-type'], 'application/json');
  const body = JSON.parse(req.body!) as { data: { id: string }; meta: unknown };
  assert.equal(body.data.id, item.eventId);
  assert.deepEqual(body.meta, { attempt: 2, delivered_to: 'https://hooks.example/t' });
  const ts = req.headers['telnyx-timestamp'];
  assert.ok(Math.abs(Number(ts) - Date.now() / 1000) < 5);
  const sig = Buffer.from(req.headers['telnyx-signature-ed25519'], 'base64');
  assert.equal(sig.length, 64);
  assert.ok(verify(null, Buffer.from(`${ts}|${req.body!}`), publicKey, sig));
  assert.ok(!verify(null, Buffer.from(`${Number(ts) + 1}|${req.body!}`), publicKey, sig));
  // No key: sent unsigned (never a Standard Webhooks signature instead).
  const unsigned = new WebhookSender({} as Store, { secret: 'whsec_x' }).request(w);
  assert.equal(unsigned.headers['telnyx-signature-ed25519'], undefined);
  assert.equal(unsigned.headers['webhook-signature'], undefined);
});
