// The Jasmin-compatible API through app.inject() on a real gateway (SQLite, simulator):
// Jasmin's text bodies for a Jasmin client, the JSON default, every /send error path with
// Jasmin's status codes, content encoding, /balance, /rate, /ping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildJasminApp } from '../../src/http/jasmin/index.js';
import { UrlGuard } from '../../src/gateway/index.js';
import { configuredHermod } from '../support/hermod.js';
import { parseSmppTime } from '../../src/http/jasmin/index.js';

const DOC = {
  users: [
    { username: 'shop', password: 'pw', balance: 1, rate: 0.01 },
    { username: 'legacy', password: 'pw', balance: 1, rate: 0.01, httpApi: { responseFormat: 'jasmin' } },
    { username: 'poor', password: 'pw', balance: 0, rate: 0.01 },
    {
      username: 'strict',
      password: 'pw',
      balance: 1,
      rate: 0.01,
      authorizations: { dlrLevel: false, longContent: false },
    },
    { username: 'slow', password: 'pw', balance: 1, rate: 0.01, throughput: { http: 1 } },
  ],
  connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 0 } }],
  // Only UK and US numbers are routed: anything else is "No route found".
  routes: [{ name: 'uk-us', prefixes: ['44', '1'], type: 'static', connectors: ['sim'], rate: 0.02 }],
};

async function setup(format: 'json' | 'jasmin' = 'json') {
  const h = await configuredHermod(DOC);
  const formats: Record<string, 'json' | 'jasmin'> = { legacy: 'jasmin' };
  const app = await buildJasminApp({
    gateway: h.gateway,
    guard: new UrlGuard(),
    responseFormat: format,
    responseFormatFor: (u) => formats[u],
  });
  return {
    h,
    app,
    send: (fields: Record<string, string>, method: 'GET' | 'POST' = 'POST') =>
      method === 'GET'
        ? app.inject({ method: 'GET', url: `/send?${new URLSearchParams(fields)}` })
        : app.inject({
            method: 'POST',
            url: '/send',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            payload: new URLSearchParams(fields).toString(),
          }),
    async close() {
      await app.close();
      await h.stop();
    },
  };
}

const base = { username: 'shop', password: 'pw', to: '447700900123', content: 'hello' };

test('a Jasmin client (responseFormat jasmin, per user) parses Success "<id>" and the message is stored', async () => {
  const t = await setup();
  try {
    const r = await t.send(
      { ...base, username: 'legacy', from: 'Shop', priority: '2', tags: '1,702' },
      'GET',
    );
    assert.equal(r.statusCode, 200);
    assert.match(r.headers['content-type'] as string, /^text\/plain/);
    const m = /^Success "([^"]+)"$/.exec(r.body);
    assert.ok(m, `Jasmin's body, got ${r.body}`);
    const stored = await t.h.store.getMessage(m[1]);
    assert.equal(stored?.source, 'Shop');
    assert.equal(stored?.priority, 2);
    assert.deepEqual(stored?.meta, { origin: 'http', tags: ['1', '702'], route: 'uk-us', segments: 1 });
    const bad = await t.send({ ...base, username: 'legacy', password: 'nope' });
    assert.equal(bad.statusCode, 403);
    assert.equal(bad.body, 'Error "Authentication failure for username:legacy"');
  } finally {
    await t.close();
  }
});

test('the global responseFormat jasmin applies to every user without their own', async () => {
  const t = await setup('jasmin');
  try {
    const r = await t.send(base);
    assert.match(r.body, /^Success "[0-9a-z]+"$/);
    const e = await t.send({ ...base, to: '33612345678' });
    assert.equal(e.statusCode, 412);
    assert.equal(e.body, 'Error "No route found"');
  } finally {
    await t.close();
  }
});

test('the JSON default: data.messageid on success, error.code/message/status on failure', async () => {
  const t = await setup();
  try {
    const r = await t.send(base);
    assert.equal(r.statusCode, 200);
    const j = r.json() as { data: { messageid: string; encoding: string; segments: number } };
    assert.deepEqual(
      { ...j.data, messageid: typeof j.data.messageid },
      { messageid: 'string', encoding: 'gsm7', segments: 1 },
    );
    assert.ok(await t.h.store.getMessage(j.data.messageid));
    const e = await t.send({ ...base, password: 'wrong' });
    assert.equal(e.statusCode, 403);
    assert.deepEqual(e.json(), {
      error: {
        code: 'HERMOD_ERR_AUTHENTICATION',
        message: 'Authentication failure for username:shop',
        status: 403,
      },
    });
  } finally {
    await t.close();
  }
});

test('every /send error path answers with Jasmin status codes and a precise reason', async () => {
  const t = await setup('jasmin');
  try {
    const cases: [string, Record<string, string | undefined>, number, RegExp][] = [
      ['bad credentials', { password: 'nope' }, 403, /^Error "Authentication failure for username:shop"$/],
      ['unknown user', { username: 'ghost' }, 403, /Authentication failure for username:ghost/],
      ['no balance', { username: 'poor' }, 403, /^Error "Cannot charge submit_sm: balance too low/],
      [
        'bad number (letters)',
        { to: '44abc' },
        400,
        /^Error "Argument \[to\] has an invalid value: \[44abc\]\."$/,
      ],
      ['bad number (too long)', { to: '4412345678901234567' }, 400, /Argument \[to\] has an invalid value/],
      ['unroutable', { to: '33612345678' }, 412, /^Error "No route found"$/],
      ['missing to', { to: undefined }, 400, /^Error "Mandatory argument \[to\] is not found\."$/],
      ['missing username', { username: undefined }, 400, /Mandatory argument \[username\]/],
      ['no content', { content: undefined }, 400, /content or hex-content not present/],
      ['content and hex-content', { 'hex-content': '4142' }, 400, /cannot be used both/],
      ['dlr without dlr-url', { dlr: 'yes' }, 400, /Mandatory argument \[dlr-url\]/],
      [
        'bad dlr-level',
        { 'dlr-level': '4', 'dlr-url': 'http://example.com/' },
        400,
        /Argument \[dlr-level\] has an invalid value: \[4\]/,
      ],
      [
        'bad dlr-method',
        { 'dlr-method': 'PUT', dlr: 'yes', 'dlr-url': 'http://example.com/' },
        400,
        /Argument \[dlr-method\]/,
      ],
      ['bad priority', { priority: '7' }, 400, /Argument \[priority\] has an invalid value: \[7\]/],
      ['bad coding', { coding: '11' }, 400, /Argument \[coding\]/],
      [
        'GSM coding for Cyrillic',
        { coding: '0', content: 'Привет' },
        400,
        /cannot be sent with coding 0: .*Omit coding/,
      ],
      ['bad sdt', { sdt: '991399000000000+' }, 400, /Argument \[sdt\]/],
      ['bad hex', { content: undefined, 'hex-content': 'xyz' }, 400, /Argument \[hex-content\]/],
      [
        'dlr-url to loopback (SSRF guard)',
        { 'dlr-url': 'http://127.0.0.1:8080/dlr' },
        400,
        /Argument \[dlr-url\] is refused: 127\.0\.0\.1 is in loopback/,
      ],
      [
        'dlr-url to cloud metadata (SSRF guard)',
        { 'dlr-url': 'http://169.254.169.254/latest' },
        400,
        /link-local/,
      ],
      [
        'dlr-url to a name resolving to loopback (SSRF guard)',
        { 'dlr-url': 'http://localhost/dlr' },
        400,
        /localhost resolves to 127\.0\.0\.1 is in loopback|localhost resolves to ::1/,
      ],
      [
        'dlr-url not http',
        { 'dlr-url': 'file:///etc/passwd' },
        400,
        /Argument \[dlr-url\] has an invalid value/,
      ],
    ];
    for (const [what, change, status, body] of cases) {
      const fields: Record<string, string> = { ...base };
      for (const [k, v] of Object.entries(change)) {
        if (v === undefined) delete fields[k];
        else fields[k] = v;
      }
      const r = await t.send(fields);
      assert.equal(r.statusCode, status, `${what}: ${r.body}`);
      assert.match(r.body, body, what);
    }
    assert.equal(
      await t.h.store.getBalance((await t.h.store.getUserByName('shop'))!.id),
      1_000_000,
      'nothing was charged',
    );
  } finally {
    await t.close();
  }
});

test('content: GSM-7 when it fits, UCS-2 otherwise, coding honoured, hex-content as bytes; sdt and validity-period', async () => {
  const t = await setup();
  try {
    const msg = async (fields: Record<string, string | undefined>) => {
      const all: Record<string, string> = {};
      for (const [k, v] of Object.entries({ ...base, ...fields })) if (v !== undefined) all[k] = v;
      const r = await t.send(all);
      assert.equal(r.statusCode, 200, r.body);
      return (await t.h.store.getMessage((r.json() as { data: { messageid: string } }).data.messageid))!;
    };
    const gsm = await msg({ content: 'Hi €5 {ok}' });
    assert.equal(gsm.dataCoding, 0);
    assert.deepEqual([...gsm.body.subarray(0, 3)], [0x48, 0x69, 0x20], 'unpacked GSM septets');
    assert.equal(gsm.body.length, 13, '10 characters, € { } as escape pairs');
    const ucs = await msg({ content: 'Привет 👋' });
    assert.equal(ucs.dataCoding, 8);
    assert.equal(Buffer.from(ucs.body).swap16().toString('utf16le'), 'Привет 👋');
    const latin = await msg({ content: 'café', coding: '3' });
    assert.equal(latin.dataCoding, 3);
    assert.deepEqual([...latin.body], [0x63, 0x61, 0x66, 0xe9]);
    const hex = await msg({ content: undefined, 'hex-content': '0041004200430044', coding: '8' });
    assert.equal(hex.dataCoding, 8);
    assert.equal(hex.body.toString('hex'), '0041004200430044');
    const long = await t.send({ ...base, content: 'x'.repeat(200) });
    assert.equal((long.json() as { data: { segments: number } }).data.segments, 2);
    const before = Date.now();
    // A validity that ends before the scheduled time is refused by the account rules; 90 min does not.
    const timed = await msg({ sdt: '000000010000000R', 'validity-period': '90' });
    assert.ok(
      timed.meta.scheduleAt! >= before + 3_600_000 && timed.meta.scheduleAt! <= Date.now() + 3_600_000,
    );
    assert.ok(
      timed.meta.validUntil! >= before + 90 * 60_000 && timed.meta.validUntil! <= Date.now() + 90 * 60_000,
    );
    const dlr = await msg({
      dlr: 'yes',
      'dlr-url': 'https://example.com/dlr',
      'dlr-level': '2',
      'dlr-method': 'get',
    });
    assert.deepEqual(dlr.meta.dlr, { url: 'https://example.com/dlr', level: 2, method: 'GET' });
    assert.equal(dlr.registeredDelivery, 0, 'HTTP customers get callbacks, not SMPP receipts');
    const implied = await msg({ 'dlr-url': 'https://example.com/dlr' });
    assert.deepEqual(
      implied.meta.dlr,
      { url: 'https://example.com/dlr', level: 1, method: 'POST' },
      "Jasmin's defaults",
    );
    // A JSON body is accepted too (as Jasmin does).
    const j = await t.app.inject({
      method: 'POST',
      url: '/send',
      payload: { ...base, content: 'json body' },
    });
    assert.equal(j.statusCode, 200, j.body);
  } finally {
    await t.close();
  }
});

test('SMPP absolute times with a UTC offset', () => {
  assert.equal(parseSmppTime('260102030405000+', 0), Date.UTC(2026, 0, 2, 3, 4, 5));
  assert.equal(
    parseSmppTime('260102030405008+', 0),
    Date.UTC(2026, 0, 2, 1, 4, 5),
    '+8 quarter hours = UTC+2',
  );
  assert.equal(parseSmppTime('260102030405004-', 0), Date.UTC(2026, 0, 2, 4, 4, 5));
  assert.equal(parseSmppTime('261302030405000+', 0), undefined);
});

test('/balance, /rate and /ping as Jasmin answers them', async () => {
  const t = await setup();
  try {
    const bal = await t.app.inject({ method: 'GET', url: '/balance?username=shop&password=pw' });
    assert.deepEqual(bal.json(), { balance: 1, sms_count: 'ND' });
    await t.send(base);
    assert.deepEqual(
      (await t.app.inject({ method: 'GET', url: '/balance?username=shop&password=pw' })).json(),
      { balance: 0.98, sms_count: 'ND' },
      'charged the route rate',
    );
    const bad = await t.app.inject({ method: 'GET', url: '/balance?username=shop&password=x' });
    assert.equal(bad.statusCode, 403);
    const rate = await t.app.inject({
      method: 'GET',
      url: `/rate?${new URLSearchParams({ username: 'shop', password: 'pw', to: '447700900123', content: 'y'.repeat(161) })}`,
    });
    assert.deepEqual(rate.json(), { submit_sm_count: 2, unit_rate: 0.02 });
    const none = await t.app.inject({ method: 'GET', url: '/rate?username=shop&password=pw&to=33612345678' });
    assert.equal(none.statusCode, 412);
    const ping = await t.app.inject({ method: 'GET', url: '/ping' });
    assert.equal(ping.body, 'Jasmin/PONG');
  } finally {
    await t.close();
  }
});

test('account rules on /send: unauthorized dlr-level, too long without authorization, HTTP throughput', async () => {
  const t = await setup('jasmin');
  try {
    const strict = { ...base, username: 'strict' };
    const dlr = await t.send({
      ...strict,
      dlr: 'yes',
      'dlr-url': 'https://app.example/dlr',
      'dlr-level': '3',
    });
    assert.equal(dlr.statusCode, 400);
    assert.match(dlr.body, /^Error ".*dlr/i);
    const long = await t.send({ ...strict, content: 'x'.repeat(161) });
    assert.equal(long.statusCode, 400);
    assert.match(long.body, /^Error ".*(long|segment)/i);
    assert.equal(
      (await t.send({ ...strict, content: 'x'.repeat(160) })).statusCode,
      200,
      'one segment is allowed',
    );
    // One message per second with a burst of one: the second at once is refused.
    const slow = { ...base, username: 'slow' };
    const first = await t.send(slow);
    const second = await t.send(slow);
    assert.equal(first.statusCode, 200);
    assert.equal(second.statusCode, 403);
    assert.match(second.body, /^Error ".*per second/);
  } finally {
    await t.close();
  }
});
