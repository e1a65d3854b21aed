/**
 * The media library (docs/mms.md, "Foundation"): takes bytes in (typed by their bytes,
 * size-capped, stored once by SHA-256, recorded with their owner) and hands them out by id.
 * Uploads, inbound MMS and connectors that send MMS all go through it; fetching from a URL
 * and signed URLs for providers build on it.
 */
import { sniffMediaType } from '../lib/media-type.js';
import { MEDIA_ID, MEDIA_LIMITS, newMediaId, type MediaRef } from '../domain/index.js';
import { sha256Of, type MediaBlobs, type MediaRecordStore, type StoredMedia } from '../store/media.js';
import { CommandStatus } from '../smpp/index.js';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { RejectedError } from './errors.js';
import { fetchMedia } from './media-fetch.js';
import type { UrlGuard } from './url-guard.js';

/** The types an MMS may carry by default (seed 000: JPEG, PNG, GIF, MP4, MP3; and the usual MMS kin). */
export const MMS_MEDIA_TYPES: ReadonlySet<string> = new Set([
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'image/bmp',
  'video/mp4',
  'video/3gpp',
  'video/3gpp2',
  'video/quicktime',
  'audio/mpeg',
  'audio/mp4',
  'audio/amr',
  'audio/aac',
  'audio/ogg',
  'audio/wav',
  'audio/x-wav',
  'audio/vnd.wave',
  'text/plain',
  'application/smil',
]);

export const mediaError = {
  tooLarge: (why: string) =>
    new RejectedError('HERMOD_ERR_MEDIA_TOO_LARGE', why, CommandStatus.ESME_RINVMSGLEN, 413),
  unsupportedType: (why: string) =>
    new RejectedError('HERMOD_ERR_MEDIA_TYPE', why, CommandStatus.ESME_RINVOPTPARAMVAL, 415),
  notFound: (id: string) =>
    new RejectedError(
      'HERMOD_ERR_MEDIA_NOT_FOUND',
      `no media ${id}`,
      CommandStatus.ESME_RINVOPTPARAMVAL,
      404,
    ),
};

export interface MediaLibraryOptions {
  maxFileBytes?: number;
  /** All media of one message (default MEDIA_LIMITS.maxMessageBytes). */
  maxMessageBytes?: number;
  /** Media items in one message (default MEDIA_LIMITS.maxItems). */
  maxItems?: number;
  types?: ReadonlySet<string>;
  now?: () => number;
  /** The SSRF guard `fetch` downloads through (without one, `fetch` refuses every URL). */
  guard?: UrlGuard;
  /** Download deadline of `fetch` (default 15 s). */
  fetchDeadlineMs?: number;
  /**
   * Signed URLs for providers that fetch media themselves: `baseUrl` is where this Hermod's
   * `GET /media/{id}` is reachable from them; `key` signs (the same on every node).
   */
  signing?: { key: string | Buffer; baseUrl: string };
  /** Validity of `signedUrl`'s URLs when the caller names none (s; default 3600; config `media.urlTtlS`). */
  urlTtlS?: number;
}

export interface MediaItem {
  media: StoredMedia;
  bytes: Buffer;
}

export class MediaLibrary {
  readonly maxFileBytes: number;
  readonly maxMessageBytes: number;
  readonly maxItems: number;
  private readonly types: ReadonlySet<string>;
  private readonly now: () => number;

  constructor(
    private readonly records: MediaRecordStore,
    readonly blobs: MediaBlobs,
    private readonly o: MediaLibraryOptions = {},
  ) {
    this.maxFileBytes = o.maxFileBytes ?? MEDIA_LIMITS.maxFileBytes;
    this.maxMessageBytes = o.maxMessageBytes ?? MEDIA_LIMITS.maxMessageBytes;
    this.maxItems = o.maxItems ?? MEDIA_LIMITS.maxItems;
    this.types = o.types ?? MMS_MEDIA_TYPES;
    this.now = o.now ?? Date.now;
  }

  /**
   * Downloads a customer's media URL through the SSRF guard (src/gateway/media-fetch.ts) and
   * `put`s it. Throws `HERMOD_ERR_MEDIA_FETCH` (422) when it cannot be fetched or is refused
   * by the guard, and `put`'s errors.
   */
  async fetch(url: string, o: { userId: number | null }): Promise<MediaRef> {
    if (!this.o.guard)
      throw new RejectedError(
        'HERMOD_ERR_MEDIA_FETCH',
        'media URLs are not fetched here',
        CommandStatus.ESME_RINVOPTPARAMVAL,
        422,
      );
    const got = await fetchMedia(url, {
      guard: this.o.guard,
      maxBytes: this.maxFileBytes,
      ...(this.o.fetchDeadlineMs !== undefined ? { deadlineMs: this.o.fetchDeadlineMs } : {}),
    });
    return this.put(got.bytes, { userId: o.userId, ...(got.filename ? { filename: got.filename } : {}) });
  }

  /** True when the library signs URLs (it was built with `signing`). */
  get canSign(): boolean {
    return this.o.signing !== undefined;
  }

  /**
   * A URL a provider can fetch the item from without credentials, valid `ttlS` seconds:
   * `<baseUrl>/media/<id>?expires=<unix s>&signature=<hex HMAC-SHA256 of "<id>.<expires>">`.
   * Throws when the library has no `signing`.
   */
  signedUrl(id: string, ttlS = this.o.urlTtlS ?? 3600): string {
    const signing = this.o.signing;
    if (!signing) throw new Error('media URLs are not signed here (no signing key)');
    const expires = Math.floor(this.now() / 1000) + ttlS;
    const base = signing.baseUrl.replace(/\/+$/, '');
    return `${base}/media/${encodeURIComponent(id)}?expires=${expires}&signature=${this.sign(id, expires)}`;
  }

  /** True when `signature` signs `id` until `expires` (unix s) and that time has not passed. */
  verifySignature(id: string, expires: number, signature: string): boolean {
    if (!this.o.signing || !Number.isSafeInteger(expires) || expires * 1000 < this.now()) return false;
    const want = Buffer.from(this.sign(id, expires), 'hex');
    const got = Buffer.from(signature, 'hex');
    return got.length === want.length && timingSafeEqual(got, want);
  }

  private sign(id: string, expires: number): string {
    return createHmac('sha256', this.o.signing!.key).update(`${id}.${expires}`).digest('hex');
  }

  /**
   * Stores bytes as a new media item of `userId` (null: received from a connector). Throws
   * `HERMOD_ERR_MEDIA_TOO_LARGE` (413) past `maxFileBytes` and `HERMOD_ERR_MEDIA_TYPE` (415)
   * for bytes of a type an MMS may not carry (or of no type the bytes tell).
   */
  async put(bytes: Buffer, o: { userId: number | null; filename?: string }): Promise<MediaRef> {
    if (bytes.length > this.maxFileBytes)
      throw mediaError.tooLarge(`the file is ${bytes.length} bytes, at most ${this.maxFileBytes}`);
    const { mime } = await sniffMediaType(bytes);
    if (mime === undefined)
      throw mediaError.unsupportedType('the bytes are not of a media type this gateway knows');
    if (!this.types.has(mime)) throw mediaError.unsupportedType(`${mime} cannot be sent by MMS`);
    const sha256 = sha256Of(bytes);
    await this.blobs.put(sha256, bytes);
    const media: StoredMedia = {
      id: newMediaId(),
      userId: o.userId,
      sha256,
      contentType: mime,
      size: bytes.length,
      ...(o.filename !== undefined ? { filename: o.filename } : {}),
      createdAt: this.now(),
    };
    await this.records.addMedia(media);
    return refOf(media);
  }

  /**
   * A message's media as a customer names it (`media_urls`): each entry the id of one of
   * the account's uploads (`med_…`) or an http(s) URL, fetched now. Checks the message's
   * limits (`maxItems`, `maxMessageBytes`; `HERMOD_ERR_MEDIA_TOO_LARGE`), and the entries'
   * own errors; the refs in the order given.
   */
  async resolve(items: readonly string[], o: { userId: number }): Promise<MediaRef[]> {
    if (items.length > this.maxItems)
      throw mediaError.tooLarge(`${items.length} media items, at most ${this.maxItems} in one message`);
    const refs: MediaRef[] = [];
    for (const item of items) {
      if (MEDIA_ID.test(item)) refs.push(refOf((await this.get(item, { userId: o.userId })).media));
      else refs.push(await this.fetch(item, { userId: o.userId }));
    }
    const total = refs.reduce((n, r) => n + r.size, 0);
    if (total > this.maxMessageBytes)
      throw mediaError.tooLarge(
        `the media add up to ${total} bytes, at most ${this.maxMessageBytes} in one message`,
      );
    return refs;
  }

  /**
   * Media retention: deletes the items older than `maxAgeMs` that no queued message names,
   * in batches of `batch`, and the bytes no item references any more. Returns how many items went.
   */
  async purge(maxAgeMs: number, batch = 500): Promise<number> {
    const before = this.now() - maxAgeMs;
    let total = 0;
    for (;;) {
      const { deleted, unreferenced } = await this.records.purgeMedia({ before, limit: batch });
      for (const sha of unreferenced) await this.blobs.delete(sha);
      total += deleted;
      // A batch that kept some (queued) and deleted none would repeat itself: stop there.
      if (deleted < batch) return total;
    }
  }

  /** The item's record (no bytes); undefined when unknown. */
  find(id: string): Promise<StoredMedia | undefined> {
    return this.records.getMedia(id);
  }

  /**
   * The item and its bytes. With `userId`, only that account's items (another's are "not
   * found", never "forbidden": ids are not to be probed). Throws `HERMOD_ERR_MEDIA_NOT_FOUND`.
   */
  async get(id: string, o: { userId?: number } = {}): Promise<MediaItem> {
    const media = await this.records.getMedia(id);
    if (!media || (o.userId !== undefined && media.userId !== o.userId)) throw mediaError.notFound(id);
    const bytes = await this.blobs.get(media.sha256);
    if (!bytes) throw mediaError.notFound(id);
    return { media, bytes };
  }
}

/** The reference a message or an answer carries. */
export function refOf(m: StoredMedia): MediaRef {
  return {
    id: m.id,
    contentType: m.contentType,
    size: m.size,
    ...(m.filename !== undefined ? { filename: m.filename } : {}),
  };
}
