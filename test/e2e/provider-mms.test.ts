// An MMS through the Telnyx and Twilio connectors, against the provider simulator on real
// sockets: the media go out as signed, expiring URLs of the media library; the simulator
// fetches them and gets the very bytes; a URL whose signature is altered is refused by the
// media route. The connector's status webhook comes back signed and becomes a receipt.
//
// The media route (`GET /media/{id}?expires&signature`) and MMS routing are the core's
// (issue 16, mmscore); until they are on main this test serves the library's bytes itself
// with `media.verifySignature` and hands the connector a stored message with `meta.media`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaLibrary } from '../../src/gateway/index.js';
import { FileMediaBlobs, SqliteStore } from '../../src/store/index.js';
import { TelnyxConnector, TwilioConnector, type ProviderConnector } from '../../src/connectors/index.js';
import { ProviderSimulator } from '../../src/simulator/provider-simulator.js';
import type { Receipt } from '../../src/smpp/index.js';
import type { StoredMessage } from '../../src/domain/index.js';
import { until } from '../support/until.js';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const AUTH_TOKEN = 'twilio-auth-token-0123456789abcd';

/** The media route and the connector's hook, as Hermod's REST port would serve them. */
async function hermodSide(library: () => MediaLibrary, connector: () => ProviderConnector) {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://x');
        const m = /^\/media\/([^/]+)$/.exec(url.pathname);
        if (req.method === 'GET' && m) {
          const media = library();
          const ok = media.verifySignature(
            m[1],
            Number(url.searchParams.get('expires')),
            url.searchParams.get('signature') ?? '',
          );
          if (!ok) return void res.writeHead(403).end('bad signature');
          const item = await media.get(m[1]);
          return void res.writeHead(200, { 'content-type': item.media.contentType }).end(item.bytes);
        }
        const hook = /^\/v1\/hooks\/connectors\/[^/]+\/([a-z]+)$/.exec(url.pathname);
        if (!hook) return void res.writeHead(404).end();
        const a = await connector().inboundHttp({
          kind: hook[1],
          method: req.method ?? 'GET',
          url: req.url ?? '/',
          headers: req.headers,
          body: Buffer.concat(chunks),
        });
        res.writeHead(a.status, { 'content-type': a.contentType }).end(a.body);
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function mms(media: StoredMessage['meta']['media'], destination = '15550002000'): StoredMessage {
  return {
    id: 'msg-1',
    userId: 1,
    systemId: 'shop',
    source: '15550001000',
    destination,
    esmClass: 0,
    dataCoding: 8,
    body: Buffer.from('Look at this', 'utf16le').swap16(),
    registeredDelivery: 1,
    priority: 0,
    connectorId: 'prov',
    priceMicros: 0,
    meta: { media, subject: 'Holiday' },
    state: 'queued',
    upstreamId: null,
    error: null,
    createdAt: Date.now(),
    updatedAt: Date.now(),
  } as StoredMessage;
}

for (const provider of ['telnyx', 'twilio'] as const) {
  test(`${provider} connector: an MMS's media go out as signed URLs the provider fetches; its report comes back`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hermod-provider-mms-'));
    const store = new SqliteStore(join(dir, 'hermod.db'));
    // The library signs URLs on the server's origin, known once it listens.
    const late: { media?: MediaLibrary; connector?: ProviderConnector } = {};
    const side = await hermodSide(
      () => late.media!,
      () => late.connector!,
    );
    const media = new MediaLibrary(store, new FileMediaBlobs(join(dir, 'media')), {
      signing: { key: 'media-signing-key-0123456789', baseUrl: side.origin },
    });
    const sim = await ProviderSimulator.start(
      provider === 'telnyx' ? { provider } : { provider, accountSid: ACCOUNT, authToken: AUTH_TOKEN },
    );
    const common = {
      baseUrl: sim.url,
      hookBaseUrl: side.origin,
      window: 2,
      timeoutMs: 5000,
      mediaUrlTtlS: 600,
      media,
    };
    const connector =
      provider === 'telnyx'
        ? new TelnyxConnector('prov', { ...common, apiKey: 'KEY_x', publicKey: sim.publicKey! })
        : new TwilioConnector('prov', { ...common, accountSid: ACCOUNT, authToken: AUTH_TOKEN });
    Object.assign(late, { media, connector });
    const receipts: Receipt[] = [];
    connector.onReceipt(async (r) => void receipts.push(r));
    await connector.start();
    try {
      const png = await media.put(PNG, { userId: 1, filename: 'a.png' });
      const gif = await media.put(GIF, { userId: 1, filename: 'b.gif' });
      const { upstreamId } = await connector.submit(mms([png, gif]));
      await sim.idle();
      const [m] = sim.submitted;
      assert.equal(m.id, upstreamId);
      assert.equal(m.text, 'Look at this');
      if (provider === 'telnyx') assert.equal(m.subject, 'Holiday');
      assert.equal(m.mediaUrls.length, 2);
      for (const [i, url] of m.mediaUrls.entries()) {
        assert.match(
          url,
          new RegExp(`^${side.origin}/media/${[png, gif][i].id}\\?expires=\\d+&signature=[0-9a-f]{64}$`),
        );
      }
      // The provider fetched each signed URL and got the bytes.
      assert.deepEqual(
        sim.fetched.map((f) => [f.status, f.contentType, f.bytes]),
        [
          [200, 'image/png', PNG],
          [200, 'image/gif', GIF],
        ],
      );
      await until('the delivery report', () => receipts.some((r) => r.state === 'delivered'));
      assert.equal(receipts.find((r) => r.state === 'delivered')?.id, upstreamId);
      // A signed URL changed by one character is refused by the media route.
      const tampered = m.mediaUrls[0].replace(
        /signature=(.)/,
        (_, c: string) => `signature=${c === '0' ? '1' : '0'}`,
      );
      assert.equal((await fetch(tampered)).status, 403);

      // A library that cannot sign: the MMS fails for good (no retry would help).
      const unsigned =
        provider === 'telnyx'
          ? new TelnyxConnector('p2', {
              ...common,
              media: new MediaLibrary(store, new FileMediaBlobs(join(dir, 'media'))),
              apiKey: 'KEY_x',
              publicKey: sim.publicKey!,
            })
          : new TwilioConnector('p2', {
              ...common,
              media: new MediaLibrary(store, new FileMediaBlobs(join(dir, 'media'))),
              accountSid: ACCOUNT,
              authToken: AUTH_TOKEN,
            });
      await unsigned.start();
      await assert.rejects(unsigned.submit(mms([png])), (e: Error & { transient?: boolean }) => {
        assert.equal(e.transient, false);
        assert.match(e.message, /cannot hand media to the provider/);
        return true;
      });
    } finally {
      await connector.stop();
      await sim.close();
      await side.close();
      await store.close();
    }
  });
}

test('provider simulator: a media URL it cannot fetch fails the message with the provider’s code', async () => {
  const sim = await ProviderSimulator.start({
    provider: 'twilio',
    accountSid: ACCOUNT,
    authToken: AUTH_TOKEN,
  });
  const hooks: string[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      if (req.url !== '/hook') return void res.writeHead(404).end();
      hooks.push(raw);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const hook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  try {
    const form = new URLSearchParams({ To: '+15550002000', From: '+15550001000', StatusCallback: hook });
    form.append('MediaUrl', `${hook.replace('/hook', '/missing.png')}`);
    const res = await fetch(`${sim.url}/2010-04-01/Accounts/${ACCOUNT}/Messages.json`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${ACCOUNT}:${AUTH_TOKEN}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: form.toString(),
    });
    assert.equal(res.status, 201);
    await sim.idle();
    const final = new URLSearchParams(hooks.at(-1));
    assert.deepEqual([final.get('MessageStatus'), final.get('ErrorCode')], ['failed', '11200']);
  } finally {
    await sim.close();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
