// The provider simulator against the providers' own SDKs: the telnyx client sends through it
// (its answer parses as Telnyx's), the twilio client sends through it (form in, message JSON
// out), and its webhooks pass each SDK's verifier. Scripts: HTTP refusals, outcomes,
// `times`, delays; inject() serves its media.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync } from 'node:crypto';
import twilio from 'twilio';
import Telnyx from 'telnyx';
import { TelnyxWebhook } from 'telnyx/lib/webhooks';
import { ProviderSimulator } from '../../src/simulator/provider-simulator.js';
import { formParams } from '../../src/lib/provider-signatures.js';

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const AUTH_TOKEN = 'twilio-auth-token-0123456789abcd';

interface Hit {
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A webhook receiver: records what came, answers 200. */
async function receiver() {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString('utf8')));
    req.on('end', () => {
      hits.push({ url: req.url ?? '', headers: req.headers, body });
      res.writeHead(200).end('OK');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { hits, url, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const headersOf = (h: IncomingMessage['headers']) =>
  Object.fromEntries(Object.entries(h).map(([k, v]) => [k, String(v)]));

test('telnyx simulator: the telnyx SDK sends through it; its webhooks pass the SDK’s verifier; scripts apply', async () => {
  const hook = await receiver();
  const sim = await ProviderSimulator.start({
    provider: 'telnyx',
    apiKey: 'KEY_sim',
    scripts: [
      { prefix: '1555429', status: 429, times: 1 },
      { prefix: '1555666', outcome: 'undelivered', delayMs: 100 },
    ],
  });
  const client = new Telnyx({ apiKey: 'KEY_sim', baseURL: `${sim.url}/v2`, maxRetries: 0 });
  try {
    const sent = await client.messages.send({
      from: '+15550001000',
      to: '+15550002000',
      text: 'hello',
      webhook_url: hook.url,
    });
    assert.equal(sent.data?.to?.[0]?.status, 'queued');
    assert.equal(sent.data?.id, sim.submitted[0].id);
    await sim.idle();
    const events = hook.hits.map(
      (h) => JSON.parse(h.body) as { data: { event_type: string; payload: { to: { status: string }[] } } },
    );
    assert.deepEqual(
      events.map((e) => [e.data.event_type, e.data.payload.to[0].status]),
      [
        ['message.sent', 'sent'],
        ['message.finalized', 'delivered'],
      ],
    );
    for (const h of hook.hits) await new TelnyxWebhook(sim.publicKey!).verify(h.body, headersOf(h.headers));

    // A wrong key: 401 in Telnyx's error shape.
    const wrong = new Telnyx({ apiKey: 'KEY_wrong', baseURL: `${sim.url}/v2`, maxRetries: 0 });
    await assert.rejects(
      wrong.messages.send({ from: '+15550001000', to: '+15550002000', text: 'x' }),
      (e: { status?: number }) => e.status === 401,
    );
    // 429 once, then accepted; an undelivered outcome after its delay.
    await assert.rejects(
      client.messages.send({ from: '+15550001000', to: '+15554290001', text: 'x' }),
      (e: { status?: number }) => e.status === 429,
    );
    await client.messages.send({ from: '+15550001000', to: '+15554290001', text: 'x' });
    const t0 = Date.now();
    await client.messages.send({
      from: '+15550001000',
      to: '+15556660001',
      text: 'x',
      webhook_url: hook.url,
    });
    await sim.idle();
    assert.ok(Date.now() - t0 >= 90, 'the delay was kept');
    const last = JSON.parse(hook.hits.at(-1)!.body) as {
      data: { payload: { to: { status: string }[]; errors: unknown[] } };
    };
    assert.equal(last.data.payload.to[0].status, 'delivery_failed');
    assert.equal(last.data.payload.errors.length, 1);
    assert.equal(sim.stats.refused, 2);

    // An inbound MMS: signed, its media served by the simulator.
    const png = Buffer.from('89504e470d0a1a0a', 'hex');
    const got = await sim.inject(hook.url, {
      from: '+15557654321',
      to: '+15550001000',
      text: 'pic',
      media: [{ bytes: png, contentType: 'image/png', filename: 'a.png' }],
    });
    assert.equal(got.status, 200);
    const inbound = hook.hits.at(-1)!;
    await new TelnyxWebhook(sim.publicKey!).verify(inbound.body, headersOf(inbound.headers));
    const ev = JSON.parse(inbound.body) as {
      data: { event_type: string; payload: { media: { url: string }[] } };
    };
    assert.equal(ev.data.event_type, 'message.received');
    const media = await fetch(ev.data.payload.media[0].url);
    assert.deepEqual([media.status, Buffer.from(await media.arrayBuffer())], [200, png]);
  } finally {
    await sim.close();
    await hook.close();
  }
});

/** twilio-node's HTTP client, pointed at the simulator instead of api.twilio.com. */
class SimulatorClient extends twilio.RequestClient {
  constructor(private readonly origin: string) {
    super();
  }
  override request<T>(opts: Parameters<twilio.RequestClient['request']>[0]) {
    return super.request<T>({
      ...opts,
      uri: opts.uri.replace('https://api.twilio.com', this.origin),
    } as never);
  }
}

test('twilio simulator: the twilio SDK sends through it (MediaUrl, StatusCallback); its callbacks pass validateRequest', async () => {
  const hook = await receiver();
  const sim = await ProviderSimulator.start({
    provider: 'twilio',
    accountSid: ACCOUNT,
    authToken: AUTH_TOKEN,
    scripts: [
      { prefix: '1555400', status: 400 },
      { prefix: '1555666', outcome: 'failed' },
    ],
  });
  const client = twilio(ACCOUNT, AUTH_TOKEN, { httpClient: new SimulatorClient(sim.url) });
  const png = Buffer.from('89504e470d0a1a0a', 'hex');
  try {
    // The media URL: one the simulator serves itself (an earlier inject's).
    await sim.inject(hook.url, {
      from: '+15557654321',
      to: '+15550001000',
      media: [{ bytes: png, contentType: 'image/png' }],
    });
    const mediaUrl = formParams(hook.hits[0].body).MediaUrl0 as string;
    const msg = await client.messages.create({
      from: '+15550001000',
      to: '+15550002000',
      body: 'hello',
      mediaUrl: [mediaUrl],
      statusCallback: hook.url,
    });
    assert.equal(msg.status, 'queued');
    assert.equal(msg.sid, sim.submitted[0].id);
    assert.match(msg.sid, /^MM[0-9a-f]{32}$/);
    assert.equal(msg.numMedia, '1');
    await sim.idle();
    assert.deepEqual(
      sim.fetched.map((f) => [f.status, f.bytes]),
      [[200, png]],
    );
    const statuses = hook.hits.slice(1).map((h) => formParams(h.body).MessageStatus);
    assert.deepEqual(statuses, ['sent', 'delivered']);
    for (const h of hook.hits)
      assert.ok(
        twilio.validateRequest(
          AUTH_TOKEN,
          String(h.headers['x-twilio-signature']),
          hook.url,
          formParams(h.body),
        ),
      );

    await assert.rejects(
      client.messages.create({ from: '+15550001000', to: '+15554000001', body: 'x' }),
      (e: { status?: number }) => e.status === 400,
    );
    await assert.rejects(
      twilio(ACCOUNT, 'wrong-token', { httpClient: new SimulatorClient(sim.url) }).messages.create({
        from: '+1555',
        to: '+1555',
        body: 'x',
      }),
      (e: { status?: number; code?: number }) => e.status === 401 && e.code === 20003,
    );
    await client.messages.create({
      from: '+15550001000',
      to: '+15556660001',
      body: 'x',
      statusCallback: hook.url,
    });
    await sim.idle();
    const last = formParams(hook.hits.at(-1)!.body);
    assert.deepEqual([last.MessageStatus, last.ErrorCode], ['failed', '30008']);
  } finally {
    await sim.close();
    await hook.close();
  }
});

test('telnyx simulator with a fixed key (--private-key): the public key it shows verifies its webhooks', async () => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const hook = await receiver();
  const sim = await ProviderSimulator.start({ provider: 'telnyx', privateKey });
  const again = await ProviderSimulator.start({ provider: 'telnyx', privateKey });
  try {
    assert.equal(again.publicKey, sim.publicKey, 'the same key across restarts');
    await sim.inject(hook.url, { from: '+15557654321', to: '+15550001000', text: 'hi' });
    await new TelnyxWebhook(sim.publicKey!).verify(hook.hits[0].body, headersOf(hook.hits[0].headers));
  } finally {
    await sim.close();
    await again.close();
    await hook.close();
  }
});
