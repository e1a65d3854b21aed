// The audit log of operator actions over HTTP on the demo Hermod: changing admin requests by
// an admin key and by an operator's session are recorded (who, method, path, target, status),
// reads and refused requests are not, no body is kept, and GET /v1/admin/audit pages them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoHermod } from '../support/hermod.js';
import { DEMO_ADMIN_KEY } from '../../src/config/index.js';

test('admin API: changing requests by an admin key or an operator are audited; reads, refusals and bodies are not', async (t) => {
  const h = await demoHermod();
  t.after(() => h.stop());
  await h.engine.people.createOperator({
    email: 'ops@hermod.example',
    password: 'operator pass 1',
    chosen: true,
  });
  await h.engine.people.createMember('demo', 'owner', {
    email: 'owner@shop.example',
    password: 'correct horse battery',
    chosen: true,
  });
  const admin = { authorization: `Bearer ${DEMO_ADMIN_KEY}` };
  const signIn = async (email: string, password: string) => {
    const r = await h.api.inject({ method: 'POST', url: '/v1/session', payload: { email, password } });
    assert.equal(r.statusCode, 201, r.body);
    return {
      cookie: String(r.headers['set-cookie']).split(';')[0],
      'x-hermod-csrf': r.json().csrf as string,
    };
  };
  const ops = await signIn('ops@hermod.example', 'operator pass 1');
  const owner = await signIn('owner@shop.example', 'correct horse battery');
  const ownerToken = (
    await h.api.inject({
      method: 'POST',
      url: '/v1/session',
      payload: { email: 'owner@shop.example', password: 'correct horse battery' },
    })
  ).json().token as string;

  const created = await h.api.inject({
    method: 'POST',
    url: '/v1/admin/users',
    headers: admin,
    payload: { username: 'acme', password: 'secret12', balance: '5' },
  });
  assert.equal(created.statusCode, 201, created.body);
  const credit = await h.api.inject({
    method: 'POST',
    url: '/v1/admin/users/acme/credit',
    headers: ops,
    payload: { amount: 'lots' },
  });
  assert.equal(credit.statusCode, 400);
  assert.equal(
    (
      await h.api.inject({
        method: 'PATCH',
        url: '/v1/admin/users/acme',
        headers: ops,
        payload: { enabled: false },
      })
    ).statusCode,
    200,
  );
  // Not recorded: a read, a wrong key, a customer's session.
  await h.api.inject({ method: 'GET', url: '/v1/admin/users', headers: admin });
  const wrongKey = await h.api.inject({
    method: 'PATCH',
    url: '/v1/admin/users/acme',
    headers: { authorization: 'Bearer nope' },
    payload: { enabled: true },
  });
  assert.equal(wrongKey.statusCode, 401);
  const customer = await h.api.inject({
    method: 'PATCH',
    url: '/v1/admin/users/acme',
    headers: owner,
    payload: { enabled: true },
  });
  assert.equal(customer.statusCode, 403);
  // A customer's session token as a Bearer is no admin key either.
  const bearer = await h.api.inject({
    method: 'PATCH',
    url: '/v1/admin/users/acme',
    headers: { authorization: `Bearer ${ownerToken}` },
    payload: { enabled: true },
  });
  assert.equal(bearer.statusCode, 403);

  const page = await h.api.inject({ method: 'GET', url: '/v1/admin/audit?limit=2', headers: ops });
  assert.equal(page.statusCode, 200, page.body);
  const p1 = page.json();
  assert.deepEqual(
    p1.entries.map((e: Record<string, unknown>) => [
      e.actor,
      e.actorKind,
      e.method,
      e.path,
      e.target,
      e.status,
    ]),
    [
      ['ops@hermod.example', 'operator', 'PATCH', '/v1/admin/users/acme', 'acme', 200],
      ['ops@hermod.example', 'operator', 'POST', '/v1/admin/users/acme/credit', 'acme', 400],
    ],
  );
  assert.match(p1.entries[0].at, /^\d{4}-\d\d-\d\dT/);
  const p2 = (
    await h.api.inject({
      method: 'GET',
      url: `/v1/admin/audit?limit=2&before=${p1.nextCursor}`,
      headers: admin,
    })
  ).json();
  assert.deepEqual(
    p2.entries.map((e: Record<string, unknown>) => [e.actor, e.method, e.path, e.target, e.status]),
    [['admin token', 'POST', '/v1/admin/users', 'acme', 201]],
  );
  assert.equal(p2.nextCursor, null);
  assert.doesNotMatch(page.body + JSON.stringify(p2), /secret12/);
  // The audit log itself is for operators only.
  assert.equal(
    (await h.api.inject({ method: 'GET', url: '/v1/admin/audit', headers: owner })).statusCode,
    403,
  );
  assert.equal((await h.api.inject({ method: 'GET', url: '/v1/admin/audit' })).statusCode, 401);
});
