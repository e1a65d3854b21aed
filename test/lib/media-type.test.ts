// lib/media-type: the type comes from the bytes; a name or a declared type plays no part.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sniffMediaType } from '../../src/lib/media-type.js';
import { GIF, JPEG, MP3, MP4, PNG, SMIL } from '../mm7/media.js';

test('JPEG, PNG, GIF, MP4, MP3, SMIL and text are told by their bytes', async () => {
  const cases: [Uint8Array, string | undefined][] = [
    [JPEG, 'image/jpeg'],
    [PNG, 'image/png'],
    [GIF, 'image/gif'],
    [MP4, 'video/mp4'],
    [MP3, 'audio/mpeg'],
    [SMIL, 'application/smil'],
    [Buffer.from('Hello, wörld\r\n\tbye'), 'text/plain'],
    [Buffer.from(''), undefined],
    // Not UTF-8, or with control characters: not text, and nothing else either.
    [Buffer.from([0xc3, 0x28, 0x41]), undefined],
    [Buffer.from('text\u0000with a NUL'), undefined],
  ];
  for (const [bytes, mime] of cases)
    assert.equal((await sniffMediaType(bytes)).mime, mime, Buffer.from(bytes).toString('latin1', 0, 12));
});
