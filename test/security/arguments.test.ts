// Issue 13 item 9 (unbounded arguments): every argument is bounded at the door and answered
// 400 with a precise code; balances never leave the safe integer range; deep JSON is a 400.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoHermod } from '../support/hermod.js';
import { DEMO_ADMIN_KEY, DEMO_API_KEY } from '../../src/config/index.js';
import { draftOf, type DraftInput } from '../../src/gateway/index.js';
import { RejectedError } from '../../src/gateway/errors.js';
import { jsonDepth } from '../../src/http/json-depth.js';

const now = Date.UTC(2026, 0, 1);
const base: DraftInput = {
  systemId: 'u',
  origin: 'http',
  from: '12345',
  to: '4915112345678',
  content: { text: 'hi' },
};
const codeOf = (input: Partial<DraftInput>): string | undefined => {
  try {
    draftOf({ ...base, ...input }, now);
    return undefined;
  } catch (err) {
    assert.ok(err instanceof RejectedError);
    assert.equal(err.httpStatus, 400);
    return err.code;
  }
};

test('item 9: draftOf bounds every door: from, to, schedule and validity', () => {
  assert.equal(codeOf({}), undefined);
  assert.equal(codeOf({ from: 'x'.repeat(5000) }), 'HERMOD_ERR_INVALID_SOURCE');
  assert.equal(codeOf({ from: '1'.repeat(21) }), 'HERMOD_ERR_INVALID_SOURCE');
  assert.equal(codeOf({ from: '1'.repeat(20) }), undefined);
  assert.equal(codeOf({ from: 'HermodAlerts' }), 'HERMOD_ERR_INVALID_SOURCE');
  assert.equal(codeOf({ from: 'HermodAlert' }), undefined);
  assert.equal(codeOf({ to: '4'.repeat(5000) }), 'HERMOD_ERR_INVALID_DESTINATION');
  assert.equal(codeOf({ validUntil: now + 6e24 }), 'HERMOD_ERR_INVALID_VALIDITY');
  assert.equal(codeOf({ validUntil: now + 367 * 86_400_000 }), 'HERMOD_ERR_INVALID_VALIDITY');
  assert.equal(codeOf({ validUntil: now + 86_400_000 }), undefined);
  assert.equal(codeOf({ scheduleAt: Date.UTC(9999, 0, 1) }), 'HERMOD_ERR_INVALID_SCHEDULE');
  assert.equal(codeOf({ scheduleAt: now + 86_400_000, validUntil: now + 2 * 86_400_000 }), undefined);
});

test('item 9: jsonDepth counts nesting outside strings', () => {
  assert.equal(jsonDepth('{"a":[1,{"b":"[[[{"}]}'), 3);
  assert.equal(jsonDepth('"\\"[[["'), 0);
  assert.equal(jsonDepth('['.repeat(100_000), 33), 34);
});

test('item 9: the attacks replayed: 400s, and every page still answers', async () => {
  const h = await demoHermod();
  const api = `http://127.0.0.1:${h.apiPort}`;
  const jasmin = `http://127.0.0.1:${h.httpPort}`;
  const admin = { authorization: `Bearer ${DEMO_ADMIN_KEY}`, 'content-type': 'application/json' };
  const customer = { authorization: `Bearer ${DEMO_API_KEY}`, 'content-type': 'application/json' };
  try {
    const send = (q: string) =>
      fetch(`${jasmin}/send?username=demo&password=demo&to=4915112345678&content=hi&${q}`);
    const v = await send('validity-period=99999999999999999999');
    assert.equal(v.status, 400, await v.text());
    const f = await send(`from=${'A'.repeat(5000)}`);
    assert.equal(f.status, 400);
    assert.match(await f.text(), /HERMOD_ERR_INVALID_SOURCE/);

    const far = await fetch(`${api}/v1/messages`, {
      method: 'POST',
      headers: customer,
      body: JSON.stringify({
        to: '+4915112345678',
        from: 'Hermod',
        text: 'hi',
        send_at: '9999-01-01T00:00:00Z',
      }),
    });
    assert.equal(far.status, 400);
    assert.equal(((await far.json()) as { code: string }).code, 'HERMOD_ERR_INVALID_SCHEDULE');

    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    for (const [url, headers] of [
      [`${api}/v1/messages`, customer],
      [`${api}/v1/admin/users/demo/credit`, admin],
    ] as const) {
      const r = await fetch(url, { method: 'POST', headers, body: deep });
      assert.equal(r.status, 400);
      assert.equal(((await r.json()) as { code: string }).code, 'HERMOD_ERR_JSON_TOO_DEEP');
    }
    const deepJasmin = await fetch(`${jasmin}/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // Jasmin's body limit is 64 KiB (413 beyond): 10,000 levels fit in it.
      body: '['.repeat(10_000) + ']'.repeat(10_000),
    });
    assert.equal(deepJasmin.status, 400);

    const credit = () =>
      fetch(`${api}/v1/admin/users/demo/credit`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ amount: '9000000000' }),
      });
    assert.equal((await credit()).status, 200);
    const second = await credit();
    assert.equal(second.status, 400);
    assert.equal(((await second.json()) as { code: string }).code, 'HERMOD_ERR_INVALID_AMOUNT');
    const users = await fetch(`${api}/v1/admin/users`, { headers: admin });
    assert.equal(users.status, 200);
    const list = await fetch(`${api}/v1/messages`, { headers: customer });
    assert.equal(list.status, 200);
  } finally {
    await h.stop();
  }
});
