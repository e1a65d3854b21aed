// The Telnyx and Twilio connectors through a whole Hermod, against the provider simulator on
// real sockets: an SMS goes out in the provider's request shape, the simulator's signed
// status webhooks come back to /v1/hooks/connectors/{id}/{type} and the message ends
// delivered (or undelivered); 429 and 500 are retried, 400 fails the message; an inbound
// MMS lands as an MO with its media in the library; a forged webhook is refused and stores
// nothing; the admin API hides the provider's secret.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ProviderSimulator, type ProviderKind } from '../../src/simulator/index.js';
import { decodeText } from '../../src/smpp/index.js';
import { telnyxKeyPair, telnyxSign, twilioSignature } from '../../src/lib/provider-signatures.js';
import { configuredHermod } from '../support/hermod.js';
import { until } from '../support/until.js';

const API_KEY = 'hk_provider_connector_test_01';
const ADMIN = 'provider-connector-admin-0001';
const TELNYX_KEY = 'KEY0123456789_telnyx_secret';
const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const AUTH_TOKEN = 'twilio-auth-token-0123456789abcd';

/** A 1×1 PNG and a 1×1 GIF: what an inbound MMS carries. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

function definition(provider: ProviderKind, sim: ProviderSimulator, apiPort: number) {
  const common = {
    id: 'prov',
    type: provider,
    baseUrl: sim.url,
    hookBaseUrl: `http://127.0.0.1:${apiPort}`,
    window: 4,
    timeoutS: 5,
  };
  return provider === 'telnyx'
    ? { ...common, apiKey: TELNYX_KEY, publicKey: sim.publicKey, messagingProfileId: 'profile-1' }
    : { ...common, accountSid: ACCOUNT, authToken: AUTH_TOKEN };
}

for (const provider of ['telnyx', 'twilio'] as const) {
  test(`${provider} connector: SMS out, signed status webhooks → delivered/undelivered; 429/500 retried, 400 failed; inbound MMS with its media; forgeries refused`, async () => {
    const sim = await ProviderSimulator.start({
      provider,
      ...(provider === 'telnyx' ? { apiKey: TELNYX_KEY } : { accountSid: ACCOUNT, authToken: AUTH_TOKEN }),
      scripts: [
        { prefix: '1555429', status: 429, times: 1 },
        { prefix: '1555500', status: 500, times: 1 },
        { prefix: '1555400', status: 400 },
        { prefix: '1555666', outcome: 'undelivered' },
      ],
    });
    const h = await configuredHermod({
      admin: { keys: [ADMIN] },
      webhooks: { allowPrivateNetworks: true },
      users: [{ username: 'shop', password: 'pw', balance: 10, rate: 0.01, apiKeys: [API_KEY] }],
      connectors: [{ id: 'spare', type: 'simulator' }],
      routes: [{ name: 'default', type: 'static', connectors: ['spare'] }],
      moRoutes: [{ prefixes: ['1555000'], user: 'shop' }],
    });
    const hookUrl = `http://127.0.0.1:${h.apiPort}/v1/hooks/connectors/prov/${provider}`;
    const send = async (to: string, text: string) => {
      const res = await h.api.inject({
        method: 'POST',
        url: '/v1/messages',
        headers: { authorization: `Bearer ${API_KEY}` },
        payload: { to, from: '15550001000', text },
      });
      assert.equal(res.statusCode, 202, res.body);
      return (res.json() as { id: string }).id;
    };
    const state = async (id: string) => (await h.store.getMessage(id))?.state;
    try {
      await h.definitions.putConnector('prov', definition(provider, sim, h.apiPort));
      await h.definitions.setRoutes([{ name: 'default', type: 'static', connectors: ['prov'] }]);

      // An SMS: the provider's request shape, then its signed webhooks → delivered.
      const id = await send('+15550002000', 'Grüße aus Hermod');
      await until('delivered', async () => (await state(id)) === 'delivered');
      const [m] = sim.submitted;
      assert.deepEqual(
        [m.from, m.to, m.text, m.mediaUrls, m.webhookUrl],
        ['+15550001000', '+15550002000', 'Grüße aus Hermod', [], hookUrl],
      );
      if (provider === 'telnyx') assert.equal(m.messagingProfileId, 'profile-1');
      assert.equal((await h.store.getMessage(id))?.upstreamId, m.id);
      await sim.idle();
      assert.ok(sim.webhooks.length >= 2);
      for (const w of sim.webhooks) assert.equal(w.status, 200, `${w.event}: ${w.body}`);

      // A handset that cannot be reached: undelivered, the provider's error code kept.
      const bad = await send('+15556660001', 'nobody home');
      await until('undelivered', async () => (await state(bad)) === 'undelivered');

      // 429 and 500 once each: retried and delivered; 400: failed, not retried.
      const limited = await send('+15554290001', 'slow down');
      const broken = await send('+15555000001', 'try later');
      const refused = await send('+15554000001', 'never');
      await until('429 retried', async () => (await state(limited)) === 'delivered');
      await until('500 retried', async () => (await state(broken)) === 'delivered');
      await until('400 failed', async () => (await state(refused)) === 'failed');
      assert.equal(sim.submitted.filter((s) => s.to === '+15554000001').length, 0);
      assert.match((await h.store.getMessage(refused))?.error ?? '', /answered 400/);
      assert.equal(sim.stats.refused, 3, 'one 429, one 500, one 400');

      // A forged status webhook (another key or token): refused; the message keeps its state.
      const forged = await forge(provider, hookUrl, sim.submitted[0].id);
      assert.equal(forged.status, provider === 'telnyx' ? 401 : 403, await forged.text());
      assert.equal(await state(id), 'delivered');

      // A forged inbound MMS: refused before anything is fetched or stored.
      const mediaDir = join(h.dataDir, 'media');
      const before = sim.stats.inbound;
      const forgedMo = await forgeInbound(provider, hookUrl);
      assert.equal(forgedMo.status, provider === 'telnyx' ? 401 : 403);
      assert.equal((await h.store.listMo(5)).length, 0, 'no MO stored');
      // (`.signing-key`, the media URL signing key, lives there too.)
      const stored = () =>
        existsSync(mediaDir) ? readdirSync(mediaDir).filter((f) => !f.startsWith('.')) : [];
      assert.deepEqual(stored(), [], 'no media stored');
      assert.equal(sim.stats.inbound, before);

      // An inbound MMS with two pictures: signed, its media fetched into the library.
      const got = await sim.inject(hookUrl, {
        from: '+15557654321',
        to: '+15550009999',
        text: 'Фото с отпуска',
        media: [
          { bytes: PNG, contentType: 'image/png', filename: 'beach.png' },
          { bytes: GIF, contentType: 'image/gif', filename: 'wave.gif' },
        ],
      });
      assert.equal(got.status, 200, got.body);
      const [mo] = await h.store.listMo(5);
      assert.deepEqual(
        [mo.source, mo.destination, mo.connectorId, mo.routedTo],
        ['15557654321', '15550009999', 'prov', 'shop'],
      );
      assert.equal(decodeText(mo.body, mo.dataCoding), 'Фото с отпуска');
      assert.deepEqual(
        mo.media?.map((r) => r.contentType),
        ['image/png', 'image/gif'],
      );
      const first = await h.gateway.media!.get(mo.media![0].id);
      assert.deepEqual(first.bytes, PNG);
      assert.equal(first.media.userId, null, 'inbound media have no owner');
      assert.deepEqual((await h.gateway.media!.get(mo.media![1].id)).bytes, GIF);

      // An inbound SMS: no media.
      const sms = await sim.inject(hookUrl, { from: '+15557654321', to: '+15550009999', text: 'just text' });
      assert.equal(sms.status, 200, sms.body);
      const [latest] = await h.store.listMo(1);
      assert.equal(decodeText(latest.body, latest.dataCoding), 'just text');
      assert.equal(latest.media, undefined);

      // The admin API hides the provider's secret.
      const shown = (
        await h.api.inject({
          method: 'GET',
          url: '/v1/admin/connectors/prov',
          headers: { authorization: `Bearer ${ADMIN}` },
        })
      ).json() as { type: string; definition: Record<string, unknown> };
      assert.equal(shown.type, provider);
      const secret = provider === 'telnyx' ? 'apiKey' : 'authToken';
      assert.equal(shown.definition[secret], '(hidden)');
      assert.ok(!JSON.stringify(shown).includes(provider === 'telnyx' ? TELNYX_KEY : AUTH_TOKEN));
      // Sent back as shown: the secret is kept, the connector still works.
      const put = await h.api.inject({
        method: 'PUT',
        url: '/v1/admin/connectors/prov',
        headers: { authorization: `Bearer ${ADMIN}` },
        payload: { ...shown.definition, window: 5 },
      });
      assert.equal(put.statusCode, 200, put.body);
      assert.equal(
        (h.definitions.get('prov') as unknown as Record<string, unknown>)[secret],
        provider === 'telnyx' ? TELNYX_KEY : AUTH_TOKEN,
      );
      const again = await send('+15550002001', 'still here');
      await until('delivered after the PUT', async () => (await state(again)) === 'delivered');
    } finally {
      await h.stop();
      await sim.close();
    }
  });
}

/** A delivered report for `upstreamId` signed with a key or token that is not the account's. */
async function forge(provider: ProviderKind, url: string, upstreamId: string): Promise<Response> {
  if (provider === 'telnyx') {
    const body = JSON.stringify({
      data: {
        event_type: 'message.finalized',
        payload: { id: upstreamId, to: [{ phone_number: '+15550002000', status: 'delivery_failed' }] },
      },
    });
    const headers = telnyxSign(telnyxKeyPair().privateKey, body, Math.floor(Date.now() / 1000));
    return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  }
  const fields = { AccountSid: ACCOUNT, MessageSid: upstreamId, MessageStatus: 'undelivered' };
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilioSignature('not-the-auth-token-0123456789abc', url, fields),
    },
    body: new URLSearchParams(fields).toString(),
  });
}

/** An inbound MMS whose signature does not hold (Telnyx: a stale timestamp; Twilio: a changed body). */
async function forgeInbound(provider: ProviderKind, url: string): Promise<Response> {
  const media = 'http://127.0.0.1:9/never-fetched.png';
  if (provider === 'telnyx') {
    const body = JSON.stringify({
      data: {
        event_type: 'message.received',
        payload: {
          from: { phone_number: '+15557654321' },
          to: [{ phone_number: '+15550009999' }],
          text: 'x',
          media: [{ url: media }],
        },
      },
    });
    const { privateKey } = telnyxKeyPair();
    const headers = telnyxSign(privateKey, body, Math.floor(Date.now() / 1000) - 600);
    return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  }
  const fields = {
    AccountSid: ACCOUNT,
    From: '+15557654321',
    To: '+15550009999',
    Body: 'x',
    NumMedia: '1',
    MediaUrl0: media,
  };
  const signature = twilioSignature(AUTH_TOKEN, url, fields);
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: new URLSearchParams({ ...fields, Body: 'changed' }).toString(),
  });
}
