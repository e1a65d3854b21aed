// REST v1 contacts and contact groups on the demo Hermod: the account's own, problem+json errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoHermod } from '../support/hermod.js';
import { DEMO_API_KEY } from '../../src/config/index.js';

test('REST v1: a contact is added, merged by number, grouped; bad input is a problem naming the field', async (t) => {
  const h = await demoHermod();
  t.after(() => h.stop());
  const call = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
    h.api.inject({
      method,
      url,
      headers: { authorization: `Bearer ${DEMO_API_KEY}` },
      ...(payload ? { payload } : {}),
    });

  const created = await call('POST', '/v1/contacts', { number: '+44 7700 900123', first_name: 'Ada' });
  assert.equal(created.statusCode, 201);
  const ada = created.json();
  assert.equal(ada.number, '+447700900123');
  const merged = await call('POST', '/v1/contacts', { number: '447700900123', fields: { code: 'X' } });
  assert.equal(merged.statusCode, 200);
  assert.equal(merged.json().id, ada.id);
  assert.equal(merged.json().first_name, 'Ada');

  const bad = await call('POST', '/v1/contacts', { number: 'call me' });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.headers['content-type'] as string, /problem\+json/);
  // Named as the body says it (the service names the row of its batch, contacts[0].msisdn).
  assert.match(bad.json().detail, /^number: /);

  const group = await call('POST', '/v1/contact-groups', { name: 'News' });
  assert.equal(group.statusCode, 201);
  assert.equal(
    (await call('POST', '/v1/contact-groups', { name: 'News' })).json().code,
    'HERMOD_ERR_CONTACT_GROUP_EXISTS',
  );
  const added = await call('POST', `/v1/contact-groups/${group.json().id}/members`, { contacts: [ada.id] });
  assert.deepEqual(added.json(), { added: 1 });
  const groups = (await call('GET', '/v1/contact-groups')).json().data;
  assert.deepEqual(
    groups.map((g: { name: string; members: number }) => [g.name, g.members]),
    [['News', 1]],
  );
  assert.equal((await call('GET', `/v1/contacts/${ada.id}`)).json().groups[0], group.json().id);
  assert.equal((await call('GET', '/v1/contacts/999999')).statusCode, 404);
  const anon = await h.api.inject({ method: 'GET', url: '/v1/contact-groups' });
  assert.equal(anon.statusCode, 401);
});
