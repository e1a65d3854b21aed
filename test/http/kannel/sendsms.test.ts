// The Kannel-compatible sendsms through app.inject() on a real gateway (SQLite, simulator):
// Kannel 1.4.5's answers (each text and status below was captured from a running smsbox with
// the same request, docs/kannel-http-api.md), multi-recipient `to`, coding, charset and UDH,
// the sendsms-user settings on Hermod accounts, and the X-Hermod-* headers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildKannelApp } from '../../../src/http/kannel/index.js';
import { UrlGuard } from '../../../src/gateway/index.js';
import { configuredHermod } from '../../support/hermod.js';

const DOC = {
  users: [
    { username: 'ref', password: 'refpw', balance: 10, rate: 0.01 },
    // faked-sender: the account may not choose its sender; Kannel replaces `from` silently.
    {
      username: 'faked',
      password: 'pw',
      balance: 10,
      rate: 0.01,
      authorizations: { sourceAddr: false },
      defaults: { sourceAddr: 'Forced' },
    },
    // default-sender, and white-list-regex "^4477" as a destination value filter.
    {
      username: 'wl',
      password: 'wlpw',
      balance: 10,
      rate: 0.01,
      defaults: { sourceAddr: 'Default' },
      valueFilters: { destinationAddr: '^4477' },
    },
    // max-messages 1: no long messages.
    { username: 'short', password: 'pw', balance: 10, rate: 0.01, authorizations: { longContent: false } },
    { username: 'poor', password: 'pw', balance: 0, rate: 0.01 },
  ],
  connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 0 } }],
  routes: [{ name: 'default', type: 'static', connectors: ['sim'], rate: 0.02 }],
};

async function setup() {
  const h = await configuredHermod(DOC);
  const app = await buildKannelApp({ gateway: h.gateway, guard: new UrlGuard() });
  return {
    h,
    app,
    get: (query: string) => app.inject({ method: 'GET', url: `/cgi-bin/sendsms?${query}` }),
    async close() {
      await app.close();
      await h.stop();
    },
  };
}

type Setup = Awaited<ReturnType<typeof setup>>;

async function withSetup(fn: (t: Setup) => Promise<void>): Promise<void> {
  const t = await setup();
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

const AUTH = 'username=ref&password=refpw';

async function accepted(t: Setup, query: string): Promise<string[]> {
  const r = await t.get(query);
  assert.equal(r.body, '0: Accepted for delivery', `for ${query}`);
  assert.equal(r.statusCode, 202);
  assert.equal(r.headers['content-type'], 'text/html');
  return String(r.headers['x-hermod-message-id']).split(', ');
}

test("Kannel's error answers, text and status as Kannel 1.4.5 answers them", async () => {
  await withSetup(async (t) => {
    const cases: [string, number, string][] = [
      ['username=ref&password=bad&to=123&text=hi', 403, 'Authorization failed for sendsms'],
      ['username=nobody&password=x&to=123&text=hi', 403, 'Authorization failed for sendsms'],
      ['to=123&text=hi', 403, 'Authorization failed for sendsms'],
      [`${AUTH}&text=hi`, 400, 'Missing receiver number, rejected'],
      [`${AUTH}&to=&text=hi`, 400, 'Empty receiver number not allowed, rejected'],
      [`${AUTH}&to=4477001&text=hi`, 400, 'Sender missing and no global set, rejected'],
      [`${AUTH}&from=1&to=abc&text=hi`, 400, 'Number(s) has/have been denied by white- and/or black-lists.'],
      [`${AUTH}&from=1&to=4477001&text=hi&coding=3`, 400, 'Coding field misformed, rejected'],
      [`${AUTH}&from=1&to=4477001&text=hi&mclass=5`, 400, 'MClass field misformed, rejected'],
      [`${AUTH}&from=1&to=4477001&text=hi&mwi=9`, 400, 'MWI field misformed, rejected'],
      [
        `${AUTH}&from=1&to=4477001&text=hi&dlr-url=ftp://x&dlr-mask=1`,
        400,
        'DLR-URL field misformed, rejected',
      ],
      [`${AUTH}&from=1&to=4477001&text=hi&dlr-url=http`, 400, 'DLR-URL field misformed, rejected'],
      [`${AUTH}&from=1&to=4477001&text=hi&priority=4`, 400, 'Priority field misformed, rejected'],
      [`${AUTH}&from=1&to=4477001&text=hi&validity=-5`, 400, 'Validity field misformed, rejected'],
      [`${AUTH}&from=1&to=4477001&text=hi&deferred=-5`, 400, 'Deferred field misformed, rejected'],
      [`${AUTH}&from=1&to=4477001&text=hi&udh=%05%00%03`, 400, 'UDH field misformed, rejected'],
      [`${AUTH}&from=1&to=4477001&text=hi&charset=foo`, 400, 'Charset or body misformed, rejected'],
      [
        `${AUTH}&from=1&to=4477001&text=hi&account=a%5Bb`,
        400,
        'Account field misformed or too long, rejected',
      ],
      [
        'username=wl&password=wlpw&from=1&to=4488001&text=hi',
        400,
        'Number(s) has/have been denied by white- and/or black-lists.',
      ],
    ];
    for (const [query, status, body] of cases) {
      const r = await t.get(query);
      assert.equal(r.body, body, query);
      assert.equal(r.statusCode, status, query);
      assert.equal(r.headers['content-type'], 'text/html');
      assert.match(String(r.headers['x-hermod-error-code']), /^HERMOD_ERR_/);
    }
    const notFound = await t.app.inject({ method: 'GET', url: '/foo' });
    assert.equal(notFound.statusCode, 404);
    assert.equal(notFound.body, 'Unknown request.');
    // Kannel answers a form body "Invalid content-type"; other types the same.
    const xml = await t.app.inject({
      method: 'POST',
      url: '/cgi-bin/sendsms',
      headers: { 'content-type': 'text/xml' },
      payload: '<message/>',
    });
    assert.equal(xml.statusCode, 400);
    assert.equal(xml.body, 'Invalid content-type');
  });
});

test('user/pass as aliases of username/password; the message as sent, its id in X-Hermod-Message-Id', async () => {
  await withSetup(async (t) => {
    const [id] = await accepted(
      t,
      'user=ref&pass=refpw&from=Hermod&to=4477001&text=hi+there&priority=2&smsc=uk',
    );
    const m = await t.h.store.getMessage(id);
    assert.equal(m?.source, 'Hermod');
    assert.equal(m?.destination, '4477001');
    assert.equal(m?.body.toString('latin1'), 'hi there');
    assert.equal(m?.dataCoding, 0);
    assert.equal(m?.priority, 2);
    assert.deepEqual(m?.meta.tags, ['uk']);
    assert.equal(m?.meta.origin, 'http');
  });
});

test('several receivers in `to`: one message each, every id in order; illegal ones dropped as Kannel drops them', async () => {
  await withSetup(async (t) => {
    const ids = await accepted(t, `${AUTH}&from=1&to=4477001+4477002%204477003&text=hi`);
    assert.equal(ids.length, 3);
    const dests = await Promise.all(ids.map(async (id) => (await t.h.store.getMessage(id))?.destination));
    assert.deepEqual(dests, ['4477001', '4477002', '4477003']);
    // A receiver given twice is sent once, as Kannel's list keeps it once.
    assert.equal((await accepted(t, `${AUTH}&from=1&to=4477001+4477001&text=hi`)).length, 1);
    const r = await t.get(`${AUTH}&from=1&to=4477001+abc&text=hi`);
    assert.equal(r.statusCode, 202);
    assert.equal(String(r.headers['x-hermod-message-id']).split(', ').length, 1);
    assert.equal(r.headers['x-hermod-rejected-receivers'], '1');
    // The account's destination filter denies one of two: the other is sent.
    const wl = await t.get('username=wl&password=wlpw&to=4488001+4477001&text=hi');
    assert.equal(wl.statusCode, 202);
    const [only] = String(wl.headers['x-hermod-message-id']).split(', ');
    assert.equal((await t.h.store.getMessage(only))?.destination, '4477001');
  });
});

test('coding 0/1/2, charset, no coding (GSM else UCS-2), mclass and alt-dcs', async () => {
  await withSetup(async (t) => {
    const body = async (q: string) => {
      const [id] = await accepted(t, `${AUTH}&from=1&to=4477001&${q}`);
      const m = (await t.h.store.getMessage(id))!;
      return { hex: m.body.toString('hex'), dc: m.dataCoding };
    };
    assert.deepEqual(await body('text=Hi%40'), { hex: '486900', dc: 0 }); // GSM 03.38 @ is 0x00
    assert.deepEqual(await body('text=%D0%96'), { hex: '0416', dc: 8 }); // Ж → UCS-2
    assert.deepEqual(await body('text=Hi&coding=0'), { hex: '4869', dc: 0 });
    assert.deepEqual(await body('text=%01%02%FF&coding=1'), { hex: '0102ff', dc: 4 });
    assert.deepEqual(await body('text=%00H%00i&coding=2'), { hex: '00480069', dc: 8 });
    assert.deepEqual(await body('text=%C3%A9&coding=2&charset=UTF-8'), { hex: '00e9', dc: 8 });
    // PlaySMS sends UCS-2BE bytes with charset=UTF-16BE.
    assert.deepEqual(await body('text=%04%16&coding=2&charset=UTF-16BE'), { hex: '0416', dc: 8 });
    assert.deepEqual(await body('text=caf%E9&charset=ISO-8859-1'), { hex: '636166' + '05', dc: 0 });
    assert.deepEqual(await body('text=Hi&mclass=1'), { hex: '4869', dc: 0x11 });
    assert.deepEqual(await body('text=Hi&mclass=0&alt-dcs=1'), { hex: '4869', dc: 0xf0 });
    assert.deepEqual(await body('text=%D0%96&mclass=2'), { hex: '0416', dc: 0x1a });
    // coding 0 with a character GSM 03.38 cannot carry: Kannel's charset error, not a '?'.
    const r = await t.get(`${AUTH}&from=1&to=4477001&text=%D0%96&coding=0`);
    assert.equal(r.statusCode, 400);
    assert.equal(r.body, 'Charset or body misformed, rejected');
    const odd = await t.get(`${AUTH}&from=1&to=4477001&text=%00H%00&coding=2`);
    assert.equal(odd.body, 'Charset or body misformed, rejected');
  });
});

test('udh: the URL-encoded bytes before the text, esm_class 0x40, 8-bit by default as Kannel', async () => {
  await withSetup(async (t) => {
    const [id] = await accepted(t, `${AUTH}&from=1&to=4477001&udh=%06%05%04%0b%84%23%f0&text=%01%02`);
    const m = (await t.h.store.getMessage(id))!;
    assert.equal(m.esmClass, 0x40);
    assert.equal(m.dataCoding, 4);
    assert.equal(m.body.toString('hex'), '0605040b8423f00102');
    const long = await t.get(`${AUTH}&from=1&to=4477001&udh=${'%8C' + '%00'.repeat(140)}&text=x`);
    assert.equal(long.body, 'UDH field is too long, rejected');
  });
});

test('validity and deferred in minutes; dlr-url and dlr-mask kept with the message; meta-data TLVs refused', async () => {
  await withSetup(async (t) => {
    const before = Date.now();
    const [id] = await accepted(
      t,
      `${AUTH}&from=1&to=4477001&text=hi&validity=10&deferred=5&dlr-mask=31&dlr-url=${encodeURIComponent('http://example.com/d?t=%d')}&account=acc&binfo=bi&meta-data=%3Fsmpp%3F`,
    );
    const m = (await t.h.store.getMessage(id))!;
    assert.ok(m.meta.scheduleAt! >= before + 5 * 60_000 && m.meta.scheduleAt! <= Date.now() + 5 * 60_000);
    assert.ok(m.meta.validUntil! >= before + 10 * 60_000 && m.meta.validUntil! <= Date.now() + 10 * 60_000);
    assert.deepEqual(m.meta.kannel, {
      dlrUrl: 'http://example.com/d?t=%d',
      dlrMask: 31,
      account: 'acc',
      binfo: 'bi',
      metaData: '?smpp?',
    });
    const tlv = await t.get(`${AUTH}&from=1&to=4477001&text=hi&meta-data=%3Fsmpp%3Fmy_tlv%3D1`);
    assert.equal(tlv.statusCode, 400);
    assert.match(tlv.body, /^Meta-data field not supported by Hermod \(smpp TLV my_tlv: .*\), rejected$/);
    assert.equal(tlv.headers['x-hermod-error-code'], 'HERMOD_ERR_UNSUPPORTED_ARGUMENT');
    const bad = await t.get(`${AUTH}&from=1&to=4477001&text=hi&meta-data=smpp`);
    assert.equal(bad.body, 'Meta-data field misformed, rejected');
    // The SSRF guard on dlr-url, as on Jasmin's /send.
    const ssrf = await t.get(
      `${AUTH}&from=1&to=4477001&text=hi&dlr-mask=1&dlr-url=${encodeURIComponent('http://127.0.0.1:9/d')}`,
    );
    assert.equal(ssrf.statusCode, 400);
    assert.equal(ssrf.headers['x-hermod-error-code'], 'HERMOD_ERR_URL_REFUSED');
    // Kannel's arguments Hermod has no equivalent of are refused, not dropped.
    const mwi = await t.get(`${AUTH}&from=1&to=4477001&text=hi&mwi=1`);
    assert.equal(mwi.headers['x-hermod-error-code'], 'HERMOD_ERR_UNSUPPORTED_ARGUMENT');
  });
});

test('sendsms-user settings: faked-sender forced, default-sender, max-messages 1, no balance', async () => {
  await withSetup(async (t) => {
    const [id] = await accepted(t, 'username=faked&password=pw&from=Mine&to=4477001&text=hi');
    assert.equal((await t.h.store.getMessage(id))?.source, 'Forced');
    const [d] = await accepted(t, 'username=wl&password=wlpw&to=4477001&text=hi');
    assert.equal((await t.h.store.getMessage(d))?.source, 'Default');
    const long = await t.get(`username=short&password=pw&from=1&to=4477001&text=${'a'.repeat(200)}`);
    assert.equal(long.statusCode, 400);
    assert.equal(long.headers['x-hermod-error-code'], 'HERMOD_ERR_FORBIDDEN_LONG_CONTENT');
    const poor = await t.get('username=poor&password=pw&from=1&to=4477001&text=hi');
    assert.equal(poor.statusCode, 503);
    assert.equal(poor.body, 'Temporal failure, try again later.');
  });
});

test('POST text/plain with X-Kannel-* headers (the body is the text); a form body as a query', async () => {
  await withSetup(async (t) => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/cgi-bin/sendsms',
      headers: {
        'content-type': 'text/plain; charset=ISO-8859-1',
        'x-kannel-username': 'ref',
        'x-kannel-password': 'refpw',
        'x-kannel-to': '4477001 4477002',
        'x-kannel-from': 'Hermod',
        'x-kannel-udh': '050003010201',
        'x-kannel-coding': '1',
      },
      payload: Buffer.from([0x41, 0xe9]),
    });
    assert.equal(r.statusCode, 202, r.body);
    const ids = String(r.headers['x-hermod-message-id']).split(', ');
    assert.equal(ids.length, 2);
    const m = (await t.h.store.getMessage(ids[0]))!;
    assert.equal(m.body.toString('hex'), '05000301020141e9');
    const missing = await t.app.inject({
      method: 'POST',
      url: '/cgi-bin/sendsms',
      headers: { 'content-type': 'text/plain', 'x-kannel-username': 'ref', 'x-kannel-password': 'refpw' },
      payload: 'hi',
    });
    assert.equal(missing.body, 'Missing receiver(s) number(s), rejected');
    const form = await t.app.inject({
      method: 'POST',
      url: '/cgi-bin/sendsms',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `${AUTH}&from=1&to=4477001&text=caf%C3%A9`,
    });
    assert.equal(form.statusCode, 202);
  });
});
