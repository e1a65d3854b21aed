// The inbox thread carries media (docs/mms.md, "Console"): GET /v1/conversations/{number}/messages
// shows an inbound MMS's media (the MMSC simulator's DeliverReq) and an MMS the account sent to
// that number, each with a signed URL that serves the bytes, as /v1/inbound does; an SMS has no
// `media` field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MmscSimulator } from '../../src/mm7/index.js';
import { configuredHermod } from '../support/hermod.js';
import { until } from '../support/until.js';
import { GIF, PNG } from '../support/media-samples.js';

const KEY = 'hk_inbox_mms_shop_000000000';
const OUT = { username: 'hermod', password: 'vasp-secret-1' };
const IN = { username: 'mmsc', password: 'relay-secret-1' };

interface View {
  id: string;
  direction: 'in' | 'out';
  text: string | null;
  media?: { id: string; content_type: string; size: number; filename?: string; url?: string }[];
}

test('the conversation thread carries media either way, with signed URLs; an SMS none', async (t) => {
  const mmsc = await MmscSimulator.start({ credentials: [OUT], vaspCredentials: IN });
  t.after(() => mmsc.close());
  const h = await configuredHermod({
    users: [{ username: 'shop', password: 'pw', balance: 10, rate: 0.01, apiKeys: [KEY] }],
    connectors: [{ id: 'mms', type: 'mm7', url: mmsc.url, ...OUT, inbound: IN }],
    routes: [{ name: 'default', type: 'static', connectors: ['mms'] }],
    moRoutes: [{ prefixes: [], user: 'shop' }],
  });
  t.after(() => h.stop());
  mmsc.setVasp(`http://127.0.0.1:${h.apiPort}/v1/hooks/connectors/mms/mm7`, IN);
  const auth = { authorization: `Bearer ${KEY}` };

  const deliver = (parts: Parameters<MmscSimulator['deliver']>[0]['parts']) =>
    mmsc.deliver({
      from: { kind: 'number', value: '+447700900555' },
      to: [{ kind: 'shortCode', value: '5555' }],
      parts,
    });
  assert.equal(
    (
      await deliver([
        { contentType: 'image/png', contentId: 'p', contentLocation: 'beach.png', bytes: PNG },
        { contentType: 'text/plain', contentId: 't', bytes: Buffer.from('Look') },
      ])
    ).status.code,
    1000,
  );
  assert.equal(
    (await deliver([{ contentType: 'text/plain', contentId: 't', bytes: Buffer.from('plain') }])).status.code,
    1000,
  );
  const up = await h.api.inject({
    method: 'POST',
    url: '/v1/media?filename=wave.gif',
    headers: { ...auth, 'content-type': 'image/gif' },
    payload: GIF,
  });
  assert.equal(up.statusCode, 201, up.body);
  const sent = await h.api.inject({
    method: 'POST',
    url: '/v1/messages',
    headers: auth,
    payload: { to: '+447700900555', from: '5555', text: 'Back at you', media_urls: [up.json().id] },
  });
  assert.equal(sent.statusCode, 202, sent.body);

  let thread: View[] = [];
  await until('both MOs and the MMS in the thread', async () => {
    const r = await h.api.inject({
      method: 'GET',
      url: '/v1/conversations/+447700900555/messages',
      headers: auth,
    });
    thread = r.statusCode === 200 ? (r.json() as { data: View[] }).data : [];
    return thread.length === 3;
  });
  const mms = thread.find((m) => m.direction === 'in' && m.text === 'Look')!;
  const sms = thread.find((m) => m.direction === 'in' && m.text === 'plain')!;
  const out = thread.find((m) => m.direction === 'out')!;
  assert.equal(sms.media, undefined, 'an SMS has no media');
  assert.deepEqual(
    mms.media?.map((x) => [x.content_type, x.size, x.filename]),
    [['image/png', PNG.length, 'beach.png']],
  );
  assert.deepEqual(
    out.media?.map((x) => [x.id, x.content_type, x.filename]),
    [[up.json().id, 'image/gif', 'wave.gif']],
  );
  for (const [item, bytes] of [
    [mms.media![0], PNG],
    [out.media![0], GIF],
  ] as const) {
    assert.match(item.url ?? '', /\/media\/med_\w+\?expires=\d+&signature=[0-9a-f]+$/);
    const got = await h.api.inject({
      method: 'GET',
      url: new URL(item.url!).pathname + new URL(item.url!).search,
    });
    assert.equal(got.statusCode, 200);
    assert.deepEqual(got.rawPayload, bytes, 'the signed URL serves the bytes');
  }
});
