// The two provider signatures against the providers' own SDKs: our Twilio HMAC-SHA1 is
// twilio-node's getExpectedTwilioSignature (repeated MediaUrl, non-ASCII, ports), and the
// provider simulator's Ed25519 webhooks pass the telnyx SDK's TelnyxWebhook and its client's
// webhooks.unwrap; what they refuse, we refuse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import twilio from 'twilio';
import Telnyx from 'telnyx';
import { TelnyxWebhook } from 'telnyx/lib/webhooks';
import {
  formParams,
  telnyxKeyPair,
  telnyxPublicKey,
  telnyxRefusal,
  telnyxSign,
  twilioSignature,
  twilioVerify,
} from '../../src/lib/provider-signatures.js';

const TOKEN = '12345678901234567890123456789012';

test('twilio: our signature is twilio-node’s, and each side verifies the other’s', () => {
  const url = 'https://hermod.example.com/v1/hooks/connectors/tw/twilio?x=1';
  const params = {
    MessageSid: 'MM0123456789abcdef0123456789abcdef',
    Body: 'Grüße — ça va? 👋',
    NumMedia: '2',
    MediaUrl: ['https://b.example/2.png', 'https://a.example/1.jpg', 'https://a.example/1.jpg'],
    From: '+15005550006',
  };
  const ours = twilioSignature(TOKEN, url, params);
  assert.equal(ours, twilio.getExpectedTwilioSignature(TOKEN, url, params));
  assert.ok(twilio.validateRequest(TOKEN, ours, url, params));
  assert.ok(twilioVerify(TOKEN, url, params, ours));
  // What twilio-node refuses, we refuse: another token, another URL, a changed field.
  assert.equal(twilioVerify('x'.repeat(32), url, params, ours), false);
  assert.equal(twilioVerify(TOKEN, url.replace('x=1', 'x=2'), params, ours), false);
  assert.equal(twilioVerify(TOKEN, url, { ...params, Body: 'changed' }, ours), false);
  assert.equal(twilioVerify(TOKEN, url, params, undefined), false);
  // Twilio signed the URL with its default port (or without): both forms accepted, like twilio-node.
  const withPort = twilioSignature(TOKEN, url.replace('.com/', '.com:443/'), params);
  assert.ok(twilio.validateRequest(TOKEN, withPort, url, params));
  assert.ok(twilioVerify(TOKEN, url, params, withPort));
  assert.equal(twilioVerify(TOKEN, url.replace('.com/', '.com:8443/'), params, withPort), false);
});

test('twilio: a form body read back signs the same (repeated names kept)', () => {
  const body = 'To=%2B15005550006&MediaUrl=https%3A%2F%2Fa%2F1&MediaUrl=https%3A%2F%2Fa%2F2&Body=hi+there';
  const params = formParams(body);
  assert.deepEqual(params, {
    To: '+15005550006',
    MediaUrl: ['https://a/1', 'https://a/2'],
    Body: 'hi there',
  });
  const url = 'http://127.0.0.1:1/hook';
  assert.equal(twilioSignature(TOKEN, url, params), twilio.getExpectedTwilioSignature(TOKEN, url, params));
});

test('telnyx: our Ed25519 webhooks pass the telnyx SDK’s verifier; a tampered or stale one fails both', async () => {
  const { privateKey, publicKey } = telnyxKeyPair();
  const body = JSON.stringify({
    data: { event_type: 'message.finalized', payload: { id: 'x', text: 'héllo' } },
  });
  const now = Math.floor(Date.now() / 1000);
  const headers = telnyxSign(privateKey, body, now);
  await new TelnyxWebhook(publicKey).verify(body, headers);
  const client = new Telnyx({ apiKey: 'KEY_test', publicKey });
  const event = (await client.webhooks.unwrap(body, { headers })) as unknown as {
    data: { event_type: string };
  };
  assert.equal(event.data.event_type, 'message.finalized');
  assert.equal(
    telnyxRefusal(
      telnyxPublicKey(publicKey),
      Buffer.from(body),
      headers['telnyx-signature-ed25519'],
      headers['telnyx-timestamp'],
      now,
    ),
    undefined,
  );

  const tampered = body.replace('héllo', 'hello');
  await assert.rejects(new TelnyxWebhook(publicKey).verify(tampered, headers), /does not match/);
  assert.equal(
    telnyxRefusal(
      telnyxPublicKey(publicKey),
      Buffer.from(tampered),
      headers['telnyx-signature-ed25519'],
      headers['telnyx-timestamp'],
      now,
    ),
    'the signature does not match',
  );
  const stale = telnyxSign(privateKey, body, now - 301);
  await assert.rejects(new TelnyxWebhook(publicKey).verify(body, stale), /too old/);
  assert.match(
    telnyxRefusal(
      telnyxPublicKey(publicKey),
      Buffer.from(body),
      stale['telnyx-signature-ed25519'],
      stale['telnyx-timestamp'],
      now,
    ) ?? '',
    /more than 300 s/,
  );
  // Another account's key: refused.
  const other = telnyxKeyPair().publicKey;
  await assert.rejects(new TelnyxWebhook(other).verify(body, headers));
  assert.ok(
    telnyxRefusal(
      telnyxPublicKey(other),
      Buffer.from(body),
      headers['telnyx-signature-ed25519'],
      headers['telnyx-timestamp'],
      now,
    ),
  );
});

test('telnyx: a public key must be 32 bytes of base64, as the SDK requires', () => {
  assert.throws(() => telnyxPublicKey(Buffer.alloc(31).toString('base64')), /32 bytes/);
  assert.throws(() => new TelnyxWebhook(Buffer.alloc(31).toString('base64')), /32 bytes/);
  assert.throws(() => telnyxPublicKey('not base64!'), /32 bytes/);
});
