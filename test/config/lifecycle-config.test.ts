// `retention` and `backup` (issue 21): off by default, each mistake named by its key path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseConfig } from '../../src/config/index.js';

const issues = (doc: unknown): string[] => {
  try {
    parseConfig(doc, { HERMOD_DATA_DIR: '/var/lib/hermod' }, 'test', true);
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
};

test('retention and backup: off by default; values; mistakes named by key path', () => {
  const c = parseConfig({}, { HERMOD_DATA_DIR: '/var/lib/hermod' }, 'test', true);
  assert.deepEqual(c.retention, {
    redactAfterDays: 0,
    deleteAfterDays: 0,
    batchRows: 1000,
    pauseMs: 50,
    intervalS: 600,
    archive: null,
  });
  assert.deepEqual(c.backup, { intervalHours: 0, dir: '/var/lib/hermod/backups', keep: 7 });
  const set = parseConfig(
    {
      retention: { redactAfterDays: 30, deleteAfterDays: 90, archive: { dir: '/archive' } },
      backup: { intervalHours: 24, dir: '/backups', keep: 3 },
    },
    {},
    'test',
    true,
  );
  assert.equal(set.retention.deleteAfterDays, 90);
  assert.deepEqual(set.retention.archive, { dir: '/archive' });
  assert.deepEqual(set.backup, { intervalHours: 24, dir: '/backups', keep: 3 });
  assert.deepEqual(
    issues({
      retention: {
        redactAfterDays: 30,
        deleteAfterDays: 7,
        batchRows: 0,
        pauseMs: 'x',
        intervalS: -1,
        archive: true,
      },
      backup: { intervalHours: -1, keep: 0, dir: '' },
    }),
    [
      'retention.deleteAfterDays: must be at least redactAfterDays (30): a message is redacted before it is deleted',
      'retention.batchRows: expected an integer 1..100000, got 0',
      'retention.pauseMs: expected an integer 0..60000, got "x"',
      'retention.intervalS: expected a number 1..86400, got -1',
      'retention.archive: expected a mapping, got true',
      'backup.intervalHours: expected a number 0..8760, got -1',
      'backup.dir: expected a non-empty string, got ""',
      'backup.keep: expected an integer 1..1000, got 0',
    ],
  );
});

test('erasure.pepper: none by default; from the file or HERMOD_ERASURE_PEPPER (which wins); at least 16 characters', () => {
  assert.equal(parseConfig({}, {}, 'test', true).erasure.pepper, null);
  const pepper = 'p'.repeat(16);
  assert.equal(parseConfig({ erasure: { pepper } }, {}, 'test', true).erasure.pepper, pepper);
  assert.equal(
    parseConfig({ erasure: { pepper } }, { HERMOD_ERASURE_PEPPER: 'e'.repeat(20) }, 'test', true).erasure
      .pepper,
    'e'.repeat(20),
  );
  assert.deepEqual(issues({ erasure: { pepper: 'short', salt: 1 } }), [
    'erasure.salt: unknown key',
    'erasure.pepper: must be at least 16 characters (a random secret)',
  ]);
});
