// The seed's `sendMms` matrix, offline: the exact request of the seed's Laravel
// TelnyxSmsService (`POST /v2/messages` with from, to, text, media_urls, webhook_url; Guzzle's
// JSON with escaped slashes) with one image, a video (MP4) and three attachments, each sent
// through the MM7 simulator (MMSC) and through the provider simulator (Telnyx API), routed by
// prefix. Hermod fetches each media URL from a local file server; the MMSC gets one SubmitReq
// with the parts, the provider fetches Hermod's signed URLs and gets the exact bytes; each
// message ends delivered and its Telnyx-format `message.finalized` (delivered) reaches the
// webhook_url. A file over `media.maxFileBytes` and one of no MMS type are refused with their
// precise error (HERMOD_ERR_MEDIA_TOO_LARGE, HERMOD_ERR_MEDIA_TYPE), nothing stored and the
// balance unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startHermod } from '../../src/compose/index.js';
import { parseConfig } from '../../src/config/index.js';
import { MmscSimulator } from '../../src/mm7/index.js';
import { ProviderSimulator } from '../../src/simulator/provider-simulator.js';
import { startReceiver } from '../support/http-receiver.js';
import { until } from '../support/until.js';
import { GIF, JPEG, MP4, PNG } from '../support/media-samples.js';

const API_KEY = 'hk_mms_matrix_test_000000001';
const TELNYX_KEY = 'KEY0123456789_matrix_secret';
const MM7_OUT = { username: 'hermod', password: 'vasp-secret-1' };
const MM7_IN = { username: 'mmsc', password: 'relay-secret-1' };
/** Small enough that the oversize file is refused, large enough for every sample. */
const MAX_FILE_BYTES = 1024;

const FILES: Record<string, { type: string; bytes: Buffer }> = {
  '/photo.png': { type: 'image/png', bytes: PNG },
  '/clip.mp4': { type: 'video/mp4', bytes: MP4 },
  '/wave.gif': { type: 'image/gif', bytes: GIF },
  '/photo.jpg': { type: 'image/jpeg', bytes: JPEG },
  // A PNG signature followed by more bytes than media.maxFileBytes allows.
  '/huge.png': { type: 'image/png', bytes: Buffer.concat([PNG, Buffer.alloc(MAX_FILE_BYTES)]) },
  // A ZIP archive served as a picture: typed from its bytes, no media an MMS carries.
  '/archive.png': { type: 'image/png', bytes: Buffer.from('504b030414000000080000000000', 'hex') },
};

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/** The customer's media host: serves FILES. */
async function fileServer() {
  const server = createHttpServer((req, res) => {
    const f = FILES[req.url ?? ''];
    if (f) res.writeHead(200, { 'content-type': f.type }).end(f.bytes);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => server.close(r)),
  };
}

test("the seed's sendMms matrix: image, video, three attachments × MM7 and provider, each finalized at its webhook_url; oversize and unsupported refused, nothing charged", async () => {
  const hooks = await startReceiver();
  const files = await fileServer();
  const mmsc = await MmscSimulator.start({ credentials: [MM7_OUT], vaspCredentials: MM7_IN });
  const telnyx = await ProviderSimulator.start({ provider: 'telnyx', apiKey: TELNYX_KEY });
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const config = parseConfig(
    {
      webhooks: { allowPrivateNetworks: true },
      media: { publicUrl: origin, maxFileBytes: MAX_FILE_BYTES },
      users: [{ username: 'shop', password: 'pw', balance: 10, rate: 0.01, apiKeys: [API_KEY] }],
      connectors: [
        { id: 'mms', type: 'mm7', url: mmsc.url, ...MM7_OUT, vaspId: 'acme', vasId: 'pics', inbound: MM7_IN },
        {
          id: 'tx',
          type: 'telnyx',
          baseUrl: telnyx.url,
          apiKey: TELNYX_KEY,
          publicKey: telnyx.publicKey,
          timeoutS: 5,
        },
      ],
      routes: [
        { name: 'mm7', prefixes: ['1555300'], type: 'static', connectors: ['mms'] },
        { name: 'telnyx', prefixes: ['1555100'], type: 'static', connectors: ['tx'] },
      ],
    },
    {
      HERMOD_DATA_DIR: mkdtempSync(join(tmpdir(), 'hermod-test-')),
      HERMOD_SMPP_PORT: '0',
      HERMOD_HTTP_PORT: '0',
      HERMOD_API_PORT: String(port),
      HERMOD_BIND: '127.0.0.1',
    },
    'test',
  );
  const h = await startHermod(config, { logger: pino({ level: process.env.HERMOD_LOG_LEVEL ?? 'warn' }) });
  mmsc.setVasp(`${origin}/v1/hooks/connectors/mms/mm7`, MM7_IN);
  const balance = async () => (await h.store.getUserByName('shop'))!.balanceMicros;
  /** TelnyxSmsService::sendMms as the seed writes it: Guzzle's `json` (slashes escaped), Bearer key. */
  const sendMms = async (to: string, text: string, mediaUrls: string[], webhookUrl: string) => {
    const res = await fetch(`${origin}/v2/messages`, {
      method: 'POST',
      headers: {
        'User-Agent': 'GuzzleHttp/7',
        Authorization: `Bearer ${API_KEY}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({
        from: '+15550001111',
        to,
        text,
        media_urls: mediaUrls,
        webhook_url: webhookUrl,
      }).replace(/\//g, '\\/'),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const finalized = (id: string) =>
    hooks.received.find((r) => {
      const d = (r.json as { data?: { event_type?: string; payload?: { id?: string } } } | undefined)?.data;
      return d?.event_type === 'message.finalized' && d.payload?.id === id;
    });

  const shapes = [
    { name: 'image', files: ['/photo.png'] },
    { name: 'video', files: ['/clip.mp4'] },
    { name: 'three', files: ['/photo.jpg', '/wave.gif', '/clip.mp4'] },
  ];
  const routes = [
    { via: 'mm7', prefix: '+1555300' },
    { via: 'telnyx', prefix: '+1555100' },
  ] as const;
  try {
    let n = 0;
    for (const shape of shapes) {
      for (const route of routes) {
        n++;
        const to = `${route.prefix}${String(n).padStart(4, '0')}`;
        const path = `/webhooks/telnyx/mms/${shape.name}/${route.via}`;
        const urls = shape.files.map((f) => `${files.url}${f}`);
        const sent = await sendMms(to, `${shape.name} via ${route.via}`, urls, `${hooks.url}${path}`);
        assert.equal(sent.status, 200, JSON.stringify(sent.body));
        const id = (sent.body as { data: { id: string } }).data.id;
        await until(`${shape.name} via ${route.via} delivered`, async () => {
          return (await h.store.getMessage(id))?.state === 'delivered';
        });
        const stored = (await h.store.getMessage(id))!;
        assert.equal(stored.connectorId, route.via === 'mm7' ? 'mms' : 'tx');
        assert.deepEqual(
          stored.meta.media?.map((m) => m.contentType),
          shape.files.map((f) => FILES[f].type),
          'typed from the bytes',
        );
        const expected = shape.files.map((f) => FILES[f].bytes);
        if (route.via === 'mm7') {
          const req = mmsc.submitted.find((s) => s.request.recipients.to[0].value === to)!.request;
          const parts = req.content!.parts;
          assert.equal(parts[0].contentType.split(';')[0], 'application/smil');
          assert.deepEqual(
            parts.slice(1, 1 + expected.length).map((p) => Buffer.from(p.bytes)),
            expected,
            'the MMSC got each file',
          );
          assert.equal(
            Buffer.from(parts[parts.length - 1].bytes).toString(),
            `${shape.name} via ${route.via}`,
          );
        } else {
          const upstream = telnyx.submitted.find((m) => m.id === stored.upstreamId)!;
          assert.equal(upstream.mediaUrls.length, expected.length);
          await telnyx.idle();
          const got = telnyx.fetched.filter((f) => f.messageId === upstream.id);
          assert.deepEqual(
            got.map((f) => [f.status, f.bytes]),
            expected.map((b) => [200, b]),
            'the provider fetched the exact bytes from the signed URLs',
          );
        }
        await until(`${shape.name} via ${route.via}: message.finalized at webhook_url`, () =>
          Boolean(finalized(id)),
        );
        const event = finalized(id)!;
        assert.equal(event.path, path);
        const payload = (event.json as { data: { payload: { to: { status: string }[]; media: unknown[] } } })
          .data.payload;
        assert.equal(payload.to[0].status, 'delivered');
      }
    }

    // Refusals: precise errors, nothing stored, nothing charged.
    const before = await balance();
    const count = async () => (await h.store.listMessages({ limit: 100 })).length;
    const stored = await count();
    // /v2 answers every refused field 422 with a Telnyx `errors` array (docs/telnyx-api.md);
    // the Hermod code and the pointer say which check refused it.
    for (const [file, code] of [
      ['/huge.png', 'HERMOD_ERR_MEDIA_TOO_LARGE'],
      ['/archive.png', 'HERMOD_ERR_MEDIA_TYPE'],
    ] as const) {
      for (const route of routes) {
        const res = await sendMms(
          `${route.prefix}9999`,
          'refused',
          [`${files.url}${file}`],
          `${hooks.url}/x`,
        );
        const err = (
          res.body as { errors: { code: string; detail: string; meta: { hermod_code: string } }[] }
        ).errors[0];
        assert.equal(err.meta.hermod_code, code, JSON.stringify(res.body));
        assert.equal(res.status, 422, JSON.stringify(res.body));
        assert.deepEqual((res.body as { errors: { source: unknown }[] }).errors[0].source, {
          pointer: '/media_urls',
        });
        if (code === 'HERMOD_ERR_MEDIA_TOO_LARGE')
          assert.match(err.detail, new RegExp(`huge\\.png is larger than ${MAX_FILE_BYTES} bytes`));
        else assert.equal(err.detail, 'application/zip cannot be sent by MMS');
      }
    }
    assert.equal(await balance(), before, 'the balance is unchanged');
    assert.equal(await count(), stored, 'nothing stored');
  } finally {
    await h.stop();
    await mmsc.close();
    await telnyx.close();
    await files.close();
    await hooks.close();
  }
});
