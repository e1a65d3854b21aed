// The MM7 connector against a real MmscSimulator on a socket, with a real media library
// (SQLite records, files for the bytes): an MMS goes out as one SubmitReq with its media,
// text and a generated SMIL; the MMSC's status codes become transient or permanent
// failures; its delivery reports, read replies and inbound MMS come back through the
// connector's inboundHttp (served here by a bare node:http server standing in for Hermod's
// /v1/hooks route), and are answered only after the gateway's handler resolved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Mm7Connector, type Mm7ConnectorOptions } from '../../src/connectors/index.js';
import { MediaLibrary, isTransient, type InboundPdu } from '../../src/gateway/index.js';
import { FileMediaBlobs, SqliteStore } from '../../src/store/index.js';
import type { MediaRef, StoredMessage } from '../../src/domain/index.js';
import { decodeText, type Receipt } from '../../src/smpp/index.js';
import { Mm7Client, MmscSimulator, parseMm7, type MmscScriptRule } from '../../src/mm7/index.js';
import { until } from '../support/until.js';
import { GIF, PNG } from '../support/media-samples.js';

const INBOUND = { username: 'mmsc', password: 'relay-secret-1' };
const OUTBOUND = { username: 'hermod', password: 'vasp-secret-1' };

function library() {
  const dir = mkdtempSync(join(tmpdir(), 'hermod-mm7-'));
  const store = new SqliteStore(join(dir, 'hermod.db'));
  return { store, media: new MediaLibrary(store, new FileMediaBlobs(join(dir, 'media'))) };
}

/** Hermod's hook route reduced to what the connector needs: the raw request, its answer. */
async function serve(c: Mm7Connector) {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      void c
        .inboundHttp({
          kind: 'mm7',
          method: req.method ?? 'POST',
          url: req.url ?? '/',
          headers: req.headers,
          body: Buffer.concat(chunks),
        })
        .then((a) => res.writeHead(a.status, { 'content-type': a.contentType, ...a.headers }).end(a.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/hooks/connectors/mms/mm7`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

function message(
  media: MediaRef[],
  o: Partial<StoredMessage> = {},
  text = 'Hello from Hermod',
): StoredMessage {
  return {
    id: `msg-${Math.random().toString(36).slice(2)}`,
    userId: 1,
    systemId: 'shop',
    source: '447700900001',
    destination: '447700900123',
    esmClass: 0,
    dataCoding: 8,
    body: Buffer.from(text, 'utf16le').swap16(),
    registeredDelivery: 0,
    priority: 0,
    connectorId: 'mms',
    priceMicros: 0,
    meta: { media, subject: 'Holiday' },
    state: 'queued',
    upstreamId: null,
    error: null,
    createdAt: Date.now(),
    updatedAt: Date.now(),
    ...o,
  };
}

async function rig(scripts: MmscScriptRule[] = [], o: Partial<Mm7ConnectorOptions> = {}) {
  const { store, media } = library();
  const mmsc = await MmscSimulator.start({ credentials: [OUTBOUND], vaspCredentials: INBOUND, scripts });
  const c = new Mm7Connector(
    'mms',
    {
      url: mmsc.url,
      ...OUTBOUND,
      vaspId: 'acme',
      vasId: 'pictures',
      serviceCode: 'svc-1',
      version: 'REL-6-MM7-1-4',
      timeoutMs: 2000,
      window: 4,
      deliveryReport: true,
      inbound: INBOUND,
      maxBytes: 8 * 1024 * 1024,
      ...o,
    },
    { media },
  );
  const vasp = await serve(c);
  mmsc.setVasp(vasp.url, INBOUND);
  const receipts: Receipt[] = [];
  const mos: InboundPdu[] = [];
  c.onReceipt(async (r) => void receipts.push(r));
  c.onMo(async (m) => void mos.push(m));
  await c.start();
  return {
    c,
    mmsc,
    media,
    store,
    receipts,
    mos,
    vasp,
    async close() {
      await mmsc.close();
      await vasp.close();
      await store.close();
    },
  };
}

test('an MMS goes out as one SubmitReq: recipient, sender, subject, ids, the media, the text and a SMIL with one slide per item, the text on the last; its report comes back as a receipt', async () => {
  const r = await rig();
  try {
    const png = await r.media.put(PNG, { userId: 1, filename: 'photo.png' });
    const gif = await r.media.put(GIF, { userId: 1 });
    const m = message([png, gif]);
    const { upstreamId } = await r.c.submit(m);
    const [sub] = r.mmsc.submitted;
    assert.equal(upstreamId, sub.messageId);
    const req = sub.request;
    assert.deepEqual(req.recipients, { to: [{ kind: 'number', value: '+447700900123' }] });
    assert.deepEqual(req.sender, { kind: 'number', value: '+447700900001' });
    assert.deepEqual(
      [req.vaspId, req.vasId, req.serviceCode, req.subject, req.deliveryReport],
      ['acme', 'pictures', 'svc-1', 'Holiday', true],
    );
    assert.equal(req.content?.start, 'presentation');
    const parts = req.content!.parts;
    assert.deepEqual(
      parts.map((p) => [p.contentId, p.contentType.split(';')[0], p.contentLocation]),
      [
        ['presentation', 'application/smil', 'presentation.smil'],
        ['media1', 'image/png', 'photo.png'],
        ['media2', 'image/gif', 'media2.gif'],
        ['text', 'text/plain', 'text.txt'],
      ],
    );
    assert.deepEqual(Buffer.from(parts[1].bytes), PNG);
    assert.deepEqual(Buffer.from(parts[2].bytes), GIF);
    assert.equal(Buffer.from(parts[3].bytes).toString('utf8'), 'Hello from Hermod');
    const smil = Buffer.from(parts[0].bytes).toString('utf8');
    const slides = smil.match(/<par [^>]*>.*?<\/par>/g) ?? [];
    assert.deepEqual(slides, [
      '<par dur="5000ms"><img src="cid:media1" region="Image"/></par>',
      '<par dur="5000ms"><img src="cid:media2" region="Image"/><text src="cid:text" region="Text"/></par>',
    ]);

    await until('the delivery report', () => r.receipts.length === 1);
    // The receipt is stored before the MMSC gets its answer: wait for the answer too.
    await until('the MMSC has its answer', () => r.mmsc.reports.length === 1);
    assert.equal(r.mmsc.reports[0].response?.status.code, 1000, 'the MMSC got a DeliveryReportRsp 1000');
    assert.deepEqual(
      { id: r.receipts[0].id, stat: r.receipts[0].stat, state: r.receipts[0].state },
      { id: upstreamId, stat: 'DELIVRD', state: 'delivered' },
    );
    assert.doesNotMatch(r.receipts[0].raw ?? '', /447700900/, 'no numbers in the raw receipt');
    const s = r.c.status();
    assert.deepEqual(
      [s.type, s.state, s.counters.submits, s.counters.submitted, s.counters.receipts, s.lastError],
      ['mm7', 'bound', 1, 1, 1, null],
    );
  } finally {
    await r.close();
  }
});

test('media that bring their own SMIL keep it; a message without media, or with media gone from the library, is refused permanently before anything is sent', async () => {
  const r = await rig();
  try {
    const smil = Buffer.from(
      '<smil><head><layout/></head><body><par><img src="cid:media2"/></par></body></smil>',
    );
    const own = await r.media.put(smil, { userId: 1, filename: 'show.smil' });
    const png = await r.media.put(PNG, { userId: 1 });
    await r.c.submit(message([own, png], {}, ''));
    const content = r.mmsc.submitted[0].request.content!;
    assert.equal(content.start, 'media1', 'the message’s SMIL is the presentation');
    assert.deepEqual(
      content.parts.map((p) => p.contentId),
      ['media1', 'media2'],
      'no text part for an empty text, no generated SMIL',
    );

    await assert.rejects(r.c.submit(message([])), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'HERMOD_ERR_MM7_NOT_MMS');
      assert.equal(isTransient(err), false);
      return true;
    });
    const gone = { id: 'med_AAAAAAAAAAAAAAAAAAAAAAAA', contentType: 'image/png', size: 1 };
    await assert.rejects(r.c.submit(message([gone])), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'HERMOD_ERR_MM7_NO_MEDIA');
      assert.equal(isTransient(err), false, 'an item that is gone never comes back');
      return true;
    });
    assert.equal(r.mmsc.submitted.length, 1, 'nothing sent for either');
  } finally {
    await r.close();
  }
});

test('status outcomes: 2002 permanent, 3001 and 4006 transient, a Fault transient, Expired → expired, a stopped connector transient', async () => {
  const r = await rig([
    { prefix: '447700900222', status: 2002 },
    { prefix: '447700900301', status: 3001 },
    { prefix: '447700900406', status: 4006 },
    { prefix: '447700900500', fault: true },
    { prefix: '447700900777', outcome: 'Expired' },
  ]);
  try {
    const png = await r.media.put(PNG, { userId: 1 });
    const outcome = async (to: string) => {
      try {
        await r.c.submit(message([png], { destination: to }));
        return 'accepted';
      } catch (err) {
        return `${isTransient(err) ? 'transient' : 'permanent'} ${(err as { status?: number }).status}`;
      }
    };
    assert.equal(await outcome('447700900222'), 'permanent 2002');
    assert.equal(await outcome('447700900301'), 'transient 3001');
    assert.equal(await outcome('447700900406'), 'transient 4006');
    assert.equal(await outcome('447700900500'), 'transient 3000');
    assert.match(r.c.status().lastError ?? '', /Fault/);
    assert.equal(await outcome('447700900777'), 'accepted');
    await until('the Expired report', () => r.receipts.length === 1);
    assert.deepEqual([r.receipts[0].stat, r.receipts[0].state], ['EXPIRED', 'expired']);
    await r.c.stop();
    assert.equal(await outcome('447700900123'), 'transient undefined');
    assert.equal(r.c.status().state, 'stopped');
  } finally {
    await r.close();
  }
});

test('no answer within the deadline, and a closed port: transient', async () => {
  const r = await rig([{ prefix: '447700900999', delayMs: 1500 }], { timeoutMs: 300 });
  try {
    const png = await r.media.put(PNG, { userId: 1 });
    await assert.rejects(r.c.submit(message([png], { destination: '447700900999' })), (err: Error) => {
      assert.equal(isTransient(err), true);
      assert.match(err.message, /no answer .* within 300 ms/);
      return true;
    });
    const closed = new Mm7Connector(
      'gone',
      {
        url: 'http://127.0.0.1:1/mm7',
        version: 'REL-5-MM7-1-2',
        timeoutMs: 1000,
        window: 1,
        deliveryReport: false,
        maxBytes: 1 << 20,
      },
      { media: r.media },
    );
    await closed.start();
    await assert.rejects(closed.submit(message([png])), (err: Error) => isTransient(err));
  } finally {
    await r.close();
  }
});

test('throughput: submits are paced to the cap and counted as throttled', async () => {
  const r = await rig([], { throughput: 5 });
  try {
    const png = await r.media.put(PNG, { userId: 1 });
    const t0 = Date.now();
    await Promise.all([1, 2, 3].map(() => r.c.submit(message([png]))));
    assert.ok(Date.now() - t0 >= 380, `three submits at 5/s take at least 400 ms, took ${Date.now() - t0}`);
    const s = r.c.status();
    assert.equal(s.throughput.limit, 5);
    assert.equal(s.counters.throttled, 2);
    assert.equal(s.window.size, 4);
  } finally {
    await r.close();
  }
});

test('an inbound MMS (DeliverReq): attachments into the media library, text parts as UCS-2 text, answered after the MO handler resolved', async () => {
  const r = await rig();
  try {
    let release!: () => void;
    const stored = new Promise<void>((res) => (release = res));
    const order: string[] = [];
    r.c.onMo(async (m) => {
      await stored;
      order.push('stored');
      r.mos.push(m);
    });
    const answered = r.mmsc
      .deliver({
        from: { kind: 'number', value: '+447700900555/TYPE=PLMN' },
        to: [{ kind: 'shortCode', value: '5555' }],
        subject: 'Look',
        start: 'smil',
        parts: [
          { contentType: 'application/smil', contentId: 'smil', bytes: Buffer.from('<smil/>') },
          { contentType: 'image/png', contentId: 'p1', contentLocation: 'beach.png', bytes: PNG },
          { contentType: 'image/gif', contentId: 'p2', bytes: GIF },
          { contentType: 'text/plain; charset=utf-8', contentId: 't1', bytes: Buffer.from('Ciao 👋') },
        ],
      })
      .then((rsp) => (order.push('answered'), rsp));
    await new Promise((res) => setTimeout(res, 100));
    assert.deepEqual(order, [], 'not answered while the MO is not stored');
    release();
    const rsp = await answered;
    assert.equal(rsp.status.code, 1000);
    assert.deepEqual(order, ['stored', 'answered']);
    const [mo] = r.mos;
    assert.deepEqual([mo.source, mo.destination, mo.esmClass, mo.dataCoding], ['447700900555', '5555', 0, 8]);
    assert.equal(decodeText(mo.shortMessage, 8), 'Ciao 👋');
    assert.deepEqual(
      mo.media?.map((m) => [m.contentType, m.filename]),
      [
        ['image/png', 'beach.png'],
        ['image/gif', undefined],
      ],
    );
    const got = await r.media.get(mo.media![0].id);
    assert.deepEqual(got.bytes, PNG);
    assert.equal(got.media.userId, null, 'received from a connector: no owner');
    assert.equal(r.c.status().counters.mos, 1);
  } finally {
    await r.close();
  }
});

test("a Nokia MMS Center's published DeliverReq (nested base64 SMIL + GIF) is stored with its GIF", async () => {
  const r = await rig();
  try {
    const body = Buffer.from(
      readFileSync(new URL('../fixtures/mm7/nokia-deliver-req.txt', import.meta.url), 'latin1').replace(
        /\r?\n/g,
        '\r\n',
      ),
      'latin1',
    );
    const res = await fetch(r.vasp.url, {
      method: 'POST',
      headers: {
        'content-type':
          'multipart/related; boundary="Nokia-mm-messageHandler-BoUnDaRy-=_-735647067"; type=text/xml',
        authorization: `Basic ${Buffer.from(`${INBOUND.username}:${INBOUND.password}`).toString('base64')}`,
      },
      body,
    });
    assert.equal(res.status, 200);
    const answer = parseMm7({
      contentType: res.headers.get('content-type') ?? '',
      body: Buffer.from(await res.arrayBuffer()),
    }).message;
    assert.equal(answer.kind, 'DeliverRsp');
    assert.equal(answer.transactionId, '4E073C7AQ479306TW26785I371H3M1HA');
    const [mo] = r.mos;
    assert.deepEqual([mo.source, mo.destination], ['3859100010010', '88888']);
    assert.deepEqual(
      mo.media?.map((m) => m.contentType),
      ['image/gif'],
    );
    assert.equal((await r.media.get(mo.media![0].id)).bytes.subarray(0, 6).toString('latin1'), 'GIF89a');
  } finally {
    await r.close();
  }
});

test('the VASP endpoint: bad basic auth → a 401 Fault (4001) and nothing stored; a type an MMS cannot carry → 2004; a read reply acknowledged', async () => {
  const r = await rig();
  try {
    const post = (auth: string | undefined, body = '<x/>') =>
      r.c.inboundHttp({
        kind: 'mm7',
        method: 'POST',
        url: '/v1/hooks/connectors/mms/mm7',
        headers: { 'content-type': 'text/xml', ...(auth ? { authorization: auth } : {}) },
        body: Buffer.from(body),
      });
    for (const auth of [undefined, `Basic ${Buffer.from('mmsc:wrong-secret').toString('base64')}`]) {
      const a = await post(auth);
      assert.equal(a.status, 401);
      const fault = parseMm7({ contentType: a.contentType, body: Buffer.from(a.body) }).message;
      assert.equal(fault.kind, 'VASPErrorRsp');
      assert.equal((fault as { status: { code: number } }).status.code, 4001);
    }
    const refused = r.mmsc.deliver({
      from: { kind: 'number', value: '+447700900555' },
      to: [{ kind: 'number', value: '+447700900001' }],
      parts: [{ contentType: 'application/octet-stream', contentId: 'x', bytes: Buffer.from([1, 2, 3, 4]) }],
    });
    await assert.rejects(refused, (err: Error & { mm7Status?: number }) => err.mm7Status === 2004);
    assert.equal(r.mos.length, 0, 'nothing stored');

    const relay = new Mm7Client({ url: r.vasp.url, ...INBOUND });
    const read = await relay.readReply({
      messageId: 'mmsc-00000001',
      recipient: { kind: 'number', value: '+447700900123' },
      sender: { kind: 'number', value: '+447700900001' },
      timeStamp: new Date().toISOString(),
      mmStatus: 'Read',
    });
    assert.equal(read.status.code, 1000);
    assert.equal(r.receipts.length, 0, 'a read reply is no receipt');

    const other = r.c.inboundHttp({
      kind: 'dlr',
      method: 'POST',
      url: '/',
      headers: {},
      body: Buffer.alloc(0),
    });
    assert.equal((await other).status, 404);
  } finally {
    await r.close();
  }
});
