// MMS through REST v1 on a running Hermod (SQLite, MMS-capable and SMS-only simulator
// connectors): uploads and their limits, media_urls fetched from a local HTTP server, routing
// to MMS-capable connectors only, HERMOD_ERR_NO_MMS_ROUTE, the SMS + link fallback whose link
// serves the bytes, one MMS price (4× default, the rate card's MMS column, a route's mmsRate),
// the end-to-end send to a receipt, signed URL expiry (docs/mms.md).
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import type { SimulatorConnector } from '../../src/connectors/index.js';
import { configuredHermod } from '../support/hermod.js';
import { until } from '../support/until.js';

/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
/** A GIF89a header and a 1×1 image. */
const GIF = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');
const PDF = Buffer.from(
  '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n',
  'latin1',
);

const SHOP = 'hk_test_mms_shop_0123456789abcdef';
const OTHER = 'hk_test_mms_other_0123456789abcde';

type H = Awaited<ReturnType<typeof configuredHermod>>;
let h: H;
let files: Server;
let filesUrl = '';

before(async () => {
  files = createServer((req, res) => {
    if (req.url === '/pic.gif') res.writeHead(200, { 'content-type': 'image/gif' }).end(GIF);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
  filesUrl = `http://127.0.0.1:${(files.address() as { port: number }).port}`;
  h = await configuredHermod({
    users: [
      { username: 'shop', password: 'pw', balance: 10, rate: 0.01, apiKeys: [SHOP] },
      {
        username: 'other',
        password: 'pw',
        balance: 10,
        rate: 0.01,
        apiKeys: [OTHER],
        defaults: { mmsFallback: 'sms_link' },
      },
    ],
    connectors: [
      { id: 'sms', type: 'simulator', latencyMs: { min: 0, max: 0 } },
      { id: 'mms', type: 'simulator', latencyMs: { min: 0, max: 0 }, mms: true },
      // Refuses 4477009005… permanently: its MMS fail over.
      {
        id: 'mmsbad',
        type: 'simulator',
        latencyMs: { min: 0, max: 0 },
        mms: true,
        failPrefixes: ['4477009005'],
      },
    ],
    routes: [
      // SMS-only connector first: an MMS must still go to `mms`.
      { name: 'both', prefixes: ['4477009001'], type: 'failover', connectors: ['sms', 'mms'] },
      { name: 'nomms', prefixes: ['4477009002'], type: 'static', connectors: ['sms'] },
      {
        name: 'links',
        prefixes: ['4477009003'],
        type: 'static',
        connectors: ['sms'],
        mmsFallback: 'sms_link',
      },
      { name: 'priced', prefixes: ['4477009004'], type: 'static', connectors: ['mms'], mmsRate: 0.07 },
      { name: 'fo', prefixes: ['4477009005'], type: 'failover', connectors: ['mmsbad', 'sms', 'mms'] },
      { name: 'rest', type: 'static', connectors: ['mms'] },
    ],
    // The media URLs of these tests are on 127.0.0.1.
    webhooks: { allowPrivateNetworks: true },
  });
});
after(async () => {
  await h?.stop();
  await new Promise((r) => files?.close(r));
});

const as = (key: string) => ({ authorization: `Bearer ${key}` });
const send = (payload: Record<string, unknown>, key = SHOP) =>
  h.api.inject({ method: 'POST', url: '/v1/messages', headers: as(key), payload });

function multipart(field: string, filename: string, type: string, bytes: Buffer) {
  const boundary = '----hermod-test-boundary';
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`,
    ),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

async function upload(bytes: Buffer, key = SHOP, name = 'dot.png', type = 'image/png') {
  const m = multipart('file', name, type, bytes);
  return h.api.inject({
    method: 'POST',
    url: '/v1/media',
    headers: { ...as(key), ...m.headers },
    payload: m.payload,
  });
}

function assertProblem(res: LightMyRequestResponse, status: number, code: string): void {
  assert.equal(res.statusCode, status, res.body);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  assert.equal(res.json().code, code);
}

const balanceOf = async (username: string) => (await h.store.getUserByName(username))!.balanceMicros;

test('POST /v1/media (multipart) → 201 typed by the bytes; GET its record and bytes; another account gets 404', async () => {
  const res = await upload(PNG, SHOP, 'photo.jpg', 'image/jpeg');
  assert.equal(res.statusCode, 201, res.body);
  const m = res.json();
  assert.match(m.id, /^med_[A-Za-z0-9]{24}$/);
  assert.equal(m.content_type, 'image/png', 'from the bytes, not the name or the declared type');
  assert.equal(m.size, PNG.length);
  assert.equal(m.filename, 'photo.jpg');
  assert.ok(Date.parse(m.created_at) > 0);
  const rec = await h.api.inject({ method: 'GET', url: `/v1/media/${m.id}`, headers: as(SHOP) });
  assert.equal(rec.statusCode, 200);
  assert.equal(rec.json().id, m.id);
  const bytes = await h.api.inject({ method: 'GET', url: `/v1/media/${m.id}/content`, headers: as(SHOP) });
  assert.equal(bytes.statusCode, 200);
  assert.equal(bytes.headers['content-type'], 'image/png');
  assert.equal(bytes.headers['x-content-type-options'], 'nosniff');
  assert.deepEqual(bytes.rawPayload, PNG);
  for (const url of [`/v1/media/${m.id}`, `/v1/media/${m.id}/content`])
    assertProblem(
      await h.api.inject({ method: 'GET', url, headers: as(OTHER) }),
      404,
      'HERMOD_ERR_MEDIA_NOT_FOUND',
    );
  // Another account's id in media_urls is not found either, and nothing is charged.
  const before = await balanceOf('other');
  assertProblem(
    await send({ to: '+447700900101', from: 'Shop', text: 'x', media_urls: [m.id] }, OTHER),
    404,
    'HERMOD_ERR_MEDIA_NOT_FOUND',
  );
  assert.equal(await balanceOf('other'), before);
});

test('a raw-body upload with ?filename; a PDF is refused 415, a 6 MB file 413, an empty body 400', async () => {
  const raw = await h.api.inject({
    method: 'POST',
    url: '/v1/media?filename=pic.gif',
    headers: { ...as(SHOP), 'content-type': 'image/gif' },
    payload: GIF,
  });
  assert.equal(raw.statusCode, 201, raw.body);
  assert.equal(raw.json().content_type, 'image/gif');
  assert.equal(raw.json().filename, 'pic.gif');
  assertProblem(await upload(PDF, SHOP, 'doc.pdf', 'application/pdf'), 415, 'HERMOD_ERR_MEDIA_TYPE');
  const big = Buffer.concat([PNG, Buffer.alloc(6 * 1024 * 1024 - PNG.length)]);
  assertProblem(await upload(big), 413, 'HERMOD_ERR_MEDIA_TOO_LARGE');
  assertProblem(
    await h.api.inject({
      method: 'POST',
      url: '/v1/media',
      headers: { ...as(SHOP), 'content-type': 'application/pdf' },
      payload: PDF,
    }),
    415,
    'HERMOD_ERR_MEDIA_TYPE',
  );
  const nofile = multipart('other', 'x.png', 'image/png', PNG);
  assertProblem(
    await h.api.inject({
      method: 'POST',
      url: '/v1/media',
      headers: { ...as(SHOP), ...nofile.headers },
      payload: nofile.payload,
    }),
    400,
    'HERMOD_ERR_MEDIA_UPLOAD',
  );
});

test('an MMS goes only to the MMS-capable connector, whole, charged once at 4× the SMS rate, and ends delivered', async () => {
  const id = (await upload(PNG)).json().id as string;
  const before = await balanceOf('shop');
  const res = await send({
    to: '+447700900101',
    from: 'Shop',
    text: 'Look at this, a rather long text that would take more than one SMS segment if it were sent as an SMS at all: it is not, it is an MMS, charged once.',
    subject: 'Photo',
    media_urls: [id, `${filesUrl}/pic.gif`],
  });
  assert.equal(res.statusCode, 202, res.body);
  const m = res.json();
  assert.equal(m.type, 'mms');
  assert.equal(m.subject, 'Photo');
  assert.equal(m.segments, 1);
  assert.equal(m.cost, '0.04', 'no rate card, no route mmsRate: 4 × 0.01');
  assert.deepEqual(
    m.media.map((x: { content_type: string }) => x.content_type),
    ['image/png', 'image/gif'],
  );
  assert.equal(m.fallback, undefined);
  assert.equal(await balanceOf('shop'), before - 40_000);
  const stored = (await h.store.getMessage(m.id))!;
  assert.equal(stored.connectorId, 'mms', 'the failover route lists sms first; an MMS skips it');
  await until('delivered', async () => (await h.store.getMessage(m.id))?.state === 'delivered');
  const mmsSim = h.connectors.get('mms') as SimulatorConnector;
  const sent = mmsSim.mmsSubmitted.find((x) => x.id === m.id);
  assert.ok(sent, 'the connector was handed the whole MMS');
  assert.equal(sent.subject, 'Photo');
  assert.equal(sent.media.length, 2);
  assert.equal((await h.store.getParts(m.id)).length, 1, 'one submit, not segments');
  const shown = await h.api.inject({ method: 'GET', url: `/v1/messages/${m.id}`, headers: as(SHOP) });
  assert.equal(shown.json().status, 'delivered');
  assert.equal(shown.json().type, 'mms');
});

test('an MMS on a route without an MMS connector: refused HERMOD_ERR_NO_MMS_ROUTE (422) with nothing charged, unless a fallback applies', async () => {
  const id = (await upload(PNG)).json().id as string;
  const before = await balanceOf('shop');
  const refused = await send({ to: '+447700900201', from: 'Shop', text: 'hi', media_urls: [id] });
  assertProblem(refused, 422, 'HERMOD_ERR_NO_MMS_ROUTE');
  assert.match(refused.json().detail, /route nomms has no MMS-capable connector/);
  assert.equal(await balanceOf('shop'), before, 'nothing charged');
  // The same number for an account whose own setting is sms_link.
  const otherId = (await upload(PNG, OTHER)).json().id as string;
  const fell = await send({ to: '+447700900201', from: 'Other', text: 'hi', media_urls: [otherId] }, OTHER);
  assert.equal(fell.statusCode, 202, fell.body);
  assert.equal(fell.json().fallback, 'sms_link');
  assert.equal(fell.json().type, 'sms');
});

test('the SMS + link fallback: an SMS with the text and a signed link, charged as SMS, said in the history; the link serves the bytes', async () => {
  const id = (await upload(PNG)).json().id as string;
  const before = await balanceOf('shop');
  const res = await send({ to: '+447700900301', from: 'Shop', text: 'Your photo', media_urls: [id] });
  assert.equal(res.statusCode, 202, res.body);
  const m = res.json();
  assert.equal(m.type, 'sms');
  assert.equal(m.fallback, 'sms_link');
  assert.deepEqual(
    m.media.map((x: { id: string }) => x.id),
    [id],
  );
  const lines = (m.text as string).split('\n');
  assert.equal(lines[0], 'Your photo');
  const link = new URL(lines[1]);
  assert.match(link.pathname, new RegExp(`^/media/${id}$`));
  assert.equal(m.cost, (0.01 * m.segments).toFixed(2), 'charged as SMS, per segment');
  assert.equal(await balanceOf('shop'), before - 10_000 * m.segments);
  const stored = (await h.store.getMessage(m.id))!;
  assert.equal(stored.connectorId, 'sms');
  assert.equal(stored.meta.media, undefined, 'not an MMS any more');
  const history = await h.store.history(m.id);
  assert.match(history[0].detail ?? '', /MMS sent as an SMS with 1 media link/);
  await until('delivered', async () => (await h.store.getMessage(m.id))?.state === 'delivered');
  // The link, without credentials, over a real socket.
  const got = await fetch(`http://127.0.0.1:${h.apiPort}${link.pathname}${link.search}`);
  assert.equal(got.status, 200);
  assert.equal(got.headers.get('content-type'), 'image/png');
  assert.equal(got.headers.get('x-content-type-options'), 'nosniff');
  assert.match(got.headers.get('content-disposition') ?? '', /^inline/);
  assert.deepEqual(Buffer.from(await got.arrayBuffer()), PNG);
  // A tampered signature, another id with this signature: 403.
  const sig = link.searchParams.get('signature')!;
  const bad = `${link.pathname}?expires=${link.searchParams.get('expires')}&signature=${sig.replace(/^./, sig[0] === 'a' ? 'b' : 'a')}`;
  assertProblem(await h.api.inject({ method: 'GET', url: bad }), 403, 'HERMOD_ERR_MEDIA_SIGNATURE');
  assertProblem(
    await h.api.inject({ method: 'GET', url: `/media/${id}?expires=${Math.floor(Date.now() / 1000) + 60}` }),
    403,
    'HERMOD_ERR_MEDIA_SIGNATURE',
  );
});

test('signed URLs expire: a URL signed with a past expiry is refused 403', async () => {
  const id = (await upload(PNG)).json().id as string;
  const media = h.gateway.media!;
  const fresh = new URL(media.signedUrl(id, 60));
  assert.equal((await h.api.inject({ method: 'GET', url: fresh.pathname + fresh.search })).statusCode, 200);
  const old = new URL(media.signedUrl(id, -1));
  assertProblem(
    await h.api.inject({ method: 'GET', url: old.pathname + old.search }),
    403,
    'HERMOD_ERR_MEDIA_SIGNATURE',
  );
  // The key was made once and kept beside the media, so it survives a restart.
  assert.ok(existsSync(join(h.dataDir, 'media', '.signing-key')));
});

test('MMS prices: the route mmsRate, the rate card MMS column first; quote answers for MMS', async () => {
  const shop = (await h.store.getUserByName('shop'))!;
  const id = (await upload(PNG)).json().id as string;
  const routed = await send({ to: '+447700900401', from: 'Shop', media_urls: [id] });
  assert.equal(routed.statusCode, 202, routed.body);
  assert.equal(routed.json().cost, '0.07', 'the route mmsRate');
  assert.equal(routed.json().text, '', 'media alone: no text');
  await h.gateway.money.putRateCard(shop.id, [
    { country: 'GB', smsMicros: 20_000, mmsMicros: 55_000, inboundMicros: null },
  ]);
  try {
    const carded = await send({ to: '+447700900401', from: 'Shop', media_urls: [id] });
    assert.equal(carded.json().cost, '0.055', 'the card MMS column before the route');
    const q = await h.gateway.quote({ user: shop, destination: '447700900101', mms: true });
    assert.equal(q.kind, 'mms');
    assert.deepEqual(q.connectors, ['mms']);
    assert.equal(q.totalMicros, 55_000);
    assert.equal(q.parts, 1);
    await h.gateway.money.putRateCard(shop.id, [
      { country: 'GB', smsMicros: 20_000, mmsMicros: null, inboundMicros: null },
    ]);
    const q4 = await h.gateway.quote({ user: shop, destination: '447700900101', mms: true });
    assert.equal(q4.totalMicros, 80_000, 'no MMS column: 4 × the card SMS price');
    await assert.rejects(
      h.gateway.quote({ user: shop, destination: '447700900201', mms: true }),
      (e: Error & { code?: string }) => e.code === 'HERMOD_ERR_NO_MMS_ROUTE',
    );
    const rates = await h.api.inject({
      method: 'GET',
      url: '/v1/rates?to=%2B447700900101&type=mms',
      headers: as(SHOP),
    });
    assert.equal(rates.statusCode, 200, rates.body);
    assert.equal(rates.json().type, 'mms');
    assert.equal(rates.json().total, '0.08');
    assert.equal(rates.json().connector, 'mms');
    const fb = await h.gateway.quote({ user: shop, destination: '447700900301', mms: true, text: 'x' });
    assert.equal(fb.kind, 'sms');
    assert.equal(fb.fallback, 'sms_link');
  } finally {
    await h.gateway.money.putRateCard(shop.id, []);
  }
});

test('batch: the batch media_urls are fetched once and every recipient gets an MMS; subject without media is refused', async () => {
  const res = await h.api.inject({
    method: 'POST',
    url: '/v1/messages/batch',
    headers: as(SHOP),
    payload: {
      from: 'Shop',
      text: 'sale',
      media_urls: [`${filesUrl}/pic.gif`],
      to: ['+447700900102', '+447700900103'],
    },
  });
  assert.equal(res.statusCode, 200, res.body);
  const b = res.json();
  assert.equal(b.accepted, 2);
  const ids = b.results.map((r: { message: { media: { id: string }[] } }) => r.message.media[0].id);
  assert.equal(ids[0], ids[1], 'one fetch, one item for both');
  assertProblem(
    await send({ to: '+447700900101', from: 'Shop', text: 'x', subject: 'no media' }),
    400,
    'HERMOD_ERR_BAD_REQUEST',
  );
  assertProblem(
    await send({ to: '+447700900101', from: 'Shop', text: 'x', media_urls: [`${filesUrl}/missing.png`] }),
    422,
    'HERMOD_ERR_MEDIA_FETCH',
  );
});

test('an MMS refused permanently by its MMS connector fails over past the SMS-only one to the next MMS-capable one', async () => {
  const id = (await upload(PNG)).json().id as string;
  const res = await send({ to: '+447700900501', from: 'Shop', text: 'fo', media_urls: [id] });
  assert.equal(res.statusCode, 202, res.body);
  const m = res.json().id as string;
  assert.equal((await h.store.getMessage(m))!.connectorId, 'mmsbad');
  await until('delivered', async () => (await h.store.getMessage(m))?.state === 'delivered');
  assert.equal((await h.store.getMessage(m))!.connectorId, 'mms', 'sms was skipped: it cannot carry MMS');
  const history = await h.store.history(m);
  assert.ok(history.some((e) => /failover from mmsbad/.test(e.detail ?? '')));
  assert.ok(!history.some((e) => /failover from sms\b/.test(e.detail ?? '')), 'never handed to sms');
});
