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
