// The account's default country (users[].defaults.country) and the engine's import limits
// (engine.imports): defaults, values, and mistakes named by their key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseConfig } from '../../src/config/index.js';
import { userSettings } from '../../src/domain/index.js';

function issues(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
  assert.fail('no ConfigError');
}

test('users[].defaults.country and engine.imports: defaults, values, mistakes named', () => {
  const d = parseConfig({});
  assert.deepEqual(d.engine, { imports: { maxBytes: 50 * 1024 * 1024, batchRows: 2000 } });
  const c = parseConfig({
    users: [{ username: 'clinic', password: 'pw', defaults: { country: 'GB', sourceAddr: 'Clinic' } }],
    engine: { imports: { maxBytes: 1_000_000, batchRows: 500 } },
  });
  assert.deepEqual(c.users[0].settings.defaults, { sourceAddr: 'Clinic', country: 'GB' });
  assert.deepEqual(c.engine.imports, { maxBytes: 1_000_000, batchRows: 500 });
  const bad = issues(() =>
    parseConfig({
      users: [{ username: 'clinic', password: 'pw', defaults: { country: 'gb' } }],
      engine: { imports: { maxBytes: 10, batchRows: 0, speed: 1 } },
    }),
  );
  assert.ok(
    bad.some((i) => /^users\[0\]\.defaults\.country: expected an ISO 3166 alpha-2/.test(i)),
    bad.join('\n'),
  );
  assert.ok(
    bad.some((i) => i.startsWith('engine.imports.maxBytes: ')),
    bad.join('\n'),
  );
  assert.ok(
    bad.some((i) => i.startsWith('engine.imports.batchRows: ')),
    bad.join('\n'),
  );
  assert.ok(
    bad.some((i) => i.includes('speed')),
    bad.join('\n'),
  );

  // The stored settings: country defaults to null, and is checked.
  assert.equal(userSettings({}).defaults.country, null);
  assert.equal(userSettings({ defaults: { country: 'DE' } }).defaults.country, 'DE');
  assert.throws(
    () => userSettings({ defaults: { country: 'ZZ' } }),
    /defaults\.country must be null or an ISO 3166/,
  );
});
