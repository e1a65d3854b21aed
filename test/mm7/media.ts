// Small media files for MM7 tests: the first bytes of each format (what a sniffer reads)
// followed by filler, so each is recognised by its magic number as a real file would be.
import { Buffer } from 'node:buffer';

const filler = (n: number, seed: number) =>
  Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));

/** JPEG/JFIF: SOI, APP0 "JFIF" (ITU T.81, JFIF 1.02). */
export const JPEG = Buffer.concat([
  Buffer.from([
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00,
    0x01, 0x00, 0x00,
  ]),
  filler(20_000, 1),
  Buffer.from([0xff, 0xd9]),
]);

/** MP4: an ftyp box with brand isom (ISO/IEC 14496-12 §4.3). */
export const MP4 = Buffer.concat([
  Buffer.from([0x00, 0x00, 0x00, 0x18]),
  Buffer.from('ftypisom'),
  Buffer.from([0x00, 0x00, 0x02, 0x00]),
  Buffer.from('isomiso2'),
  filler(60_000, 2),
]);

/** MP3: an empty ID3v2.3 tag, then an MPEG-1 Layer III frame header (128 kbit/s, 44.1 kHz). */
export const MP3 = Buffer.concat([
  Buffer.from('ID3'),
  Buffer.from([0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]),
  Buffer.from([0xff, 0xfb, 0x90, 0x64]),
  // Zeros: arbitrary bytes here can look like another format's header to the sniffer.
  Buffer.alloc(8_000),
]);

/** PNG: signature and an IHDR chunk header. */
export const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]),
  Buffer.from('IHDR'),
  filler(5_000, 4),
]);

export const GIF = Buffer.concat([Buffer.from('GIF89a'), filler(3_000, 5)]);

export const SMIL = Buffer.from(
  '<smil><head><layout><root-layout/><region id="Image"/><region id="Text"/></layout></head>' +
    '<body><par dur="5s"><img src="cid:photo" region="Image"/><audio src="cid:tune"/><text src="cid:words" region="Text"/></par></body></smil>',
);
