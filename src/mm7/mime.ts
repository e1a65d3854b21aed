/**
 * MIME for MM7: Content-Type parameters, the multipart boundary format (RFC 2046 §5.1), and
 * part bodies' transfer encodings. Parsing multipart bodies is @remix-run/multipart-parser's
 * job; this file prepares what real peers send for it (a preamble, transport padding after a
 * delimiter) and writes multipart bodies itself.
 */
import { randomBytes } from 'node:crypto';
import { Buffer } from 'node:buffer';

export interface ContentType {
  /** Lower-case type/subtype. */
  readonly type: string;
  /** Parameters by lower-case name, unquoted. */
  readonly params: Readonly<Record<string, string>>;
}

/** Parses a Content-Type value (RFC 2045 §5.1; quoted-string parameters, any name case). */
export function parseContentType(value: string): ContentType {
  const semi = value.indexOf(';');
  const type = (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
  const params: Record<string, string> = {};
  const re = /;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))/g;
  for (const m of value.slice(Math.max(semi, 0)).matchAll(re))
    params[m[1].toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3];
  return { type, params };
}

/** A Content-ID or `start` without its angle brackets. */
export function bareId(id: string): string {
  const t = id.trim();
  return t.startsWith('<') && t.endsWith('>') ? t.slice(1, -1) : t;
}

const CRLF = Buffer.from('\r\n');
const LF = Buffer.from('\n');
const CRLFCRLF = Buffer.from('\r\n\r\n');

/** One part to write. Header values are written as given (callers quote parameters). */
export interface PartToWrite {
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Uint8Array;
}

/** A boundary that no part's bytes contain (RFC 2046 §5.1.1: it must not occur in the content). */
export function chooseBoundary(parts: readonly PartToWrite[]): string {
  for (;;) {
    const boundary = `=_hermod_${randomBytes(12).toString('hex')}`;
    const needle = Buffer.from(`--${boundary}`);
    if (!parts.some((p) => Buffer.from(p.body.buffer, p.body.byteOffset, p.body.byteLength).includes(needle)))
      return boundary;
  }
}

/**
 * Writes a multipart body: `--boundary CRLF headers CRLF CRLF body CRLF` per part, then the
 * close delimiter `--boundary--` (RFC 2046 §5.1.1). Bodies go as they are (binary).
 */
export function writeMultipart(parts: readonly PartToWrite[], boundary: string): Buffer {
  const chunks: Uint8Array[] = [];
  for (const p of parts) {
    const head = Object.entries(p.headers)
      .filter((e): e is [string, string] => e[1] !== undefined)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    chunks.push(Buffer.from(`--${boundary}\r\n${head}\r\n`), p.body, CRLF);
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

/**
 * What the multipart parser expects: the first delimiter at offset 0, no padding after a
 * delimiter, one line per header. RFC 2046 §5.1.1 allows a preamble before the first
 * delimiter and linear white space after any delimiter, and RFC 5322 §2.2.3 folds long header
 * lines; relays use all three (a Nokia relay's leading blank line, the 3GPP annex example's
 * trailing space, a folded `boundary=` parameter), so they are undone here. Part bodies are
 * copied as they are.
 */
export function normaliseMultipart(body: Buffer, boundary: string): Buffer {
  const dash = Buffer.from(`--${boundary}`);
  const out: Buffer[] = [];
  let at = body.subarray(0, dash.length).equals(dash) ? 0 : body.indexOf(Buffer.concat([LF, dash]));
  if (at < 0) return body;
  if (at > 0) at += 1;
  while (at >= 0) {
    let end = at + dash.length;
    const close = body[end] === 0x2d && body[end + 1] === 0x2d;
    if (close) end += 2;
    out.push(body.subarray(at, end));
    let next = end;
    while (body[next] === 0x20 || body[next] === 0x09) next++;
    if (close) {
      out.push(body.subarray(next));
      break;
    }
    const headEnd = body.indexOf(CRLFCRLF, next);
    if (headEnd < 0) {
      out.push(body.subarray(next));
      break;
    }
    // The header block, unfolded: CRLF followed by white space is a continuation (RFC 5322 §2.2.3).
    out.push(
      Buffer.from(
        body
          .subarray(next, headEnd)
          .toString('latin1')
          .replace(/\r\n[ \t]+/g, ' '),
        'latin1',
      ),
    );
    const bodyStart = headEnd;
    const delim = body.indexOf(Buffer.concat([CRLF, dash]), bodyStart);
    out.push(body.subarray(bodyStart, delim < 0 ? body.length : delim + 2));
    at = delim < 0 ? -1 : delim + 2;
  }
  return Buffer.concat(out);
}

/** Decodes a part body by its Content-Transfer-Encoding (RFC 2045 §6). */
export function decodeTransfer(body: Uint8Array, encoding: string | undefined): Uint8Array {
  const enc = (encoding ?? '').trim().toLowerCase();
  if (enc === 'base64') return Buffer.from(Buffer.from(body).toString('latin1'), 'base64');
  if (enc === 'quoted-printable') return decodeQuotedPrintable(Buffer.from(body).toString('latin1'));
  return body;
}

function decodeQuotedPrintable(s: string): Buffer {
  const soft = s.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    const c = soft.charCodeAt(i);
    const hex = c === 0x3d ? soft.slice(i + 1, i + 3) : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(c & 0xff);
  }
  return Buffer.from(bytes);
}
