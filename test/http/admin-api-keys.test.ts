// REST API keys through the admin API, over real sockets against a running Hermod: created
// (shown once, stored hashed), listed without the key, revoked and refused at once (the REST
// key cache is emptied on revocation: without that the revoked key would pass for 2 s more).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashApiKey } from '../../src/domain/index.js';
import { configuredHermod } from '../support/hermod.js';

const ADMIN = 'api-keys-admin-key-0123456789';

test('admin API keys: POST creates a key shown once (store keeps its hash), GET lists ids and labels only, DELETE revokes it and the very next request is refused', async () => {
  const h = await configuredHermod({
    users: [
      { username: 'shop', password: 'pw', balance: 1, rate: 0.01, apiKeys: ['hk_config_key_for_shop_000'] },
      { username: 'other', password: 'pw', balance: 1, rate: 0.01 },
    ],
    connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 0 } }],
    routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
    admin: { keys: [ADMIN] },
  });
  const base = `http://127.0.0.1:${h.apiPort}`;
  const admin = (method: string, path: string, body?: unknown) =>
    fetch(`${base}/v1/admin${path}`, {
      method,
      headers: {
        authorization: `Bearer ${ADMIN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const balance = (key: string) =>
    fetch(`${base}/v1/balance`, { headers: { authorization: `Bearer ${key}` } });
  try {
    const created = await admin('POST', '/users/shop/api-keys', { label: 'ci' });
    assert.equal(created.status, 201);
    const k = (await created.json()) as { id: number; label: string; createdAt: string; key: string };
    assert.match(k.key, /^hk_[A-Za-z0-9_-]{32}$/);
    assert.equal(k.label, 'ci');
    assert.ok(Number.isInteger(k.id));
    assert.ok(Math.abs(Date.parse(k.createdAt) - Date.now()) < 60_000);
    const shop = (await h.store.getUserByName('shop'))!;
    assert.equal((await h.store.getUserByApiKey(hashApiKey(k.key)))?.id, shop.id, 'stored by its hash');
    const noLabel = (await (await admin('POST', '/users/shop/api-keys')).json()) as {
      id: number;
      label: null;
      key: string;
    };
    assert.equal(noLabel.label, null);
    assert.notEqual(noLabel.key, k.key);

    assert.equal((await balance(k.key)).status, 200, 'the new key authenticates');

    const listed = await admin('GET', '/users/shop/api-keys');
    assert.equal(listed.status, 200);
    const raw = await listed.text();
    assert.ok(!raw.includes(k.key) && !raw.includes(hashApiKey(k.key)), 'never the key nor its hash');
    const { apiKeys } = JSON.parse(raw) as {
      apiKeys: { id: number; label: string | null; createdAt: string }[];
    };
    assert.deepEqual(
      apiKeys.map((a) => [a.label, Object.keys(a).sort()]),
      [
        ['config', ['createdAt', 'id', 'label']],
        ['ci', ['createdAt', 'id', 'label']],
        [null, ['createdAt', 'id', 'label']],
      ],
    );
    assert.deepEqual(
      ((await (await admin('GET', '/users/other/api-keys')).json()) as { apiKeys: unknown[] }).apiKeys,
      [],
    );

    // Another user's key id is not theirs to revoke.
    const wrongUser = await admin('DELETE', `/users/other/api-keys/${k.id}`);
    assert.equal(wrongUser.status, 404);
    assert.equal(((await wrongUser.json()) as { code: string }).code, 'HERMOD_ERR_UNKNOWN_API_KEY');
    assert.equal((await balance(k.key)).status, 200, 'still valid (and now cached)');

    assert.equal((await admin('DELETE', `/users/shop/api-keys/${k.id}`)).status, 204);
    const refused = await balance(k.key);
    assert.equal(refused.status, 401, 'refused at once, not after the cache lapses');
    assert.equal(((await refused.json()) as { code: string }).code, 'HERMOD_ERR_UNAUTHORIZED');
    assert.equal((await balance(noLabel.key)).status, 200, 'the other keys still work');
    assert.deepEqual(
      ((await (await admin('GET', '/users/shop/api-keys')).json()) as { apiKeys: { id: number }[] }).apiKeys
        .map((a) => a.id)
        .includes(k.id),
      false,
    );

    const again = await admin('DELETE', `/users/shop/api-keys/${k.id}`);
    assert.equal(again.status, 404, 'revoked already');
    assert.match(String(again.headers.get('content-type')), /^application\/problem\+json/);
    for (const [method, path] of [
      ['POST', '/users/nobody/api-keys'],
      ['GET', '/users/nobody/api-keys'],
      ['DELETE', '/users/nobody/api-keys/1'],
    ] as const) {
      const r = await admin(method, path);
      assert.equal(r.status, 404, `${method} ${path}`);
      assert.equal(((await r.json()) as { code: string }).code, 'HERMOD_ERR_UNKNOWN_USER');
    }
    const bad = await admin('POST', '/users/shop/api-keys', { label: 'x', lable: 'typo' });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { code: string }).code, 'HERMOD_ERR_VALIDATION');
    assert.equal((await admin('DELETE', '/users/shop/api-keys/abc')).status, 400);
    assert.equal(
      (await fetch(`${base}/v1/admin/users/shop/api-keys`, { method: 'POST' })).status,
      401,
      'admin key required',
    );
  } finally {
    await h.stop();
  }
});
