import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaLibrary } from '../../src/gateway/index.js';
import { FileMediaBlobs, SqliteStore, sha256Of } from '../../src/store/index.js';
import { MEDIA_ID } from '../../src/domain/index.js';
import { hasCode } from '../../src/lib/errors.js';

/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

function library(maxFileBytes?: number) {
  const dir = mkdtempSync(join(tmpdir(), 'hermod-media-'));
  const store = new SqliteStore(join(dir, 'hermod.db'));
  const blobs = new FileMediaBlobs(join(dir, 'media'));
  const media = new MediaLibrary(store, blobs, maxFileBytes !== undefined ? { maxFileBytes } : {});
  return { dir, store, blobs, media };
}

test('put types the bytes by their content, stores them once under their hash, and get returns them', async () => {
  const { store, dir, media } = library();
  try {
    const a = await media.put(PNG, { userId: 1, filename: 'dot.jpg' });
    assert.match(a.id, MEDIA_ID);
    assert.deepEqual(
      { ...a, id: '' },
      { id: '', contentType: 'image/png', size: PNG.length, filename: 'dot.jpg' },
    );
    const b = await media.put(PNG, { userId: 2 });
    assert.notEqual(a.id, b.id, 'each upload is its own item');
    const sha = sha256Of(PNG);
    assert.deepEqual(readdirSync(join(dir, 'media', sha.slice(0, 2))), [sha], 'one file for both');
    const got = await media.get(a.id, { userId: 1 });
    assert.deepEqual(got.bytes, PNG);
    assert.equal(got.media.userId, 1);
  } finally {
    await store.close();
  }
});

test("another account's item, an unknown id and a missing blob are all 'not found'", async () => {
  const { store, blobs, media } = library();
  try {
    const a = await media.put(PNG, { userId: 1 });
    for (const [id, userId] of [
      [a.id, 2],
      ['med_AAAAAAAAAAAAAAAAAAAAAAAA', 1],
    ] as const)
      await assert.rejects(media.get(id, { userId }), (e) => hasCode(e, 'HERMOD_ERR_MEDIA_NOT_FOUND'));
    await blobs.delete(sha256Of(PNG));
    await assert.rejects(media.get(a.id), (e) => hasCode(e, 'HERMOD_ERR_MEDIA_NOT_FOUND'));
  } finally {
    await store.close();
  }
});

test('bytes of no media type, of a type MMS cannot carry, or past the size cap are refused with their code', async () => {
  const { store, media } = library(PNG.length - 1);
  try {
    await assert.rejects(media.put(PNG, { userId: 1 }), (e: Error & { httpStatus?: number }) => {
      assert.ok(hasCode(e, 'HERMOD_ERR_MEDIA_TOO_LARGE'));
      assert.equal(e.httpStatus, 413);
      return true;
    });
    await assert.rejects(
      media.put(Buffer.from([0, 1, 2, 3, 0xff]), { userId: 1 }),
      (e: Error & { httpStatus?: number }) => {
        assert.ok(hasCode(e, 'HERMOD_ERR_MEDIA_TYPE'));
        assert.equal(e.httpStatus, 415);
        return true;
      },
    );
    // A PDF is a type file-type knows, but not one an MMS carries.
    const pdf = Buffer.from(
      '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n',
      'latin1',
    );
    await assert.rejects(media.put(pdf, { userId: 1 }), (e) => hasCode(e, 'HERMOD_ERR_MEDIA_TYPE'));
  } finally {
    await store.close();
  }
});

test('fetch downloads through the guard, follows a redirect, and refuses private addresses, errors and oversize', async () => {
  const { createServer } = await import('node:http');
  const { UrlGuard } = await import('../../src/gateway/index.js');
  const server = createServer((req, res) => {
    if (req.url === '/dot.png') res.end(PNG);
    else if (req.url === '/moved') res.writeHead(302, { location: '/dot.png' }).end();
    else if (req.url === '/big') res.end(Buffer.alloc(PNG.length * 4, 1));
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const dir = mkdtempSync(join(tmpdir(), 'hermod-media-'));
  const store = new SqliteStore(join(dir, 'hermod.db'));
  const blobs = new FileMediaBlobs(join(dir, 'media'));
  const open = new MediaLibrary(store, blobs, {
    guard: new UrlGuard({ allowPrivateNetworks: true }),
    maxFileBytes: PNG.length * 2,
  });
  const strict = new MediaLibrary(store, blobs, { guard: new UrlGuard() });
  try {
    const a = await open.fetch(`${base}/moved`, { userId: 7 });
    assert.equal(a.contentType, 'image/png');
    assert.equal(a.filename, 'dot.png', 'named after the last URL');
    assert.deepEqual((await open.get(a.id, { userId: 7 })).bytes, PNG);
    await assert.rejects(strict.fetch(`${base}/dot.png`, { userId: 7 }), (e) =>
      hasCode(e, 'HERMOD_ERR_MEDIA_FETCH'),
    );
    await assert.rejects(open.fetch(`${base}/nothing`, { userId: 7 }), /HTTP 404/);
    await assert.rejects(open.fetch(`${base}/big`, { userId: 7 }), (e) =>
      hasCode(e, 'HERMOD_ERR_MEDIA_TOO_LARGE'),
    );
    await assert.rejects(open.fetch('file:///etc/passwd', { userId: 7 }), (e) =>
      hasCode(e, 'HERMOD_ERR_MEDIA_FETCH'),
    );
  } finally {
    server.close();
    await store.close();
  }
});

test('a signed URL verifies until it expires, and not for another id or a changed signature', async () => {
  const { store, blobs } = library();
  let now = 1_800_000_000_000;
  const media = new MediaLibrary(store, blobs, {
    signing: { key: 'k'.repeat(32), baseUrl: 'https://mms.example.com/' },
    now: () => now,
  });
  try {
    const url = new URL(media.signedUrl('med_AAAAAAAAAAAAAAAAAAAAAAAA', 60));
    assert.equal(url.origin + url.pathname, 'https://mms.example.com/media/med_AAAAAAAAAAAAAAAAAAAAAAAA');
    const expires = Number(url.searchParams.get('expires'));
    const sig = url.searchParams.get('signature')!;
    assert.equal(media.verifySignature('med_AAAAAAAAAAAAAAAAAAAAAAAA', expires, sig), true);
    assert.equal(media.verifySignature('med_BBBBBBBBBBBBBBBBBBBBBBBB', expires, sig), false);
    assert.equal(media.verifySignature('med_AAAAAAAAAAAAAAAAAAAAAAAA', expires + 1, sig), false);
    assert.equal(
      media.verifySignature(
        'med_AAAAAAAAAAAAAAAAAAAAAAAA',
        expires,
        sig.replace(/^./, (c) => (c === '0' ? '1' : '0')),
      ),
      false,
    );
    now += 61_000;
    assert.equal(media.verifySignature('med_AAAAAAAAAAAAAAAAAAAAAAAA', expires, sig), false, 'expired');
  } finally {
    await store.close();
  }
});

test("resolve takes the account's upload ids and refuses another's, too many items and too many bytes together", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hermod-media-'));
  const store = new SqliteStore(join(dir, 'hermod.db'));
  const media = new MediaLibrary(store, new FileMediaBlobs(join(dir, 'media')), {
    maxItems: 2,
    maxMessageBytes: PNG.length * 2 - 1,
  });
  try {
    const a = await media.put(PNG, { userId: 1 });
    const b = await media.put(PNG, { userId: 1 });
    assert.deepEqual(await media.resolve([a.id], { userId: 1 }), [a]);
    await assert.rejects(media.resolve([a.id], { userId: 2 }), (e) =>
      hasCode(e, 'HERMOD_ERR_MEDIA_NOT_FOUND'),
    );
    await assert.rejects(media.resolve([a.id, b.id, a.id], { userId: 1 }), /3 media items, at most 2/);
    await assert.rejects(media.resolve([a.id, b.id], { userId: 1 }), /add up to/);
    await assert.rejects(media.resolve(['https://example.com/x.png'], { userId: 1 }), (e) =>
      hasCode(e, 'HERMOD_ERR_MEDIA_FETCH'),
    );
  } finally {
    await store.close();
  }
});

test('purge deletes items past the retention and their bytes once no item references them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hermod-media-'));
  const store = new SqliteStore(join(dir, 'hermod.db'));
  let now = 1_000_000;
  const media = new MediaLibrary(store, new FileMediaBlobs(join(dir, 'media')), { now: () => now });
  try {
    const old = await media.put(PNG, { userId: 1 });
    now += 10_000;
    const young = await media.put(PNG, { userId: 1 });
    assert.equal(await media.purge(5_000), 1);
    await assert.rejects(media.get(old.id), (e) => hasCode(e, 'HERMOD_ERR_MEDIA_NOT_FOUND'));
    assert.deepEqual((await media.get(young.id)).bytes, PNG, 'the bytes stay while an item names them');
    now += 10_000;
    assert.equal(await media.purge(5_000), 1);
    assert.equal(await media.blobs.get(sha256Of(PNG)), undefined, 'no item left: the bytes go');
  } finally {
    await store.close();
  }
});
