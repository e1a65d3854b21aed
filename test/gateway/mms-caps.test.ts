// Per-connector MMS caps (docs/mms.md "Per-connector caps"): `mmsMaxBytes` checked by key path
// on each MMS-capable type, defaulting to `media.maxMessageBytes` on the running connector; a
// running Hermod (real SQLite, simulator connectors with `mms: true` and different caps)
// routes an MMS only to a connector it fits, fails over past one it does not fit, falls back
// to an SMS with links when the route's fallback allows, else refuses it 413 naming the
// largest cap, nothing charged.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { InvalidDefinitionError, validateConnector } from '../../src/config/index.js';
import { MEDIA_LIMITS, newMessageId } from '../../src/domain/index.js';
import type { SimulatorConnector } from '../../src/connectors/index.js';
import { configuredHermod } from '../support/hermod.js';
import { until } from '../support/until.js';
import { QueuedFailover } from '../../src/gateway/failover.js';
import type { Connector, RouteDef } from '../../src/gateway/index.js';
import { testContext } from './context.js';

/** A 1×1 PNG (70 bytes): one fits a 100-byte cap, two do not fit 120. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const KEY = 'hk_test_mms_caps_0123456789abcdef';

const issues = (def: Record<string, unknown>): string[] => {
  try {
    validateConnector(def, 'k');
    return [];
  } catch (err) {
    assert.ok(err instanceof InvalidDefinitionError);
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
};

test('mmsMaxBytes: kept when valid on simulator (mms), mm7, telnyx and twilio; mistakes named by key path', () => {
  const sim = validateConnector({ type: 'simulator', mms: true, mmsMaxBytes: 300_000 }, 'k');
  assert.equal((sim as { mmsMaxBytes?: number }).mmsMaxBytes, 300_000);
  const mm7 = validateConnector({ type: 'mm7', url: 'http://127.0.0.1:1/mm7', mmsMaxBytes: 600_000 }, 'k');
  assert.equal((mm7 as { mmsMaxBytes?: number }).mmsMaxBytes, 600_000);
  const tw = validateConnector(
    {
      type: 'twilio',
      accountSid: 'AC0123456789abcdef0123456789abcdef',
      authToken: 'tok',
      hookBaseUrl: 'https://h.example',
      mmsMaxBytes: 5_000_000,
    },
    'k',
  );
  assert.equal((tw as { mmsMaxBytes?: number }).mmsMaxBytes, 5_000_000);
  // Absent: not written (the running connector takes media.maxMessageBytes).
  assert.equal(
    (validateConnector({ type: 'simulator', mms: true }, 'k') as { mmsMaxBytes?: number }).mmsMaxBytes,
    undefined,
  );
  const bad = (def: Record<string, unknown>, re: RegExp) => {
    const found = issues(def);
    assert.ok(
      found.some((i) => re.test(i)),
      `${JSON.stringify(def)}: ${found.join('; ')}`,
    );
  };
  bad({ type: 'simulator', mmsMaxBytes: 1000 }, /mmsMaxBytes: .*mms: true/);
  bad({ type: 'simulator', mms: true, mmsMaxBytes: 0 }, /mmsMaxBytes/);
  bad({ type: 'mm7', url: 'http://127.0.0.1:1/mm7', mmsMaxBytes: 1.5 }, /mmsMaxBytes/);
  bad({ type: 'telnyx', apiKey: 'KEY_x', publicKey: 'x', mmsMaxBytes: 'big' }, /mmsMaxBytes/);
  bad({ type: 'mm7', url: 'http://127.0.0.1:1/mm7', mmsMaxBytes: 200 * 2 ** 20 }, /mmsMaxBytes/);
});

type H = Awaited<ReturnType<typeof configuredHermod>>;
let h: H;

before(async () => {
  const sim = (id: string, extra: Record<string, unknown> = {}) => ({
    id,
    type: 'simulator',
    latencyMs: { min: 0, max: 0 },
    ...extra,
  });
  h = await configuredHermod({
    users: [{ username: 'shop', password: 'pw', balance: 10, rate: 0.01, apiKeys: [KEY] }],
    connectors: [
      sim('sms'),
      sim('small', { mms: true, mmsMaxBytes: 100 }),
      sim('mid', { mms: true, mmsMaxBytes: 120 }),
      sim('big', { mms: true }),
      // Takes up to 1000 bytes but refuses 4477009104… permanently: its MMS fail over.
      sim('bad', { mms: true, mmsMaxBytes: 1000, failPrefixes: ['4477009104'] }),
    ],
    routes: [
      { name: 'capped', prefixes: ['4477009101'], type: 'failover', connectors: ['small', 'big'] },
      { name: 'tiny', prefixes: ['4477009102'], type: 'failover', connectors: ['small', 'mid'] },
      {
        name: 'tinylinks',
        prefixes: ['4477009103'],
        type: 'failover',
        connectors: ['sms', 'small'],
        mmsFallback: 'sms_link',
      },
      { name: 'fo', prefixes: ['4477009104'], type: 'failover', connectors: ['bad', 'small', 'big'] },
      { name: 'rest', type: 'static', connectors: ['big'] },
    ],
  });
});
after(async () => {
  await h?.stop();
});

const as = { authorization: `Bearer ${KEY}` };
const send = (payload: Record<string, unknown>) =>
  h.api.inject({ method: 'POST', url: '/v1/messages', headers: as, payload });
async function upload(): Promise<string> {
  const res = await h.api.inject({
    method: 'POST',
    url: '/v1/media?filename=dot.png',
    headers: { ...as, 'content-type': 'image/png' },
    payload: PNG,
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id as string;
}
function assertProblem(res: LightMyRequestResponse, status: number, code: string): void {
  assert.equal(res.statusCode, status, res.body);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  assert.equal(res.json().code, code);
}
const balance = async () => (await h.store.getUserByName('shop'))!.balanceMicros;

test('the running connectors carry their cap; without one, media.maxMessageBytes', () => {
  assert.equal(h.connectors.get('small')?.mmsMaxBytes, 100);
  assert.equal(h.connectors.get('big')?.mmsMaxBytes, MEDIA_LIMITS.maxMessageBytes);
  assert.equal(h.connectors.get('sms')?.mmsMaxBytes, undefined, 'an SMS-only simulator has none');
});

test('an MMS goes to the first connector of its route that takes its size', async () => {
  const a = await upload();
  const one = await send({ to: '+447700910100', from: 'Shop', text: 'one', media_urls: [a] });
  assert.equal(one.statusCode, 202, one.body);
  assert.equal((await h.store.getMessage(one.json().id))!.connectorId, 'small', '70 bytes fit 100');
  const b = await upload();
  const two = await send({ to: '+447700910100', from: 'Shop', text: 'two', media_urls: [a, b] });
  assert.equal(two.statusCode, 202, two.body);
  assert.equal(two.json().type, 'mms');
  const id = two.json().id as string;
  assert.equal((await h.store.getMessage(id))!.connectorId, 'big', '140 bytes do not fit small (100)');
  await until('delivered', async () => (await h.store.getMessage(id))?.state === 'delivered');
  assert.ok((h.connectors.get('big') as SimulatorConnector).mmsSubmitted.some((x) => x.id === id));
  assert.ok(!(h.connectors.get('small') as SimulatorConnector).mmsSubmitted.some((x) => x.id === id));
});

test('no connector of the route takes it and the fallback is refuse: 413 naming the largest cap, nothing charged', async () => {
  const a = await upload();
  const b = await upload();
  const before = await balance();
  const res = await send({ to: '+447700910200', from: 'Shop', text: 'x', media_urls: [a, b] });
  assertProblem(res, 413, 'HERMOD_ERR_MEDIA_TOO_LARGE');
  assert.match(res.json().detail, new RegExp(`add up to ${2 * PNG.length} bytes`));
  assert.match(res.json().detail, /route tiny takes is 120 bytes/);
  assert.equal(await balance(), before);
  // One item fits: accepted.
  const ok = await send({ to: '+447700910200', from: 'Shop', text: 'x', media_urls: [a] });
  assert.equal(ok.statusCode, 202, ok.body);
});

test('no connector of the route takes it and the route falls back to sms_link: an SMS with links, charged as SMS', async () => {
  const a = await upload();
  const b = await upload();
  const before = await balance();
  const res = await send({ to: '+447700910300', from: 'Shop', text: 'see', media_urls: [a, b] });
  assert.equal(res.statusCode, 202, res.body);
  const m = res.json();
  assert.equal(m.type, 'sms');
  assert.equal(m.fallback, 'sms_link');
  assert.equal(await balance(), before - 10_000 * m.segments);
  const stored = (await h.store.getMessage(m.id))!;
  assert.equal(stored.meta.media, undefined);
  assert.equal(stored.meta.linkedMedia?.length, 2);
});

test('failover skips a connector the MMS does not fit', async () => {
  const a = await upload();
  const b = await upload();
  const res = await send({ to: '+447700910400', from: 'Shop', text: 'fo', media_urls: [a, b] });
  assert.equal(res.statusCode, 202, res.body);
  const id = res.json().id as string;
  assert.equal((await h.store.getMessage(id))!.connectorId, 'bad');
  await until('delivered', async () => (await h.store.getMessage(id))?.state === 'delivered');
  assert.equal((await h.store.getMessage(id))!.connectorId, 'big', 'small (100 bytes) was skipped');
  const history = await h.store.history(id);
  assert.ok(history.some((e) => /failover from bad/.test(e.detail ?? '')));
  assert.ok(!history.some((e) => /failover from small/.test(e.detail ?? '')), 'never handed to small');
});

test('a down MMS connector’s queue moves only to a connector whose cap is at least its own', async () => {
  const t = await testContext({
    routes: [
      {
        name: 'fo',
        prefixes: [],
        type: 'failover',
        connectors: ['a', 'small', 'big'],
        costs: {},
      } as RouteDef,
    ],
    failover: { downGraceMs: 1000 },
  });
  try {
    const state: Record<string, boolean> = { a: true, small: true, big: true };
    const fake = (id: string, mmsMaxBytes: number) =>
      ({
        id,
        capabilities: ['sms', 'mms'],
        mmsMaxBytes,
        get ready() {
          return state[id];
        },
      }) as unknown as Connector;
    t.connectors.set('a', fake('a', 1000));
    t.connectors.set('small', fake('small', 100));
    t.connectors.set('big', fake('big', 5000));
    const queue = async () => {
      const id = newMessageId();
      await t.store.accept({
        id,
        userId: t.user.id,
        systemId: 'shop',
        source: 'Shop',
        destination: '447700900001',
        esmClass: 0,
        dataCoding: 0,
        body: Buffer.from('hi'),
        registeredDelivery: 1,
        priority: 0,
        connectorId: 'a',
        priceMicros: 0,
        meta: { segments: 1, route: 'fo' },
      });
      return { id };
    };
    const m = await queue();
    const mover = new QueuedFailover(t.ctx, () => {});
    state.a = false;
    assert.equal(await mover.tick(0), 0);
    assert.equal(await mover.tick(1000), 1);
    assert.equal((await t.store.getMessage(m.id))?.connectorId, 'big', 'small (100 < 1000) was passed over');
    // With only the smaller connector healthy, the queue stays.
    const n = await queue();
    state.big = false;
    assert.equal(await mover.tick(2000), 0);
    assert.equal((await t.store.getMessage(n.id))?.connectorId, 'a');
  } finally {
    await t.close();
  }
});
