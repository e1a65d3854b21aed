// `hermod config check --store`: the file is checked together with what the store holds
// (connectors and routes changed through the admin API win over the file at start), so a
// file whose route names a connector the admin API removed is caught before a start fails
// on it; the check writes nothing. Without a store yet it says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startHermod } from '../../src/compose/index.js';
import { loadConfig } from '../../src/config/index.js';
import Database from 'better-sqlite3';
import { newMessageId } from '../../src/domain/index.js';
import { SqliteStore } from '../../src/store/index.js';
import { hermod, json, ok } from '../support/cli.js';

const FILE = (routeTo: string) =>
  `users:\n  - { username: shop, password: pw, balance: 5 }\nconnectors:\n  - { id: sim, type: simulator }\n  - { id: old, type: simulator }\nroutes:\n  - { name: default, connectors: [${routeTo}] }\n`;

test('hermod config check --store: the store’s admin changes are checked with the file, nothing is written; no store yet is said', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hermod-cfgstore-'));
  const file = join(dir, 'hermod.yaml');
  writeFileSync(file, FILE('sim'));
  const env = { HERMOD_DATA_DIR: dir };

  const fresh = await hermod(['config', 'check', file, '--store'], env);
  assert.match(ok(fresh, 'no store yet').stdout, /no store yet/);

  // A first start seeds the store; then "old" is removed as the admin API removes it.
  const h = await startHermod(
    loadConfig(
      {
        HERMOD_CONFIG: file,
        HERMOD_DATA_DIR: dir,
        HERMOD_SMPP_PORT: '0',
        HERMOD_HTTP_PORT: '0',
        HERMOD_API_PORT: '0',
      },
      dir,
    ),
    { logger: pino({ level: 'silent' }) },
  );
  await h.stop();
  const db = join(dir, 'hermod.db');
  let store = new SqliteStore(db);
  await store.putConnectorDefinition('old', null, 'api');
  const routesBefore = await store.getRouteDefinitions();
  // A message a running gateway holds (leased): a check beside it must not free it.
  const shop = (await store.getUserByName('shop'))!;
  const held = newMessageId();
  await store.accept({
    id: held,
    userId: shop.id,
    systemId: 'shop',
    source: 'Shop',
    destination: '447700900123',
    esmClass: 0,
    dataCoding: 0,
    body: Buffer.from('held'),
    registeredDelivery: 0,
    priority: 0,
    connectorId: 'sim',
    priceMicros: 0,
  });
  assert.equal((await store.claim('sim', 10, 3_600_000)).length, 1);
  await store.close();
  const lease = () => {
    const raw = new Database(db, { readonly: true });
    try {
      return (
        raw.prepare('SELECT lease_until FROM queue WHERE message_id = ?').get(held) as { lease_until: number }
      ).lease_until;
    } finally {
      raw.close();
    }
  };
  const leasedUntil = lease();
  assert.ok(leasedUntil > Date.now());

  const good = await hermod(['config', 'check', file, '--store'], env);
  assert.match(
    ok(good, 'store ok').stdout,
    /1 connectors, 1 MT routes, 0 MO routes would run; the admin API's changes win over the file for connector "old" \(removed\)/,
  );
  const goodJson = json<{ store: { connectors: number; overridden: string[] } }>(
    ok(await hermod(['config', 'check', file, '--store', '--json'], env), 'store ok --json'),
  );
  assert.deepEqual(
    [goodJson.store.connectors, goodJson.store.overridden],
    [1, ['connector "old" (removed)']],
  );

  // The file now routes through "old": fine on its own, not with the store.
  writeFileSync(file, FILE('old'));
  assert.equal((await hermod(['config', 'check', file], env)).code, 0, 'the file alone is valid');
  const bad = await hermod(['config', 'check', file, '--store'], env);
  assert.equal(bad.code, 1);
  assert.match(
    bad.stderr,
    /routes\[0\]\.connectors\[0\]: unknown connector "old" \(routes of the file; connectors removed through the admin API stay removed\)/,
  );

  assert.equal(lease(), leasedUntil, 'the running gateway’s lease is left alone');
  store = new SqliteStore(db);
  try {
    assert.deepEqual(await store.getRouteDefinitions(), routesBefore, 'the check wrote nothing');
    assert.deepEqual(
      (await store.listConnectorDefinitions()).map((c) => [c.id, c.definition === null]),
      [
        ['sim', false],
        ['old', true],
      ],
    );
  } finally {
    await store.close();
  }
});
