// The Kannel listener's configuration: off unless server.kannelPort or HERMOD_KANNEL_PORT is set;
// MO routes of format kannel are Kannel's get-url (GET only).
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

test('moRoutes format kannel: GET by default, POST refused by name', () => {
  const route = { prefixes: ['12345'], url: 'http://example.com/get?from=%p&text=%a', format: 'kannel' };
  const c = parseConfig({ ...base, moRoutes: [route] }, {}, 'test');
  assert.equal(c.moRoutes[0].format, 'kannel');
  assert.equal(c.moRoutes[0].method, 'GET');
  assert.throws(
    () => parseConfig({ ...base, moRoutes: [{ ...route, method: 'POST' }] }, {}, 'test'),
    /moRoutes\[0\]\.method: Kannel's get-url/,
  );
});
