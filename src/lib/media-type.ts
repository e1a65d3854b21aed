/**
 * The media type of some bytes, from the bytes (magic numbers), never from a name or a
 * declared Content-Type: file-type recognises the binary formats (JPEG, PNG, GIF, MP4, MP3,
 * 3GPP, …); text is recognised here (valid UTF-8 without control characters), and SMIL by
 * its root element. Not in lib/index.ts: only what imports this file loads file-type
 * (the SMPP library's package stays free of dependencies).
 */
import { fileTypeFromBuffer } from 'file-type';

export interface SniffedType {
  /** The media type, e.g. image/jpeg; undefined when the bytes are not recognised. */
  readonly mime: string | undefined;
  /** The usual file extension, without the dot. */
  readonly ext: string | undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function isText(bytes: Uint8Array): boolean {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return false;
  }
  // Tab, line feed and carriage return are text; other C0 controls and DEL are not.
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return false;
  }
  return true;
}

export async function sniffMediaType(bytes: Uint8Array): Promise<SniffedType> {
  const found = await fileTypeFromBuffer(bytes);
  if (found) return { mime: found.mime, ext: found.ext };
  if (bytes.length === 0 || !isText(bytes)) return { mime: undefined, ext: undefined };
  const head = new TextDecoder().decode(bytes.subarray(0, 512)).trimStart();
  if (/^(<\?xml[^>]*>\s*)?<smil[\s>]/.test(head)) return { mime: 'application/smil', ext: 'smil' };
  return { mime: 'text/plain', ext: 'txt' };
}
