// The operator sets an account's default country through the admin API; the account's
// contacts then take national numbers in it at once (REST v1), and a bad country is a 400
// naming the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configuredHermod } from '../support/hermod.js';

const ADMIN = 'contacts-country-admin-key-0123';
const KEY = 'hk_country_shop_0123456789abcdef';

test('admin PATCH settings.defaults.country: national numbers read in it; a bad country refused', async (t) => {
  const h = await configuredHermod({
    users: [{ username: 'shop', password: 'pw', balance: 1, rate: 0.01, apiKeys: [KEY] }],
    connectors: [{ id: 'sim', type: 'simulator' }],
    routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
    admin: { keys: [ADMIN] },
  });
  t.after(() => h.stop());
  const admin = (payload: object) =>
    h.api.inject({
      method: 'PATCH',
      url: '/v1/admin/users/shop',
      headers: { authorization: `Bearer ${ADMIN}` },
      payload,
    });
  const add = (number: string) =>
    h.api.inject({
      method: 'POST',
      url: '/v1/contacts',
      headers: { authorization: `Bearer ${KEY}` },
      payload: { number },
    });

  const before = await add('0612345678');
  assert.equal(before.statusCode, 400);
  assert.match(before.json().detail, /not a possible international number/);

  const set = await admin({ settings: { defaults: { country: 'FR' } } });
  assert.equal(set.statusCode, 200, set.body);
  assert.deepEqual(set.json().settings.defaults, { sourceAddr: null, country: 'FR' });
  const after = await add('06 12 34 56 78');
  assert.equal(after.statusCode, 201, after.body);
  assert.equal(after.json().number, '+33612345678');

  const bad = await admin({ settings: { defaults: { country: 'France' } } });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.json().detail, /^settings\.defaults\.country must be null or an ISO 3166 alpha-2/);
  // The source address default is kept when only the country changes, and the other way round.
  await admin({ settings: { defaults: { sourceAddr: 'Shop' } } });
  const both = await admin({ settings: { defaults: { country: null } } });
  assert.deepEqual(both.json().settings.defaults, { sourceAddr: 'Shop', country: null });
});
