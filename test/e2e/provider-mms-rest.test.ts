// MMS end to end through the provider connectors: a whole Hermod with a `telnyx` and a
// `twilio` connector pointed at the provider simulator, neither with a hookBaseUrl (both take
// `media.publicUrl`, this Hermod's API port). An upload (`POST /v1/media`) sent with
// `media_urls` on `POST /v1/messages` reaches the simulator, which fetches the signed URL
// Hermod serves and gets the exact bytes; its signed status webhooks end the message
// delivered, charged once at the MMS price. The same through `/v2/messages` (the
// Telnyx-compatible interface). An inbound MMS injected at the simulator becomes an MO whose
// REST `message.received` event names signed media URLs that serve the bytes, and whose
// Jasmin-format MO carries them as `media_url_<n>`; its subject is kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startHermod } from '../../src/compose/index.js';
import { parseConfig } from '../../src/config/index.js';
import { ProviderSimulator } from '../../src/simulator/provider-simulator.js';
import { startReceiver } from '../support/http-receiver.js';
import { until } from '../support/until.js';

const API_KEY = 'hk_provider_mms_rest_test_01';
const TELNYX_KEY = 'KEY0123456789_telnyx_secret';
const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const AUTH_TOKEN = 'twilio-auth-token-0123456789abcd';
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** A port free now: the API listens on it, so `media.publicUrl` can name it before start. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

function multipart(bytes: Buffer, filename: string, type: string) {
  const boundary = '----hermod-e2e-boundary';
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`,
    ),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

test('MMS through the telnyx and twilio connectors: upload → /v1 and /v2 → the provider fetches the signed URL → delivered, charged once; inbound MMS → message.received and Jasmin MO with media URLs', async () => {
  const rx = await startReceiver();
  const telnyx = await ProviderSimulator.start({ provider: 'telnyx', apiKey: TELNYX_KEY });
  const twilio = await ProviderSimulator.start({
    provider: 'twilio',
    accountSid: ACCOUNT,
    authToken: AUTH_TOKEN,
  });
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'hermod-test-'));
  const config = parseConfig(
    {
      webhooks: { allowPrivateNetworks: true },
      media: { publicUrl: origin },
      users: [{ username: 'shop', password: 'pw', balance: 10, rate: 0.01, apiKeys: [API_KEY] }],
      connectors: [
        {
          id: 'tx',
          type: 'telnyx',
          baseUrl: telnyx.url,
          apiKey: TELNYX_KEY,
          publicKey: telnyx.publicKey,
          timeoutS: 5,
        },
        {
          id: 'tw',
          type: 'twilio',
          baseUrl: twilio.url,
          accountSid: ACCOUNT,
          authToken: AUTH_TOKEN,
          timeoutS: 5,
        },
      ],
      routes: [
        { name: 'telnyx', prefixes: ['1555100'], type: 'static', connectors: ['tx'] },
        { name: 'twilio', prefixes: ['1555200'], type: 'static', connectors: ['tw'] },
      ],
      moRoutes: [
        { name: 'app', prefixes: ['1555000'], url: `${rx.url}/inbound`, format: 'rest' },
        { name: 'legacy', prefixes: ['1555001'], url: `${rx.url}/jasmin`, method: 'POST' },
        { name: 'mine', prefixes: ['1555002'], user: 'shop' },
      ],
    },
    {
      HERMOD_DATA_DIR: dataDir,
      HERMOD_SMPP_PORT: '0',
      HERMOD_HTTP_PORT: '0',
      HERMOD_API_PORT: String(port),
      HERMOD_BIND: '127.0.0.1',
    },
    'test',
  );
  const h = await startHermod(config, { logger: pino({ level: process.env.HERMOD_LOG_LEVEL ?? 'warn' }) });
  const auth = { authorization: `Bearer ${API_KEY}` };
  const balance = async () => (await h.store.getUserByName('shop'))!.balanceMicros;
  const state = async (id: string) => (await h.store.getMessage(id))?.state;
  try {
    assert.equal(h.apiPort, port);
    const up = multipart(PNG, 'dot.png', 'image/png');
    const uploaded = await h.api.inject({
      method: 'POST',
      url: '/v1/media',
      headers: { ...auth, ...up.headers },
      payload: up.payload,
    });
    assert.equal(uploaded.statusCode, 201, uploaded.body);
    const mediaId = (uploaded.json() as { id: string }).id;

    const cases = [
      { sim: telnyx, connector: 'tx', kind: 'telnyx', to: '+15551000001', via: '/v1' },
      { sim: twilio, connector: 'tw', kind: 'twilio', to: '+15552000001', via: '/v1' },
      { sim: telnyx, connector: 'tx', kind: 'telnyx', to: '+15551000002', via: '/v2' },
    ] as const;
    for (const c of cases) {
      const before = await balance();
      const payload = {
        to: c.to,
        from: '+15550001000',
        text: `Look (${c.via})`,
        subject: 'Photo',
        media_urls: [mediaId],
      };
      const res = await h.api.inject({ method: 'POST', url: `${c.via}/messages`, headers: auth, payload });
      assert.equal(res.statusCode, c.via === '/v1' ? 202 : 200, res.body);
      const id =
        c.via === '/v1'
          ? (res.json() as { id: string }).id
          : (res.json() as { data: { id: string } }).data.id;
      await until(`${c.kind} ${c.via} delivered`, async () => (await state(id)) === 'delivered');
      const stored = (await h.store.getMessage(id))!;
      assert.equal(stored.connectorId, c.connector);
      assert.equal(stored.priceMicros, 40_000, 'one MMS at 4 × the SMS rate');
      assert.equal(await balance(), before - 40_000, 'charged once');

      // What the provider received: the MMS, a signed URL of this Hermod, the hook by media.publicUrl.
      const sent = c.sim.submitted.find((m) => m.id === stored.upstreamId)!;
      assert.ok(sent, 'the simulator got the message');
      assert.deepEqual([sent.to, sent.text, sent.mediaUrls.length], [c.to, `Look (${c.via})`, 1]);
      if (c.kind === 'telnyx') assert.equal(sent.subject, 'Photo');
      assert.equal(sent.webhookUrl, `${origin}/v1/hooks/connectors/${c.connector}/${c.kind}`);
      const url = new URL(sent.mediaUrls[0]);
      assert.equal(url.origin, origin);
      assert.equal(url.pathname, `/media/${mediaId}`);
      assert.ok(url.searchParams.get('expires') && url.searchParams.get('signature'));
      await c.sim.idle();
      const got = c.sim.fetched.find((f) => f.messageId === sent.id)!;
      assert.equal(got.status, 200);
      assert.equal(got.contentType, 'image/png');
      assert.deepEqual(got.bytes, PNG, 'the exact bytes');
      for (const w of c.sim.webhooks.filter((x) => x.messageId === sent.id))
        assert.equal(w.status, 200, `${w.event}: ${w.body}`);
      assert.equal((await h.store.getParts(id)).length, 1, 'one submit');
    }
    // A signature that does not hold is refused by the media route.
    const bad = new URL(telnyx.submitted[0].mediaUrls[0]);
    bad.searchParams.set('signature', '0'.repeat(64));
    assert.equal((await fetch(bad)).status, 403);

    // Inbound MMS at each provider → the REST message.received event with signed media URLs.
    for (const [sim, kind] of [
      [telnyx, 'telnyx'],
      [twilio, 'twilio'],
    ] as const) {
      const id = kind === 'telnyx' ? 'tx' : 'tw';
      const hook = `${origin}/v1/hooks/connectors/${id}/${kind}`;
      const n = rx.received.length;
      const inbound = await sim.inject(hook, {
        from: '+15557654321',
        to: '+15550000001',
        text: `from ${kind}`,
        media: [{ bytes: GIF, contentType: 'image/gif', filename: 'wave.gif' }],
        ...(kind === 'telnyx' ? { subject: 'Holiday' } : {}),
      });
      assert.equal(inbound.status, 200, inbound.body);
      await until(`${kind} message.received`, () => rx.received.length > n);
      const event = rx.received[n];
      assert.equal(event.path, '/inbound');
      const payload = (event.json as { data: { event_type: string; payload: Record<string, unknown> } }).data;
      assert.equal(payload.event_type, 'message.received');
      assert.deepEqual(
        [payload.payload.from, payload.payload.to, payload.payload.text, payload.payload.connector],
        ['15557654321', '15550000001', `from ${kind}`, id],
      );
      // The subject Telnyx gives is kept (Twilio gives none) and shown in the event.
      assert.equal(payload.payload.subject, kind === 'telnyx' ? 'Holiday' : undefined);
      const [stored] = await h.store.listMo(1);
      assert.equal(stored.subject, kind === 'telnyx' ? 'Holiday' : undefined, 'kept on the MO');
      const media = payload.payload.media as { content_type: string; size: number; url: string }[];
      assert.equal(media.length, 1);
      assert.deepEqual([media[0].content_type, media[0].size], ['image/gif', GIF.length]);
      assert.ok(media[0].url.startsWith(`${origin}/media/`), media[0].url);
      const served = await fetch(media[0].url);
      assert.equal(served.status, 200);
      assert.deepEqual(Buffer.from(await served.arrayBuffer()), GIF, 'the URL serves the bytes');
    }

    // An inbound MMS on a Jasmin-format MO route: its media as media_url_<n> (a Hermod addition).
    const n = rx.received.length;
    const legacy = await telnyx.inject(`${origin}/v1/hooks/connectors/tx/telnyx`, {
      from: '+15557654321',
      to: '+15550010001',
      text: 'two pictures',
      media: [
        { bytes: PNG, contentType: 'image/png', filename: 'dot.png' },
        { bytes: GIF, contentType: 'image/gif', filename: 'wave.gif' },
      ],
    });
    assert.equal(legacy.status, 200, legacy.body);
    await until('the Jasmin MO', () => rx.received.length > n);
    const form = rx.received[n].form;
    assert.equal(rx.received[n].path, '/jasmin');
    assert.equal(form.content, 'two pictures');
    assert.deepEqual(
      [form.media_count, form.media_type_0, form.media_type_1],
      ['2', 'image/png', 'image/gif'],
    );
    for (const [i, bytes] of [PNG, GIF].entries()) {
      assert.ok(form[`media_url_${i}`].startsWith(`${origin}/media/`));
      const served = await fetch(form[`media_url_${i}`]);
      assert.deepEqual(Buffer.from(await served.arrayBuffer()), bytes, `media_url_${i} serves the bytes`);
    }

    // An MO routed to the account: GET /v1/inbound shows its subject and its media.
    const mine = await telnyx.inject(`${origin}/v1/hooks/connectors/tx/telnyx`, {
      from: '+15557654321',
      to: '+15550020001',
      text: 'for the inbox',
      subject: 'Inbox',
      media: [{ bytes: PNG, contentType: 'image/png', filename: 'dot.png' }],
    });
    assert.equal(mine.status, 200, mine.body);
    const listed = await h.api.inject({ method: 'GET', url: '/v1/inbound?limit=1', headers: auth });
    assert.equal(listed.statusCode, 200, listed.body);
    const [row] = (listed.json() as { data: { subject?: string; text: string; media: { url: string }[] }[] })
      .data;
    assert.deepEqual([row.text, row.subject, row.media.length], ['for the inbox', 'Inbox', 1]);
    assert.deepEqual(Buffer.from(await (await fetch(row.media[0].url)).arrayBuffer()), PNG);

    // A provider connector added through the admin API without hookBaseUrl takes media.publicUrl too.
    await h.definitions.putConnector('tx2', {
      type: 'telnyx',
      baseUrl: telnyx.url,
      apiKey: TELNYX_KEY,
      publicKey: telnyx.publicKey,
    });
    const added = h.connectors.get('tx2') as unknown as { hookUrl?: string };
    assert.equal(added.hookUrl, `${origin}/v1/hooks/connectors/tx2/telnyx`);
  } finally {
    await h.stop();
    await telnyx.close();
    await twilio.close();
    await rx.close();
  }
});
