// The Kannel listener's configuration: off unless server.kannelPort or HERMOD_KANNEL_PORT is set;
// MO routes of format kannel are Kannel's get-url (GET) or post-url (POST), with an optional reply.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../../src/config/index.js';

const base = {
  users: [{ username: 'u', password: 'p', balance: 1, rate: 0.01 }],
  connectors: [{ id: 'sim', type: 'simulator' }],
  routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
};

test('server.kannelPort: off by default, set by config or HERMOD_KANNEL_PORT, checked as a port', () => {
  assert.equal(parseConfig(base, {}, 'test').server.kannelPort, undefined);
  assert.equal(parseConfig({ ...base, server: { kannelPort: 13013 } }, {}, 'test').server.kannelPort, 13013);
  assert.equal(parseConfig(base, { HERMOD_KANNEL_PORT: '23013' }, 'test').server.kannelPort, 23013);
  assert.throws(
    () => parseConfig({ ...base, server: { kannelPort: 70000 } }, {}, 'test'),
    /server\.kannelPort/,
  );
});

test('moRoutes format kannel: GET (get-url) by default, POST (post-url) allowed; reply checked, and charged to someone', () => {
  const route = { prefixes: ['12345'], url: 'http://example.com/get?from=%p&text=%a', format: 'kannel' };
  const c = parseConfig({ ...base, moRoutes: [route] }, {}, 'test');
  assert.equal(c.moRoutes[0].format, 'kannel');
  assert.equal(c.moRoutes[0].method, 'GET');
  assert.equal(c.moRoutes[0].reply, undefined);
  const post = parseConfig({ ...base, moRoutes: [{ ...route, method: 'POST' }] }, {}, 'test');
  assert.equal(post.moRoutes[0].method, 'POST');
  const withAccount = parseConfig({ ...base, moRoutes: [{ ...route, reply: { account: 'u' } }] }, {}, 'test');
  assert.deepEqual(withAccount.moRoutes[0].reply, { maxMessages: 1, account: 'u' });
  const viaOptOut = parseConfig(
    { ...base, optOut: { account: 'u' }, moRoutes: [{ ...route, reply: { maxMessages: 10 } }] },
    {},
    'test',
  );
  assert.deepEqual(viaOptOut.moRoutes[0].reply, { maxMessages: 10 });
  const refused = (r: Record<string, unknown>, re: RegExp) =>
    assert.throws(() => parseConfig({ ...base, moRoutes: [r] }, {}, 'test'), re);
  refused({ ...route, reply: {} }, /moRoutes\[0\]\.reply\.account: the reply must be charged to someone/);
  refused({ ...route, reply: { account: 'nobody' } }, /moRoutes\[0\]\.reply\.account: unknown user "nobody"/);
  refused({ ...route, reply: { account: 'u', maxMessages: 11 } }, /moRoutes\[0\]\.reply\.maxMessages/);
  refused({ ...route, reply: { account: 'u', maxMessages: 0 } }, /moRoutes\[0\]\.reply\.maxMessages/);
  refused({ ...route, format: 'rest', reply: { account: 'u' } }, /moRoutes\[0\]\.reply: only Kannel/);
});
