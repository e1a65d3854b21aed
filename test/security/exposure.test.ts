// Issue 13 item 11 (exposure): with server.adminPort the admin API, /metrics and /docs leave
// the public port for a loopback listener; /readyz does not write to the store per call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { configuredHermod } from '../support/hermod.js';
import { opsRoutes } from '../../src/http/ops.js';

const ADMIN_KEY = 'exposure-test-admin-key-0123';
const API_KEY = 'hk_exposure_test_key_0123456789';

test('item 11: server.adminPort moves the admin API, /metrics and /docs to their own loopback listener', async () => {
  const h = await configuredHermod({
    server: { adminPort: 0 },
    admin: { keys: [ADMIN_KEY] },
    users: [{ username: 'shop', password: 'pwshop1', balance: 1, rate: 0.01, apiKeys: [API_KEY] }],
    connectors: [{ id: 'sim', type: 'simulator' }],
    routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
  });
  const admin = { authorization: `Bearer ${ADMIN_KEY}` };
  try {
    assert.equal(h.config.server.adminHost, '127.0.0.1');
    assert.ok(h.adminPort !== undefined && h.adminPort !== h.apiPort);
    const pub = (path: string, headers: Record<string, string> = {}) =>
      fetch(`http://127.0.0.1:${h.apiPort}${path}`, { headers }).then((r) => r.status);
    const adm = (path: string, headers: Record<string, string> = {}) =>
      fetch(`http://127.0.0.1:${h.adminPort}${path}`, { headers, redirect: 'manual' }).then((r) => r.status);
    // Public: customers and probes, nothing of the operators'.
    assert.equal(await pub('/v1/admin/users', admin), 404);
    assert.equal(await pub('/metrics'), 404);
    assert.equal(await pub('/docs'), 404);
    assert.equal(await pub('/healthz'), 200);
    assert.equal(await pub('/v1/balance', { authorization: `Bearer ${API_KEY}` }), 200);
    // Admin: the operators' side, and no customer API.
    assert.equal(await adm('/v1/admin/users', admin), 200);
    assert.equal(await adm('/metrics'), 200);
    assert.ok([200, 302].includes(await adm('/docs')));
    assert.equal(await adm('/v1/balance', { authorization: `Bearer ${API_KEY}` }), 404);
  } finally {
    await h.stop();
  }
});

test('item 11: /readyz answers from one store check per few seconds, not a write per call', async () => {
  let writes = 0;
  const app = Fastify();
  await app.register(opsRoutes, {
    version: 't',
    storeWritable: async () => {
      writes++;
      await new Promise((r) => setTimeout(r, 20));
    },
    connectors: () => [{ id: 'a', ready: true }],
    storeCheckTtlMs: 60_000,
  });
  try {
    const answers = await Promise.all(Array.from({ length: 20 }, () => app.inject({ url: '/readyz' })));
    for (let i = 0; i < 20; i++) assert.equal((await app.inject({ url: '/readyz' })).statusCode, 200);
    assert.ok(answers.every((a) => a.statusCode === 200));
    assert.equal(writes, 1);
  } finally {
    await app.close();
  }
});
