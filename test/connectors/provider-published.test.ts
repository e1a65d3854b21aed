// Payloads Telnyx and Twilio publish (test/fixtures/providers/, sources in its README), signed
// here as the provider signs them and handed to the connectors as the provider posts them:
// what each must make of them. And Twilio's published Message answer read for its sid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TelnyxConnector, TwilioConnector } from '../../src/connectors/index.js';
import type { InboundPdu } from '../../src/gateway/index.js';
import type { Receipt } from '../../src/smpp/index.js';
import { decodeText } from '../../src/smpp/index.js';
import type { StoredMessage } from '../../src/domain/index.js';
import { formParams, telnyxKeyPair, telnyxSign, twilioSignature } from '../../src/lib/provider-signatures.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/providers/${name}`, import.meta.url));
const HOOK_BASE = 'https://sms.example.com';
const ACCOUNT = 'ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX';
const TOKEN = 'published-fixture-auth-token-0001';
const common = {
  baseUrl: 'http://127.0.0.1:9',
  hookBaseUrl: HOOK_BASE,
  window: 1,
  timeoutMs: 2000,
  mediaUrlTtlS: 600,
};

async function telnyx() {
  const { privateKey, publicKey } = telnyxKeyPair();
  const c = new TelnyxConnector('tx', { ...common, apiKey: 'KEY', publicKey });
  const mos: InboundPdu[] = [];
  const receipts: Receipt[] = [];
  c.onMo(async (mo) => void mos.push(mo));
  c.onReceipt(async (r) => void receipts.push(r));
  await c.start();
  const post = (body: Buffer) =>
    c.inboundHttp({
      kind: 'telnyx',
      method: 'POST',
      url: '/v1/hooks/connectors/tx/telnyx',
      headers: {
        'content-type': 'application/json',
        ...telnyxSign(privateKey, body, Math.floor(Date.now() / 1000)),
      },
      body,
    });
  return { mos, receipts, post };
}

test('telnyx published message.sent (an MMS still queued): read, not final, nothing changes', async () => {
  const t = await telnyx();
  const a = await t.post(fixture('telnyx-message-sent.json'));
  assert.deepEqual([a.status, a.body], [200, 'status "queued" is not final: nothing changes']);
  assert.equal(t.receipts.length, 0);
  // The same event finalized as delivered: a receipt for the payload's id.
  const finalized = JSON.parse(fixture('telnyx-message-sent.json').toString()) as {
    data: { event_type: string; payload: { to: { status: string }[] } };
  };
  finalized.data.event_type = 'message.finalized';
  finalized.data.payload.to[0].status = 'delivered';
  assert.equal((await t.post(Buffer.from(JSON.stringify(finalized)))).status, 200);
  assert.deepEqual(
    t.receipts.map((r) => [r.id, r.state]),
    [['40385f64-5717-4562-b3fc-2c963f66afa6', 'delivered']],
  );
});

test('telnyx published message.received: an MO from +18665550001 to +18445550001 with its text', async () => {
  const t = await telnyx();
  const a = await t.post(fixture('telnyx-message-received.json'));
  assert.equal(a.status, 200, String(a.body));
  assert.equal(t.mos.length, 1);
  const [mo] = t.mos;
  assert.deepEqual([mo.source, mo.destination, mo.media], ['18665550001', '18445550001', undefined]);
  assert.equal(decodeText(mo.shortMessage, mo.dataCoding), 'Hello, World!');
});

function twilio() {
  const c = new TwilioConnector('tw', { ...common, accountSid: ACCOUNT, authToken: TOKEN });
  const mos: InboundPdu[] = [];
  const receipts: Receipt[] = [];
  c.onMo(async (mo) => void mos.push(mo));
  c.onReceipt(async (r) => void receipts.push(r));
  const url = '/v1/hooks/connectors/tw/twilio';
  const post = (body: Buffer) =>
    c.inboundHttp({
      kind: 'twilio',
      method: 'POST',
      url,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(TOKEN, HOOK_BASE + url, formParams(body.toString())),
      },
      body,
    });
  return { c, mos, receipts, post };
}

test('twilio published inbound SMS: an MO with Body "Ahoy!", answered with empty TwiML', async () => {
  const t = twilio();
  await t.c.start();
  const a = await t.post(fixture('twilio-inbound-sms.form'));
  assert.equal(a.status, 200);
  assert.equal(a.contentType, 'text/xml');
  assert.match(String(a.body), /<Response><\/Response>/);
  const [mo] = t.mos;
  assert.deepEqual([mo.source, mo.destination], ['14017122661', '15558675310']);
  assert.equal(decodeText(mo.shortMessage, mo.dataCoding), 'Ahoy!');
});

test('twilio published status callback (undelivered, ErrorCode 30003): an undelivered receipt with the code', async () => {
  const t = twilio();
  await t.c.start();
  assert.equal((await t.post(fixture('twilio-status-undelivered.form'))).status, 200);
  assert.deepEqual(
    t.receipts.map((r) => [r.id, r.stat, r.state, r.err]),
    [['SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX', 'UNDELIV', 'undelivered', '30003']],
  );
});

test('twilio published Message answer: its sid is the upstream id', async () => {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () =>
      res.writeHead(201, { 'content-type': 'application/json' }).end(fixture('twilio-message-created.json')),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const c = new TwilioConnector('tw', {
    ...common,
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    accountSid: ACCOUNT,
    authToken: TOKEN,
  });
  await c.start();
  try {
    const m = {
      id: 'm1',
      source: '15017122661',
      destination: '15558675310',
      esmClass: 0,
      dataCoding: 0,
      body: Buffer.from('McAvoy or Stewart? These timelines can get so confusing.'),
      meta: {},
    } as unknown as StoredMessage;
    assert.deepEqual(await c.submit(m), { upstreamId: 'MMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX' });
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});
