// Each reason a provider webhook is refused, one at a time, with the right key or token
// otherwise: nothing reaches the gateway's handlers. And the edges that are not refusals: an
// inbound media URL that cannot be fetched is 503 (the provider retries) with no MO stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TelnyxConnector, TwilioConnector } from '../../src/connectors/index.js';
import { MediaLibrary, UrlGuard } from '../../src/gateway/index.js';
import { FileMediaBlobs, SqliteStore } from '../../src/store/index.js';
import type { InboundHttpRequest, InboundPdu } from '../../src/gateway/index.js';
import type { Receipt } from '../../src/smpp/index.js';
import { telnyxKeyPair, telnyxSign, twilioSignature } from '../../src/lib/provider-signatures.js';

const common = { baseUrl: 'http://127.0.0.1:9', window: 1, timeoutMs: 2000, mediaUrlTtlS: 600 };
const FINALIZED = Buffer.from(
  JSON.stringify({
    data: {
      event_type: 'message.finalized',
      payload: { id: 'm-1', to: [{ phone_number: '+1555', status: 'delivered' }] },
    },
  }),
);

function handlers(c: TelnyxConnector | TwilioConnector) {
  const seen: (Receipt | InboundPdu)[] = [];
  c.onReceipt(async (r) => void seen.push(r));
  c.onMo(async (m) => void seen.push(m));
  return seen;
}

test('telnyx: a stale or future timestamp, a changed body, a missing header, another key: 401, nothing handed on', async () => {
  const { privateKey, publicKey } = telnyxKeyPair();
  const now = 1_800_000_000_000;
  const c = new TelnyxConnector('tx', { ...common, apiKey: 'k', publicKey, now: () => now });
  const seen = handlers(c);
  const req = (body: Buffer, headers: Record<string, string>): InboundHttpRequest => ({
    kind: 'telnyx',
    method: 'POST',
    url: '/v1/hooks/connectors/tx/telnyx',
    headers,
    body,
  });
  const nowS = now / 1000;
  const refused = async (body: Buffer, headers: Record<string, string>, why: RegExp) => {
    const a = await c.inboundHttp(req(body, headers));
    assert.equal(a.status, 401, String(a.body));
    assert.match(String(a.body), why);
  };
  await refused(FINALIZED, telnyxSign(privateKey, FINALIZED, nowS - 301), /more than 300 s/);
  await refused(FINALIZED, telnyxSign(privateKey, FINALIZED, nowS + 301), /more than 300 s/);
  await refused(
    Buffer.from(FINALIZED.toString().replace('delivered', 'delivery_failed')),
    telnyxSign(privateKey, FINALIZED, nowS),
    /does not match/,
  );
  await refused(FINALIZED, {}, /no telnyx-signature-ed25519/);
  await refused(
    FINALIZED,
    { ...telnyxSign(privateKey, FINALIZED, nowS), 'telnyx-timestamp': 'yesterday' },
    /not a unix time/,
  );
  await refused(FINALIZED, telnyxSign(telnyxKeyPair().privateKey, FINALIZED, nowS), /does not match/);
  assert.equal(seen.length, 0);
  // Within the window (299 s old): taken.
  const ok = await c.inboundHttp(req(FINALIZED, telnyxSign(privateKey, FINALIZED, nowS - 299)));
  assert.equal(ok.status, 200);
  assert.equal(seen.length, 1);
  // Not POST, another kind.
  assert.equal((await c.inboundHttp({ ...req(FINALIZED, {}), method: 'GET' })).status, 405);
  assert.equal((await c.inboundHttp({ ...req(FINALIZED, {}), kind: 'dlr' })).status, 404);
});

test('twilio: another token, another URL, a changed parameter, another account, no hookBaseUrl: 403, nothing handed on', async () => {
  const SID = 'AC0123456789abcdef0123456789abcdef';
  const TOKEN = 'twilio-token-0123456789abcdef012';
  const base = 'https://sms.example.com/hermod';
  const c = new TwilioConnector('tw', { ...common, hookBaseUrl: base, accountSid: SID, authToken: TOKEN });
  const seen = handlers(c);
  const path = '/v1/hooks/connectors/tw/twilio';
  const fields = { AccountSid: SID, MessageSid: 'SM1', MessageStatus: 'delivered' };
  const post = (body: Record<string, string>, signature: string, c2 = c) =>
    c2.inboundHttp({
      kind: 'twilio',
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: Buffer.from(new URLSearchParams(body).toString()),
    });
  const refused = async (p: Promise<{ status: number; body: string | Buffer }>, why: RegExp) => {
    const a = await p;
    assert.equal(a.status, 403, String(a.body));
    assert.match(String(a.body), why);
  };
  await refused(post(fields, twilioSignature('x'.repeat(32), base + path, fields)), /does not sign/);
  await refused(
    post(fields, twilioSignature(TOKEN, 'https://sms.example.com' + path, fields)),
    /does not sign/,
  );
  await refused(
    post({ ...fields, MessageStatus: 'failed' }, twilioSignature(TOKEN, base + path, fields)),
    /does not sign/,
  );
  const other = { ...fields, AccountSid: 'AC' + 'f'.repeat(32) };
  await refused(post(other, twilioSignature(TOKEN, base + path, other)), /another account/);
  const blind = new TwilioConnector('tw', { ...common, accountSid: SID, authToken: TOKEN });
  handlers(blind);
  await refused(post(fields, twilioSignature(TOKEN, base + path, fields), blind), /without hookBaseUrl/);
  assert.equal(seen.length, 0);
  // Signed as Twilio signs it (the default port written out is the same URL): taken.
  const ok = await post(fields, twilioSignature(TOKEN, 'https://sms.example.com:443/hermod' + path, fields));
  assert.equal(ok.status, 200);
  assert.deepEqual(
    seen.map((r) => [(r as Receipt).id, (r as Receipt).state]),
    [['SM1', 'delivered']],
  );
});

test('an inbound MMS whose media URL cannot be fetched: 503 (the provider retries), no MO', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hermod-provider-hooks-'));
  const store = new SqliteStore(join(dir, 'hermod.db'));
  // The SSRF guard as configured by default: loopback is refused.
  const media = new MediaLibrary(store, new FileMediaBlobs(join(dir, 'media')), { guard: new UrlGuard() });
  const { privateKey, publicKey } = telnyxKeyPair();
  const c = new TelnyxConnector('tx', { ...common, apiKey: 'k', publicKey, media });
  const seen = handlers(c);
  const body = Buffer.from(
    JSON.stringify({
      data: {
        event_type: 'message.received',
        payload: {
          from: { phone_number: '+15557654321' },
          to: [{ phone_number: '+15550001000' }],
          text: 'pic',
          media: [{ url: 'http://127.0.0.1:9/metadata.png', content_type: 'image/png' }],
        },
      },
    }),
  );
  try {
    const a = await c.inboundHttp({
      kind: 'telnyx',
      method: 'POST',
      url: '/v1/hooks/connectors/tx/telnyx',
      headers: telnyxSign(privateKey, body, Math.floor(Date.now() / 1000)),
      body,
    });
    assert.equal(a.status, 503);
    assert.match(String(a.body), /could not be fetched: retry/);
    assert.equal(seen.length, 0);
  } finally {
    await store.close();
  }
});
