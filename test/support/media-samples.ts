/** Small media files for MMS tests: bytes that sniffMediaType recognises. */

/** A 1×1 PNG. */
export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/** A 1×1 GIF. */
export const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** An ISO-BMFF box: its 32-bit size, its four-letter type, its body. */
function box(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.length, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, body]);
}

/** A version-0 `mvhd` (movie header): timescale 1000, duration 0, rate 1.0, volume 1.0, the unit matrix, next track 2. */
function mvhd(): Buffer {
  const b = Buffer.alloc(100);
  b.writeUInt32BE(1000, 12);
  b.writeUInt32BE(0x00010000, 20);
  b.writeUInt16BE(0x0100, 24);
  [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000].forEach((v, i) => b.writeUInt32BE(v, 36 + i * 4));
  b.writeUInt32BE(2, 96);
  return b;
}

/**
 * A minimal MP4 (148 bytes): an `ftyp` box (major brand isom; isom, iso2, avc1, mp41) and a
 * `moov` holding only its `mvhd` — no tracks, so nothing plays, but it is a well-formed file
 * that file-type (sniffMediaType) types video/mp4.
 */
export const MP4 = Buffer.concat([
  box(
    'ftyp',
    Buffer.concat([Buffer.from('isom'), Buffer.from([0, 0, 2, 0]), Buffer.from('isomiso2avc1mp41')]),
  ),
  box('moov', box('mvhd', mvhd())),
]);

/** The start of a JFIF file and its end marker: what makes bytes a JPEG to the sniffer. */
export const JPEG = Buffer.concat([
  Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex'),
  Buffer.alloc(64),
  Buffer.from('ffd9', 'hex'),
]);
