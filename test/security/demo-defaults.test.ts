// Issue 13 item 10 (demo and shipped defaults): demo mode refuses a non-loopback bind, a
// loopback listener refuses other Host names (DNS rebinding), and the secrets Hermod
// publishes are refused outside demo mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { demoHermod } from '../support/hermod.js';
import { ConfigError, DEMO_ADMIN_KEY, loadConfig, parseConfig } from '../../src/config/index.js';

const pathsOf = (f: () => unknown): string[] => {
  try {
    f();
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.issues.map((i) => i.path);
  }
  return [];
};

test('item 10: demo mode refuses a non-loopback bind', () => {
  const env = { HERMOD_DATA_DIR: '/tmp/hermod-sec-demo' };
  assert.deepEqual(
    pathsOf(() => loadConfig({ ...env, HERMOD_BIND: '0.0.0.0' }, '/nonexistent')),
    ['HERMOD_BIND'],
  );
  for (const host of ['127.0.0.1', '127.0.0.5', '::1', 'localhost'])
    assert.equal(loadConfig({ ...env, HERMOD_BIND: host }, '/nonexistent').server.host, host);
});

test('item 10: the published placeholder secrets are refused outside demo mode', () => {
  const env = { HERMOD_DATA_DIR: '/tmp/hermod-sec-demo', HERMOD_ADMIN_KEY: 'change-this-admin-key-please' };
  const paths = pathsOf(() =>
    parseConfig(
      {
        admin: { keys: [DEMO_ADMIN_KEY] },
        users: [
          {
            username: 'shop',
            password: 'changeme',
            balance: 1,
            rate: 0.01,
            apiKeys: ['hk_compose_change_me_0000'],
          },
        ],
      },
      env,
      'test',
    ),
  );
  assert.deepEqual(paths.sort(), [
    'HERMOD_ADMIN_KEY',
    'admin.keys[0]',
    'users[0].apiKeys[0]',
    'users[0].password',
  ]);
  // The shipped deploy files hold none (docker compose demands HERMOD_ADMIN_KEY itself).
  const compose = readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8');
  assert.match(compose, /HERMOD_ADMIN_KEY: \$\{HERMOD_ADMIN_KEY:\?/);
  parseConfig(
    parse(readFileSync(new URL('../../deploy/hermod.yaml', import.meta.url), 'utf8')),
    {},
    'deploy',
  );
});

function getWithHost(port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port, path: '/healthz', headers: { host }, agent: false },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
  });
}

test('item 10: a loopback REST/admin listener answers only loopback Host names (DNS rebinding)', async () => {
  const h = await demoHermod();
  try {
    assert.equal(await getWithHost(h.apiPort, 'attacker.example'), 421);
    assert.equal(await getWithHost(h.apiPort, `attacker.example:${h.apiPort}`), 421);
    for (const host of [
      `localhost:${h.apiPort}`,
      `127.0.0.1:${h.apiPort}`,
      `[::1]:${h.apiPort}`,
      'LOCALHOST',
    ])
      assert.equal(await getWithHost(h.apiPort, host), 200, host);
  } finally {
    await h.stop();
  }
});
