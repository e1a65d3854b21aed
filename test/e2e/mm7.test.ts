// Hermod with an MM7 connector (type mm7) against a real MmscSimulator on a socket, the
// MMSC calling Hermod back on its REST port (/v1/hooks/connectors/mms/mm7): an MMS accepted
// by the gateway goes out as one SubmitReq with its parts and a SMIL, the delivery report
// makes it delivered; Expired → expired; 2002 → failed at once; 3001 and 4006 → retried,
// then sent; the MMSC's DeliverReq (its own and a Nokia relay's published one) → an MO
// stored with its media in the media library; bad basic auth → a Fault, nothing stored;
// the admin API hides the connector's secrets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { MmscSimulator, parseMm7 } from '../../src/mm7/index.js';
import { decodeText } from '../../src/smpp/index.js';
import { draftOf } from '../../src/gateway/index.js';
import { ConfigError, parseConfig } from '../../src/config/index.js';
import { configuredHermod } from '../support/hermod.js';
import { until } from '../support/until.js';
import { GIF, PNG } from '../support/media-samples.js';

const API_KEY = 'hk_mm7_e2e_test_00000001';
const ADMIN = 'mm7-e2e-admin-key-0001';
const OUTBOUND = { username: 'hermod', password: 'vasp-secret-1' };
const INBOUND = { username: 'mmsc', password: 'relay-secret-1' };

async function rig() {
  const mmsc = await MmscSimulator.start({
    credentials: [OUTBOUND],
    vaspCredentials: INBOUND,
    scripts: [
      { prefix: '447700900222', status: 2002 },
      { prefix: '447700900301', status: 3001, times: 1 },
      { prefix: '447700900406', status: 4006, times: 1 },
      { prefix: '447700900777', outcome: 'Expired' },
    ],
  });
  const h = await configuredHermod({
    admin: { keys: [ADMIN] },
    users: [{ username: 'shop', password: 'pw', balance: 10, rate: 0.01, apiKeys: [API_KEY] }],
    connectors: [
      {
        id: 'mms',
        type: 'mm7',
        url: mmsc.url,
        ...OUTBOUND,
        vaspId: 'acme',
        vasId: 'pictures',
        serviceCode: 'svc-1',
        timeoutS: 5,
        inbound: INBOUND,
      },
    ],
    routes: [{ name: 'default', type: 'static', connectors: ['mms'] }],
    moRoutes: [{ prefixes: [], user: 'shop' }],
  });
  mmsc.setVasp(`http://127.0.0.1:${h.apiPort}/v1/hooks/connectors/mms/mm7`, INBOUND);
  const user = (await h.gateway.currentUser('shop'))!;
  const media = h.gateway.media!;
  /** An MMS through the gateway's one door (draftOf), as the REST door does with media_urls. */
  const send = async (to: string, text: string, items: Buffer[]) => {
    const refs = [];
    for (const b of items) refs.push(await media.put(b, { userId: user.id }));
    return h.gateway.submit(
      user,
      draftOf({
        systemId: 'shop',
        origin: 'rest',
        from: '447700900001',
        to,
        content: { text },
        media: refs,
        subject: 'Pictures',
      }),
    );
  };
  const state = async (id: string) => (await h.store.getMessage(id))?.state;
  return {
    mmsc,
    h,
    send,
    state,
    async close() {
      await h.stop();
      await mmsc.close();
    },
  };
}

test('an MMS through Hermod and MM7: SubmitReq with its parts and SMIL, delivered by its report; Expired, 2002, 3001/4006 retried', async () => {
  const { mmsc, send, state, h, close } = await rig();
  try {
    const id = await send('447700900123', 'Two pictures', [PNG, GIF]);
    await until('delivered by the MMSC’s report', async () => (await state(id)) === 'delivered');
    assert.equal(mmsc.submitted.length, 1, 'one SubmitReq for the whole MMS');
    const req = mmsc.submitted[0].request;
    assert.deepEqual(req.recipients.to, [{ kind: 'number', value: '+447700900123' }]);
    assert.deepEqual(
      [req.vaspId, req.vasId, req.serviceCode, req.subject],
      ['acme', 'pictures', 'svc-1', 'Pictures'],
    );
    assert.deepEqual(
      req.content?.parts.map((p) => p.contentType.split(';')[0]),
      ['application/smil', 'image/png', 'image/gif', 'text/plain'],
    );
    assert.equal(Buffer.from(req.content!.parts[3].bytes).toString(), 'Two pictures');
    assert.match(
      Buffer.from(req.content!.parts[0].bytes).toString(),
      /<img src="cid:media2" region="Image"\/><text src="cid:text"/,
    );
    const stored = await h.store.getMessage(id);
    assert.equal(stored?.upstreamId, mmsc.submitted[0].messageId);

    const expired = await send('447700900777', 'late', [PNG]);
    const refused = await send('447700900222', 'bad address', [PNG]);
    const retried = await send('447700900301', 'busy', [PNG]);
    const unavailable = await send('447700900406', 'down', [PNG]);
    await until('Expired → expired', async () => (await state(expired)) === 'expired');
    await until('2002 → failed', async () => (await state(refused)) === 'failed');
    assert.match((await h.store.getMessage(refused))?.error ?? '', /2002/);
    await until('3001 retried, then delivered', async () => (await state(retried)) === 'delivered', 20_000);
    await until(
      '4006 retried, then delivered',
      async () => (await state(unavailable)) === 'delivered',
      20_000,
    );
    const tries = (to: string) =>
      mmsc.submitted.filter((s) => s.request.recipients.to[0].value === `+${to}`).length;
    assert.equal(tries('447700900222'), 1, 'a permanent status is not retried');
    assert.equal(tries('447700900301'), 2);
    assert.equal(tries('447700900406'), 2);

    // The admin API: the live state and the definition without its secrets.
    const shown = (
      await h.api.inject({
        method: 'GET',
        url: '/v1/admin/connectors/mms',
        headers: { authorization: `Bearer ${ADMIN}` },
      })
    ).json() as { type: string; definition: Record<string, unknown> & { inbound: { password: string } } };
    assert.equal(shown.type, 'mm7');
    assert.equal(shown.definition.password, undefined);
    assert.equal(shown.definition.inbound.password, '(hidden)');
    assert.doesNotMatch(JSON.stringify(shown), /secret-1/);
    // Sent back as shown, the definition keeps its secrets: the MMSC still takes the submits.
    const put = await h.api.inject({
      method: 'PUT',
      url: '/v1/admin/connectors/mms',
      headers: { authorization: `Bearer ${ADMIN}` },
      payload: shown.definition,
    });
    assert.ok(put.statusCode < 300, put.body);
    const again = await send('447700900124', 'after the change', [PNG]);
    await until(
      'delivered after the definition was replaced',
      async () => (await state(again)) === 'delivered',
    );
  } finally {
    await close();
  }
});

test('inbound MMS: the MMSC’s DeliverReq and a Nokia relay’s → MOs stored with their media; bad basic auth → a Fault, nothing stored', async () => {
  const { mmsc, h, close } = await rig();
  const hook = `http://127.0.0.1:${h.apiPort}/v1/hooks/connectors/mms/mm7`;
  try {
    const rsp = await mmsc.deliver({
      from: { kind: 'number', value: '+447700900555' },
      to: [{ kind: 'shortCode', value: '5555' }],
      subject: 'Look',
      parts: [
        { contentType: 'image/png', contentId: 'p1', contentLocation: 'one.png', bytes: PNG },
        { contentType: 'image/gif', contentId: 'p2', contentLocation: 'two.gif', bytes: GIF },
        { contentType: 'text/plain; charset=utf-8', contentId: 't', bytes: Buffer.from('Two pictures') },
      ],
    });
    assert.equal(rsp.status.code, 1000);
    const [mo] = await h.store.listMo(5);
    assert.deepEqual(
      [mo.source, mo.destination, mo.connectorId, mo.routedTo],
      ['447700900555', '5555', 'mms', 'shop'],
    );
    assert.equal(decodeText(mo.body, mo.dataCoding), 'Two pictures');
    assert.equal(mo.subject, 'Look', 'the DeliverReq Subject is kept');
    assert.deepEqual(
      mo.media?.map((m) => [m.contentType, m.filename]),
      [
        ['image/png', 'one.png'],
        ['image/gif', 'two.gif'],
      ],
    );
    assert.deepEqual((await h.gateway.media!.get(mo.media![1].id)).bytes, GIF);

    const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
    const nokia = Buffer.from(
      readFileSync(new URL('../fixtures/mm7/nokia-deliver-req.txt', import.meta.url), 'latin1').replace(
        /\r?\n/g,
        '\r\n',
      ),
      'latin1',
    );
    const contentType =
      'multipart/related; boundary="Nokia-mm-messageHandler-BoUnDaRy-=_-735647067"; type=text/xml';
    const bad = await fetch(hook, {
      method: 'POST',
      headers: { 'content-type': contentType, authorization: basic('mmsc', 'not-the-password') },
      body: nokia,
    });
    assert.equal(bad.status, 401);
    const fault = parseMm7({
      contentType: bad.headers.get('content-type') ?? '',
      body: Buffer.from(await bad.arrayBuffer()),
    }).message;
    assert.deepEqual(
      [fault.kind, (fault as { status: { code: number } }).status.code],
      ['VASPErrorRsp', 4001],
    );
    assert.equal((await h.store.listMo(5)).length, 1, 'nothing stored');

    const ok = await fetch(hook, {
      method: 'POST',
      headers: { 'content-type': contentType, authorization: basic(INBOUND.username, INBOUND.password) },
      body: nokia,
    });
    assert.equal(ok.status, 200);
    const mos = await h.store.listMo(5);
    assert.equal(mos.length, 2);
    const relayed = mos.find((m) => m.source === '3859100010010')!;
    assert.equal(relayed.destination, '88888');
    assert.deepEqual(
      relayed.media?.map((m) => m.contentType),
      ['image/gif'],
    );

    // The 3GPP annex's DeliverReq: an e-mail sender, no recipients, one text part.
    const annex = await fetch(hook, {
      method: 'POST',
      headers: {
        'content-type':
          'multipart/related; boundary="NextPart_000_0125_01C19839.7237929064"; type="text/xml"; start="</cmvt256/mm7-deliver>"',
        authorization: basic(INBOUND.username, INBOUND.password),
      },
      body: Buffer.from(
        readFileSync(new URL('../fixtures/mm7/annex-deliver-req.txt', import.meta.url), 'latin1').replace(
          /\r?\n/g,
          '\r\n',
        ),
        'latin1',
      ),
    });
    assert.equal(annex.status, 200);
    const weather = (await h.store.listMo(5)).find((m) => m.source === '97254265781@OMMS.com')!;
    assert.equal(decodeText(weather.body, weather.dataCoding), 'Los Angeles, Calif, USA');
    assert.equal(weather.destination, 'Reminder', 'no recipient: the VASID it was sent to');
    assert.equal(weather.media, undefined);
  } finally {
    await close();
  }
});

test('REST: POST /v1/messages with media_urls (an upload id) goes out over MM7 and is delivered', async () => {
  const { mmsc, h, state, close } = await rig();
  try {
    const user = (await h.gateway.currentUser('shop'))!;
    const png = await h.gateway.media!.put(PNG, { userId: user.id });
    const res = await h.api.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { authorization: `Bearer ${API_KEY}` },
      payload: { to: '+447700900123', from: '447700900001', text: 'REST MMS', media_urls: [png.id] },
    });
    assert.equal(res.statusCode, 202, res.body);
    const id = (res.json() as { id: string }).id;
    await until('delivered', async () => (await state(id)) === 'delivered');
    assert.equal(mmsc.submitted.length, 1);
    assert.equal(mmsc.submitted[0].request.content?.parts.length, 3, 'SMIL, the picture, the text');
  } finally {
    await close();
  }
});

test('mm7 definitions are checked naming the key', () => {
  const bad = {
    connectors: [
      {
        id: 'mms',
        type: 'mm7',
        url: 'ftp://mmsc',
        version: 'REL-7',
        password: 'x',
        window: 0,
        maxBytes: 64 * 1024 * 1024,
        inbound: { username: 'mmsc', password: 'short' },
        vaspid: 'typo',
      },
    ],
    routes: [{ name: 'default', type: 'static', connectors: ['mms'] }],
  };
  assert.throws(
    () => parseConfig(bad, {}, 'test'),
    (err: ConfigError) => {
      const paths = err.issues.map((i) => i.path);
      for (const p of [
        'connectors[0].url',
        'connectors[0].version',
        'connectors[0].password',
        'connectors[0].window',
        'connectors[0].maxBytes',
        'connectors[0].inbound.password',
        'connectors[0].vaspid',
      ])
        assert.ok(paths.includes(p), `${p} in ${paths.join(', ')}`);
      assert.match(
        err.issues.find((i) => i.path === 'connectors[0].vaspid')!.message,
        /did you mean "vaspId"/,
      );
      return true;
    },
  );
});
