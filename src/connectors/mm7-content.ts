/**
 * An MMS's content both ways between Hermod and MM7: a message's media and text → the parts
 * of a SubmitReq (with a SMIL presentation generated when the media bring none), and an
 * inbound DeliverReq's parts → its text and its attachments. Pure: bytes in, values out.
 */
import type { Attachment, Mm7Address, Mm7Content } from '../mm7/index.js';

/** One media item with its bytes, in the order the message names them. */
export interface MediaPart {
  contentType: string;
  bytes: Buffer;
  filename?: string;
}

const SMIL = 'application/smil';

/** A Content-Type without its parameters, lower case. */
export function baseType(contentType: string): string {
  return contentType.split(';')[0].trim().toLowerCase();
}

/** The SMIL element that shows a part of this type (SMIL 2.0 media objects). */
function smilElement(contentType: string): 'img' | 'video' | 'audio' | 'text' | 'ref' {
  const t = baseType(contentType);
  if (t.startsWith('image/')) return 'img';
  if (t.startsWith('video/')) return 'video';
  if (t.startsWith('audio/')) return 'audio';
  if (t.startsWith('text/')) return 'text';
  return 'ref';
}

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'video/mp4': 'mp4',
  'video/3gpp': '3gp',
  'audio/mpeg': 'mp3',
  'audio/amr': 'amr',
  'text/plain': 'txt',
};

/** A Content-Location: the item's own name when it is a plain file name, else one made up. */
export function locationOf(item: Pick<MediaPart, 'contentType' | 'filename'>, n: number): string {
  if (item.filename && /^[\w.-]{1,64}$/.test(item.filename)) return item.filename;
  return `media${n}.${EXTENSIONS[baseType(item.contentType)] ?? 'bin'}`;
}

const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * The SMIL presentation MMS clients expect (OMA MMS conformance's layout: an Image region
 * above a Text region): one slide per media item, the text on the last slide (a slide of
 * its own when there is no media).
 */
export function generateSmil(media: readonly Attachment[], text: Attachment | undefined): string {
  const slides: string[][] = media.map((a) => {
    const el = smilElement(a.contentType);
    const region = el === 'text' ? ' region="Text"' : el === 'audio' ? '' : ' region="Image"';
    return [`<${el} src="cid:${escapeXml(a.contentId!)}"${region}/>`];
  });
  if (text) {
    const t = `<text src="cid:${escapeXml(text.contentId!)}" region="Text"/>`;
    if (slides.length === 0) slides.push([t]);
    else slides[slides.length - 1].push(t);
  }
  return [
    '<smil>',
    '<head>',
    '<layout>',
    '<root-layout width="100%" height="100%"/>',
    '<region id="Image" left="0" top="0" width="100%" height="70%" fit="meet"/>',
    '<region id="Text" left="0" top="70%" width="100%" height="30%" fit="scroll"/>',
    '</layout>',
    '</head>',
    '<body>',
    ...slides.map((s) => `<par dur="5000ms">${s.join('')}</par>`),
    '</body>',
    '</smil>',
  ].join('\r\n');
}

/**
 * A SubmitReq's content: the media (Content-IDs `media1`…), the text as a UTF-8
 * text/plain part (`text`), and a presentation: the media's own SMIL when one of them is
 * SMIL, else one generated (`presentation`).
 */
export function submitContent(media: readonly MediaPart[], text: string): Mm7Content {
  const parts: Attachment[] = media.map((item, i) => ({
    contentType: item.contentType,
    contentId: `media${i + 1}`,
    contentLocation: locationOf(item, i + 1),
    bytes: item.bytes,
  }));
  const own = parts.find((p) => baseType(p.contentType) === SMIL);
  const textPart: Attachment | undefined =
    text === ''
      ? undefined
      : {
          contentType: 'text/plain; charset=utf-8',
          contentId: 'text',
          contentLocation: 'text.txt',
          bytes: Buffer.from(text, 'utf8'),
        };
  if (textPart) parts.push(textPart);
  if (own) return { parts, start: own.contentId };
  const smil = generateSmil(
    parts.filter((p) => p !== textPart),
    textPart,
  );
  return {
    parts: [
      {
        contentType: SMIL,
        contentId: 'presentation',
        contentLocation: 'presentation.smil',
        bytes: Buffer.from(smil, 'utf8'),
      },
      ...parts,
    ],
    start: 'presentation',
  };
}

/** The text of a text/* part in its declared charset (UTF-8 when none or unknown). */
function textOf(a: Attachment): string {
  const charset = /charset\s*=\s*"?([^";\s]+)"?/i.exec(a.contentType)?.[1] ?? 'utf-8';
  try {
    return new TextDecoder(charset).decode(a.bytes);
  } catch {
    return new TextDecoder('utf-8').decode(a.bytes); // a label TextDecoder does not know: read it as UTF-8
  }
}

/** An inbound MMS's content: its text parts joined (one per line) and its other non-SMIL parts. */
export function splitInbound(content: Mm7Content | undefined): { text: string; attachments: Attachment[] } {
  const texts: string[] = [];
  const attachments: Attachment[] = [];
  for (const part of content?.parts ?? []) {
    const t = baseType(part.contentType);
    if (t === SMIL) continue;
    if (t === 'text/plain') texts.push(textOf(part).trim());
    else attachments.push(part);
  }
  return { text: texts.filter((t) => t !== '').join('\n'), attachments };
}

/** A part's file name: its Content-Location when that is a plain name. */
export function filenameOf(a: Attachment): string | undefined {
  const name = a.contentLocation?.split('/').pop();
  return name && /^[\w .()-]{1,128}$/.test(name) ? name : undefined;
}

/** An MM7 address as Hermod writes numbers: digits without '+' or a `/TYPE=PLMN` suffix. */
export function addressDigits(a: Mm7Address): string {
  return a.value
    .replace(/\/TYPE=.*$/i, '')
    .replace(/^\+/, '')
    .trim();
}

/** A Hermod source or destination as an MM7 address: long digit strings are numbers, the rest short codes. */
export function mm7Address(value: string): Mm7Address {
  const digits = value.replace(/^\+/, '');
  return /^\d{7,15}$/.test(digits) ? { kind: 'number', value: `+${digits}` } : { kind: 'shortCode', value };
}
