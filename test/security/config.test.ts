// The settings issue 13 added: safe defaults, and every mistake named by its key path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseConfig } from '../../src/config/index.js';

const env = { HERMOD_DATA_DIR: '/tmp/hermod-sec-config' };

test('security.* and webhooks.perHost/perCustomer: defaults, values, mistakes by key path', () => {
  const c = parseConfig({}, env, 'test');
  assert.deepEqual(c.security, {
    login: { maxFailuresPerAddress: 5, maxFailuresPerUser: 10, windowS: 60, lockS: 300 },
    smpp: {
      maxConnections: 1000,
      maxUnboundPerAddress: 10,
      bindTimeoutS: 10,
      maxBindsPerUser: 10,
      maxUnboundRequests: 10,
    },
    http: {
      requestTimeoutS: 30,
      headersTimeoutS: 10,
      keepAliveTimeoutS: 5,
      idleTimeoutS: 60,
      maxConnections: 1000,
    },
  });
  assert.equal(c.webhooks.perHost, 10);
  assert.equal(c.webhooks.perCustomer, 20);
  const set = parseConfig({ security: { smpp: { bindTimeoutS: 5 } }, webhooks: { perHost: 3 } }, env, 'test');
  assert.equal(set.security.smpp.bindTimeoutS, 5);
  assert.equal(set.webhooks.perHost, 3);
  let paths: string[] = [];
  try {
    parseConfig(
      {
        security: { login: { maxFailuresPerAdress: 3, lockS: 0 }, smpp: { bindTimeoutS: 600 } },
        webhooks: { perCustomer: 0 },
      },
      env,
      'test',
    );
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    paths = err.issues.map((i) => i.path);
  }
  for (const p of [
    'security.login.maxFailuresPerAdress',
    'security.login.lockS',
    'security.smpp.bindTimeoutS',
    'webhooks.perCustomer',
  ])
    assert.ok(paths.includes(p), `${p} in ${paths.join(', ')}`);
});
