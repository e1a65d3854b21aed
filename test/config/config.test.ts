import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, parseConfig } from '../../src/config/index.js';

function issues(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
  assert.fail('no ConfigError');
}

test('no file: the demo configuration, listening on 127.0.0.1, overridable by environment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hermod-cfg-'));
  const c = loadConfig({ HERMOD_DATA_DIR: dir, HERMOD_SMPP_PORT: '2776' }, dir);
  assert.equal(c.demo, true);
  assert.equal(c.server.host, '127.0.0.1');
  assert.equal(c.server.smppPort, 2776);
  assert.deepEqual(c.store, { type: 'sqlite', path: join(dir, 'hermod.db'), synchronous: 'NORMAL' });
  const pgc = loadConfig({ HERMOD_DATA_DIR: dir, HERMOD_DATABASE_URL: 'postgres://u@db/hermod' }, dir);
  assert.deepEqual(pgc.store, { type: 'postgres', url: 'postgres://u@db/hermod', schema: 'hermod' });
  assert.deepEqual(c.users.map((u) => u.username), ['demo']);
  assert.deepEqual(c.connectors.map((x) => [x.id, x.type]), [['sim', 'simulator']]);
  const up = loadConfig({ HERMOD_DATA_DIR: dir, HERMOD_UPSTREAM_SMPP: 'smsc.example:2775' }, dir);
  assert.deepEqual(up.connectors.map((x) => [x.id, x.type]), [['upstream', 'smpp']]);
});

test('a YAML file: the seed’s three providers by prefix with failover and least cost', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hermod-cfg-'));
  const file = join(dir, 'hermod.yaml');
  writeFileSync(
    file,
    `server: { host: 0.0.0.0, smppPort: 2775 }
users:
  - { username: shop, password: s3cret, balance: 50, rate: 0.05 }
connectors:
  - { id: italysmpp, type: smpp, host: 193.37.38.46, port: 9900, systemId: hermod, password: pw }
  - { id: francesmpp, type: smpp, host: 10.0.0.2, port: 2775, systemId: hermod, window: 50, throughput: 100 }
  - { id: germanysmpp, type: smpp, host: 10.0.0.3, port: 2775, systemId: hermod }
  - { id: backup, type: simulator }
routes:
  - { name: italy, prefixes: ["39"], type: static, connectors: [italysmpp] }
  - { name: france, prefixes: ["+33"], type: failover, connectors: [francesmpp, backup] }
  - { name: germany, prefixes: ["49"], type: leastcost, connectors: [germanysmpp, backup], costs: { germanysmpp: { "49": 0.02 }, backup: { "49": 0.03 } } }
`,
  );
  const c = loadConfig({ HERMOD_CONFIG: file, HERMOD_DATA_DIR: dir }, dir);
  assert.equal(c.demo, false);
  assert.equal(c.server.host, '0.0.0.0');
  assert.deepEqual(c.routes.map((r) => [r.name, r.type, r.prefixes.join()]), [['italy', 'static', '39'], ['france', 'failover', '33'], ['germany', 'leastcost', '49']]);
  const fr = c.connectors.find((x) => x.id === 'francesmpp');
  assert.equal(fr?.type === 'smpp' && fr.window, 50);
});

test('every mistake is reported with its key path, all at once', () => {
  const found = issues(() =>
    parseConfig({
      server: { smppPort: 'abc' },
      users: [{ username: 'a', password: 'much-too-long' }, { username: 'a', password: 'x' }],
      connectors: [{ id: 'k', type: 'smpp', host: 'h', port: 70000, systemId: 's', windw: 5 }, { id: 'z', type: 'carrier-pigeon' }],
      routes: [{ name: 'r', type: 'static', connectors: ['nope', 'k'] }, { name: 'lcr', type: 'leastcost', connectors: ['k'] }],
    }),
  );
  const expect = [
    'server.smppPort: expected an integer 0..65535, got "abc"',
    'users[0].password: at most 8 characters (SMPP 3.4 password field)',
    'users[1].username: duplicate user "a"',
    'connectors[0].windw: unknown key (did you mean "window"?)',
    'connectors[0].port: expected an integer 1..65535, got 70000',
    'connectors[1].type: expected one of simulator, smpp, got "carrier-pigeon"',
    'routes[0].connectors[0]: unknown connector "nope"',
    'routes[0].connectors: a static route has exactly one connector (use failover, roundrobin or leastcost)',
    'routes[1].costs: a leastcost route needs a cost table per connector',
  ];
  for (const e of expect) assert.ok(found.includes(e), `missing: ${e}\nfound:\n${found.join('\n')}`);
});

test('a bad environment override names the variable; bad YAML names the file', () => {
  assert.deepEqual(issues(() => loadConfig({ HERMOD_SMPP_PORT: '99999' }, '/nonexistent')), ['HERMOD_SMPP_PORT: expected an integer 0..65535, got "99999"']);
  const dir = mkdtempSync(join(tmpdir(), 'hermod-cfg-'));
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, 'users: [ {');
  const [msg] = issues(() => loadConfig({ HERMOD_CONFIG: file }, dir));
  assert.ok(msg.startsWith(file), msg);
});

test('hermod.example.yaml is valid', () => {
  const file = new URL('../../hermod.example.yaml', import.meta.url).pathname;
  const c = loadConfig({ HERMOD_CONFIG: file }, '/nonexistent');
  assert.deepEqual(c.routes.map((r) => r.name), ['italy', 'france', 'germany', 'default']);
  assert.deepEqual(c.moRoutes, [{ prefixes: ['12345'], user: 'shop' }]);
});
