// The `media:` block (docs/configuration.md): defaults, HERMOD_MEDIA_KEY, mistakes by key path;
// simulator `mms`, route `mmsRate`/`mmsFallback` and an account's `defaults.mmsFallback`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, parseConfig } from '../../src/config/index.js';
import { signingKeyIn } from '../../src/compose/store.js';

const base = {
  users: [
    { username: 'shop', password: 'pw', balance: 1, rate: 0.01, defaults: { mmsFallback: 'sms_link' } },
  ],
  connectors: [{ id: 'mms', type: 'simulator', mms: true }],
  routes: [{ name: 'r', type: 'static', connectors: ['mms'], mmsRate: 0.05, mmsFallback: 'refuse' }],
};

function issues(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
  assert.fail('no ConfigError');
}

test('media defaults: 5 MiB per file and per message, 10 items, refuse, 4×, publicUrl from the API listener', () => {
  const c = parseConfig(base, { HERMOD_API_PORT: '8088', HERMOD_BIND: '0.0.0.0' }, 'test');
  assert.deepEqual(c.media, {
    dir: null,
    publicUrl: 'http://127.0.0.1:8088',
    publicUrlSet: false,
    signingKey: null,
    maxFileBytes: 5 * 1024 * 1024,
    maxMessageBytes: 5 * 1024 * 1024,
    maxItems: 10,
    fetchDeadlineS: 15,
    urlTtlS: 3600,
    linkTtlS: 604_800,
    retentionDays: 30,
    mmsFallback: 'refuse',
    mmsPriceFactor: 4,
  });
  assert.equal(c.connectors[0].type === 'simulator' && c.connectors[0].mms, true);
  assert.equal(c.routes[0].mmsRate, 0.05);
  assert.equal(c.routes[0].mmsFallback, 'refuse');
  assert.equal(c.users[0].settings.defaults?.mmsFallback, 'sms_link');
});

test('media settings from the file, the key from HERMOD_MEDIA_KEY over the file', () => {
  const c = parseConfig(
    {
      ...base,
      media: {
        dir: '/srv/media',
        publicUrl: 'https://mms.example.com/',
        signingKey: 'file-key-0123456789',
        maxFileBytes: 1000,
        mmsFallback: 'sms_link',
        mmsPriceFactor: 3,
      },
    },
    { HERMOD_MEDIA_KEY: 'env-key-0123456789abcdef' },
    'test',
  );
  assert.equal(c.media.publicUrl, 'https://mms.example.com');
  assert.equal(c.media.publicUrlSet, true, 'written: the provider connectors’ default hookBaseUrl');
  assert.equal(c.media.signingKey, 'env-key-0123456789abcdef');
  assert.equal(c.media.dir, '/srv/media');
  assert.equal(c.media.maxFileBytes, 1000);
  assert.equal(c.media.mmsFallback, 'sms_link');
  assert.equal(c.media.mmsPriceFactor, 3);
});

test('media mistakes are named by key path', () => {
  const found = issues(() =>
    parseConfig(
      {
        ...base,
        users: [{ username: 'shop', password: 'pw', defaults: { mmsFallback: 'email' } }],
        routes: [{ name: 'r', type: 'static', connectors: ['mms'], mmsFallback: 'maybe', mmsRate: -1 }],
        media: { publicUrl: 'ftp://x', signingKey: 'short', maxItems: 0, mmsFallback: 'nope', sizeCap: 1 },
      },
      {},
      'test',
    ),
  );
  for (const e of [
    'media.publicUrl: expected an http(s) base URL, got "ftp://x"',
    'media.signingKey: at least 16 characters',
    'media.sizeCap: unknown key',
  ])
    assert.ok(found.includes(e), `missing: ${e}\nfound:\n${found.join('\n')}`);
  for (const path of [
    'media.maxItems',
    'media.mmsFallback',
    'routes[0].mmsFallback',
    'routes[0].mmsRate',
    'users[0].defaults.mmsFallback',
  ])
    assert.ok(
      found.some((f) => f.startsWith(`${path}:`)),
      `missing ${path}\nfound:\n${found.join('\n')}`,
    );
});

test('the signing key kept in the media directory is made once and read back the same', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'hermod-key-')), 'media');
  const a = signingKeyIn(dir);
  assert.match(a, /^[0-9a-f]{64}$/);
  assert.equal(signingKeyIn(dir), a);
  assert.equal(readFileSync(join(dir, '.signing-key'), 'utf8'), a);
});
