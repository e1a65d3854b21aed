/**
 * A whole MM7 HTTP body, both ways: the SOAP envelope alone (`text/xml`), or with content a
 * `multipart/related` whose `start` is the SOAP part and whose other part is the content that
 * the Content element points at by `href="cid:…"` (3GPP TS 23.140 annex, "MM7 SOAP binding";
 * RFC 2387 multipart/related; RFC 2392 cid: URLs). The content part is one attachment, or
 * a `multipart/related` (with a SMIL presentation as its start) or `multipart/mixed` of them.
 */
import { Buffer } from 'node:buffer';
import {
  MaxFileSizeExceededError,
  MaxHeaderSizeExceededError,
  MaxPartsExceededError,
  MaxTotalSizeExceededError,
  parseMultipart,
  type MultipartPart,
} from '@remix-run/multipart-parser';
import { Mm7ParseError } from './errors.js';
import {
  bareId,
  chooseBoundary,
  decodeTransfer,
  normaliseMultipart,
  parseContentType,
  writeMultipart,
  type PartToWrite,
} from './mime.js';
import { encodeSoap } from './soap-encode.js';
import { parseSoap } from './soap-parse.js';
import { Mm7Status } from './status.js';
import type { Attachment, Mm7Content, Mm7Message } from './types.js';

export interface Mm7Limits {
  /** The HTTP body, in bytes as received (base64 parts count encoded). Default 8 MiB. */
  readonly maxBytes: number;
  /** Body parts, the SOAP part and nested parts included. Default 32. */
  readonly maxParts: number;
  /** One part's header block. Default 8 KiB. */
  readonly maxHeaderBytes: number;
}

export const DEFAULT_LIMITS: Mm7Limits = {
  maxBytes: 8 * 1024 * 1024,
  maxParts: 32,
  maxHeaderBytes: 8 * 1024,
};

export interface EncodedMm7 {
  readonly contentType: string;
  readonly body: Buffer;
}

export interface EncodeOptions {
  /** MM7 namespace URI (default REL-6-MM7-1-4). */
  readonly namespace?: string;
}

const SOAP_ID = 'mm7-soap@hermod';
const CONTENT_ID = 'mm7-content@hermod';

function attachmentPart(a: Attachment, id: string): PartToWrite {
  return {
    headers: {
      'Content-Type': a.contentType,
      'Content-ID': `<${id}>`,
      'Content-Location': a.contentLocation,
      'Content-Transfer-Encoding': 'binary',
    },
    body: a.bytes,
  };
}

/** The content part: the one attachment itself, or a nested multipart of them. */
function contentPart(content: Mm7Content): PartToWrite {
  if (content.parts.length === 1 && content.start === undefined)
    return attachmentPart(content.parts[0], content.parts[0].contentId ?? CONTENT_ID);
  const inner = content.parts.map((a, i) => attachmentPart(a, a.contentId ?? `part-${i + 1}@hermod`));
  const boundary = chooseBoundary(inner);
  const type =
    content.start !== undefined
      ? `multipart/related; boundary="${boundary}"; type="application/smil"; start="<${content.start}>"`
      : `multipart/mixed; boundary="${boundary}"`;
  return {
    headers: { 'Content-Type': type, 'Content-ID': `<${CONTENT_ID}>`, 'Content-Transfer-Encoding': 'binary' },
    body: writeMultipart(inner, boundary),
  };
}

/** Encodes a message as an HTTP body and its Content-Type. */
export function encodeMm7(m: Mm7Message, opts: EncodeOptions = {}): EncodedMm7 {
  const content =
    (m.kind === 'SubmitReq' || m.kind === 'DeliverReq') && m.content?.parts.length ? m.content : undefined;
  if (!content)
    return {
      contentType: 'text/xml; charset=utf-8',
      body: Buffer.from(encodeSoap(m, { namespace: opts.namespace }), 'utf8'),
    };
  const part = contentPart(content);
  const id = bareId(part.headers['Content-ID']!);
  const soap = Buffer.from(encodeSoap(m, { namespace: opts.namespace, contentHref: `cid:${id}` }), 'utf8');
  const parts: PartToWrite[] = [
    {
      headers: {
        'Content-Type': 'text/xml; charset=utf-8',
        'Content-ID': `<${SOAP_ID}>`,
        'Content-Transfer-Encoding': 'binary',
      },
      body: soap,
    },
    part,
  ];
  const boundary = chooseBoundary(parts);
  return {
    contentType: `multipart/related; boundary="${boundary}"; type="text/xml"; start="<${SOAP_ID}>"`,
    body: writeMultipart(parts, boundary),
  };
}

export interface ParsedMm7 {
  readonly message: Mm7Message;
  /** The MM7 namespace the peer wrote (answer in the same); undefined when unqualified. */
  readonly namespace: string | undefined;
}

const refused = (
  code: 'HERMOD_ERR_MM7_MULTIPART' | 'HERMOD_ERR_MM7_START_PART' | 'HERMOD_ERR_MM7_CONTENT_TYPE',
  why: string,
) => new Mm7ParseError(code, `MM7: ${why}`, Mm7Status.FORMAT_CORRUPT);

/** A body part: its headers by lower-case name, its bytes as sent (transfer encoding not undone). */
interface RawPart {
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly bytes: Uint8Array;
}

function rawPart(p: MultipartPart): RawPart {
  // The parser decodes headers lazily and throws a TypeError on bytes that are not UTF-8:
  // they are read here, inside splitParts' try, so that becomes a parse error.
  return { headers: p.headers, bytes: p.bytes };
}

/** Splits a multipart body, mapping the parser's limit errors to ours. */
function splitParts(body: Buffer, boundary: string | undefined, limits: Mm7Limits, used: number): RawPart[] {
  if (!boundary) throw refused('HERMOD_ERR_MM7_MULTIPART', 'a multipart body without a boundary parameter');
  try {
    const parts = parseMultipart(normaliseMultipart(body, boundary), {
      boundary,
      maxParts: limits.maxParts - used,
      maxHeaderSize: limits.maxHeaderBytes,
      maxTotalSize: limits.maxBytes,
      maxFileSize: limits.maxBytes,
    });
    return [...parts].map(rawPart);
  } catch (err) {
    if (err instanceof MaxPartsExceededError)
      throw new Mm7ParseError(
        'HERMOD_ERR_MM7_TOO_MANY_PARTS',
        `MM7: more than ${limits.maxParts} body parts`,
        Mm7Status.CONTENT_REFUSED,
        { cause: err },
      );
    if (
      err instanceof MaxTotalSizeExceededError ||
      err instanceof MaxFileSizeExceededError ||
      err instanceof MaxHeaderSizeExceededError
    )
      throw new Mm7ParseError(
        'HERMOD_ERR_MM7_TOO_LARGE',
        `MM7: ${(err as Error).message}`,
        Mm7Status.CONTENT_REFUSED,
        { cause: err },
      );
    throw refused('HERMOD_ERR_MM7_MULTIPART', `a broken multipart body: ${(err as Error).message}`);
  }
}

function toAttachment(p: RawPart): Attachment {
  const id = p.headers['content-id'];
  const location = p.headers['content-location'];
  return {
    contentType: p.headers['content-type'] ?? 'text/plain',
    ...(id !== undefined && { contentId: bareId(id) }),
    ...(location !== undefined && { contentLocation: location }),
    bytes: decodeTransfer(p.bytes, p.headers['content-transfer-encoding']),
  };
}

/** The content a Content element's href names: one part, or the parts of a nested multipart. */
function contentOf(part: RawPart, limits: Mm7Limits, used: number): Mm7Content {
  const ct = parseContentType(part.headers['content-type'] ?? 'text/plain');
  if (!ct.type.startsWith('multipart/')) return { parts: [toAttachment(part)] };
  const body = Buffer.from(decodeTransfer(part.bytes, part.headers['content-transfer-encoding']));
  const inner = splitParts(body, ct.params.boundary, limits, used);
  const start = ct.type === 'multipart/related' && ct.params.start ? bareId(ct.params.start) : undefined;
  return { parts: inner.map(toAttachment), ...(start !== undefined && { start }) };
}

function findById(parts: readonly RawPart[], id: string): RawPart | undefined {
  return parts.find((p) => {
    const cid = p.headers['content-id'];
    return (cid !== undefined && bareId(cid) === id) || p.headers['content-location'] === id;
  });
}

/**
 * Parses an MM7 HTTP body by its Content-Type. Throws Mm7ParseError with the status to answer:
 * 2007 for what cannot be read, 2004 past a limit or for content the href does not find,
 * 4002/4003/4004 for a foreign namespace, an unknown operation, a missing element.
 */
export function parseMm7(
  input: { contentType: string; body: Uint8Array },
  limits: Mm7Limits = DEFAULT_LIMITS,
): ParsedMm7 {
  const body = Buffer.from(input.body.buffer, input.body.byteOffset, input.body.byteLength);
  if (body.length > limits.maxBytes)
    throw new Mm7ParseError(
      'HERMOD_ERR_MM7_TOO_LARGE',
      `MM7: ${body.length} bytes, over the ${limits.maxBytes} limit`,
      Mm7Status.CONTENT_REFUSED,
    );
  const ct = parseContentType(input.contentType);
  if (ct.type === 'text/xml' || ct.type === 'application/xml' || ct.type === 'application/soap+xml') {
    const { message, namespace } = parseSoap(body.toString('utf8'));
    return { message, namespace };
  }
  if (ct.type !== 'multipart/related' && ct.type !== 'multipart/mixed')
    throw refused(
      'HERMOD_ERR_MM7_CONTENT_TYPE',
      `a ${ct.type || 'missing'} body, not text/xml or multipart/related`,
    );
  const parts = splitParts(body, ct.params.boundary, limits, 0);
  // RFC 2387 §3.2: without a start parameter the root is the first part.
  const soapPart = ct.params.start ? findById(parts, bareId(ct.params.start)) : parts[0];
  if (!soapPart)
    throw refused('HERMOD_ERR_MM7_START_PART', `no part has the start Content-ID ${ct.params.start ?? ''}`);
  const { message, namespace, contentHref } = parseSoap(Buffer.from(soapPart.bytes).toString('utf8'));
  if (message.kind !== 'SubmitReq' && message.kind !== 'DeliverReq') return { message, namespace };
  const others = parts.filter((p) => p !== soapPart);
  let content: Mm7Content | undefined;
  if (contentHref !== undefined) {
    const id = contentHref.startsWith('cid:') ? decodeURIComponent(contentHref.slice(4)).trim() : contentHref;
    const part = findById(others, id);
    if (!part)
      throw new Mm7ParseError(
        'HERMOD_ERR_MM7_CONTENT_REF',
        `MM7: no body part has the Content-ID of ${contentHref}`,
        Mm7Status.CONTENT_REFUSED,
      );
    content = contentOf(part, limits, parts.length);
  } else if (others.length > 0) {
    // No Content element but parts after the SOAP part: some relays attach the media flat.
    content = { parts: others.map(toAttachment) };
  }
  return { message: content ? { ...message, content } : message, namespace };
}
