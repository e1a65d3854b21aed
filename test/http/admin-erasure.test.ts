// POST /v1/admin/erasure and `hermod erase` (issue 21) on a running Hermod: the number is
// gone from the messages and the admin listing, the erasure is recorded without it, and an
// opted-out number stays refused by the accept door afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_ADMIN_KEY, DEMO_API_KEY } from '../../src/config/index.js';
import { buildProgram } from '../../src/cli/program.js';
import { eraseLine } from '../../src/cli/lifecycle.js';
import { demoHermod } from '../support/hermod.js';

const admin = { authorization: `Bearer ${DEMO_ADMIN_KEY}` };
const customer = { authorization: `Bearer ${DEMO_API_KEY}` };

test('POST /v1/admin/erasure erases a number; its opt-out still refuses; hermod erase does the same', async (t) => {
  const h = await demoHermod();
  t.after(() => h.stop());
  const send = (to: string) =>
    h.api.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: customer,
      payload: { to, from: 'Shop', text: `hello ${to}` },
    });
  const first = await send('+447700900123');
  assert.equal(first.statusCode, 202, first.body);
  const id = (JSON.parse(first.body) as { id: string }).id;
  assert.equal(
    (
      await h.api.inject({
        method: 'POST',
        url: '/v1/admin/optouts',
        headers: admin,
        payload: { msisdn: '+447700900123', sender: 'Shop' },
      })
    ).statusCode,
    201,
  );

  const bad = await h.api.inject({
    method: 'POST',
    url: '/v1/admin/erasure',
    headers: admin,
    payload: { msisdn: 'call me' },
  });
  assert.equal(bad.statusCode, 400);
  const nobody = await h.api.inject({
    method: 'POST',
    url: '/v1/admin/erasure',
    headers: admin,
    payload: { msisdn: '+447700900123', username: 'nobody' },
  });
  assert.equal(nobody.statusCode, 404);
  assert.match(JSON.parse(nobody.body).detail, /username: no account "nobody"/);
  assert.equal(
    (await h.api.inject({ method: 'POST', url: '/v1/admin/erasure', payload: { msisdn: '+447700900123' } }))
      .statusCode,
    401,
  );

  const r = await h.api.inject({
    method: 'POST',
    url: '/v1/admin/erasure',
    headers: admin,
    payload: { msisdn: '+447700900123' },
  });
  assert.equal(r.statusCode, 200, r.body);
  const e = JSON.parse(r.body) as {
    rows: number;
    tables: Record<string, number>;
    optOutsKept: number;
    actor: string;
    numberHash: string;
  };
  assert.equal(e.optOutsKept, 1);
  assert.equal(e.actor, 'admin key');
  assert.ok(e.tables.messages! >= 1, r.body);
  assert.doesNotMatch(r.body, /447700900123/);
  assert.match(
    eraseLine({ id: 1, ...e }),
    /^erased: \d+ rows changed or deleted \(.*messages \d+.*\); erasure #1 recorded; 1 opt-out\(s\) kept as erased:/,
  );

  // A request refused before its handler runs (an unknown field) names no number either.
  const refused = await h.api.inject({
    method: 'POST',
    url: '/v1/admin/erasure',
    headers: admin,
    payload: { msisdn: '+447700900123', reason: 'asked by phone' },
  });
  assert.equal(refused.statusCode, 400, refused.body);
  // The operators' audit log records the erasure by the number's hash, never the number.
  const audit = await h.api.inject({ method: 'GET', url: '/v1/admin/audit', headers: admin });
  assert.equal(audit.statusCode, 200, audit.body);
  assert.doesNotMatch(audit.body, /447700900123/);
  assert.ok(audit.body.includes(e.numberHash), audit.body);
  assert.ok(audit.body.includes('a number (refused)'), audit.body);
  const m = await h.api.inject({ method: 'GET', url: `/v1/admin/messages/${id}`, headers: admin });
  assert.doesNotMatch(m.body, /447700900123/);
  const again = await send('+447700900123');
  assert.equal(again.statusCode >= 400, true, again.body);
  assert.match(again.body, /HERMOD_ERR_OPTED_OUT/);
  assert.equal((await send('+447700900124')).statusCode, 202, 'other numbers are not refused');

  // An account erases a number from its own data (REST v1, snake_case): its contact goes.
  const contact = await h.api.inject({
    method: 'POST',
    url: '/v1/contacts',
    headers: customer,
    payload: { number: '+447700900125' },
  });
  assert.equal(contact.statusCode, 201, contact.body);
  const badOwn = await h.api.inject({
    method: 'POST',
    url: '/v1/erasure',
    headers: customer,
    payload: { number: 'me' },
  });
  assert.equal(badOwn.statusCode, 400);
  assert.match((JSON.parse(badOwn.body) as { detail: string }).detail, /^number: /);
  const own = await h.api.inject({
    method: 'POST',
    url: '/v1/erasure',
    headers: customer,
    payload: { number: '+447700900125' },
  });
  assert.equal(own.statusCode, 200, own.body);
  const o = JSON.parse(own.body) as { tables: Record<string, number>; erased_at: string };
  assert.equal(o.tables.contacts, 1);
  assert.ok(!Number.isNaN(Date.parse(o.erased_at)));
  const contacts = await h.api.inject({ method: 'GET', url: '/v1/contacts', headers: customer });
  assert.doesNotMatch(contacts.body, /447700900125/);

  // The CLI in-process against the same gateway: the second number is erased too.
  await buildProgram().parseAsync([
    'node',
    'hermod',
    'erase',
    '--number',
    '+447700900124',
    '--url',
    `http://127.0.0.1:${h.apiPort}`,
    '--key',
    DEMO_ADMIN_KEY,
    '--json',
  ]);
  const listed = await h.api.inject({ method: 'GET', url: '/v1/admin/messages?limit=100', headers: admin });
  assert.doesNotMatch(listed.body, /44770090012[34]/);
});
