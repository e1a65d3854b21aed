/**
 * The media library (docs/mms.md, "Foundation"): takes bytes in (typed by their bytes,
 * size-capped, stored once by SHA-256, recorded with their owner) and hands them out by id.
 * Uploads, inbound MMS and connectors that send MMS all go through it; fetching from a URL
 * and signed URLs for providers build on it.
 */
import { sniffMediaType } from '../lib/media-type.js';
import { MEDIA_LIMITS, newMediaId, type MediaRef } from '../domain/index.js';
import { sha256Of, type MediaBlobs, type MediaRecordStore, type StoredMedia } from '../store/media.js';
import { CommandStatus } from '../smpp/index.js';
import { RejectedError } from './errors.js';

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
  types?: ReadonlySet<string>;
  now?: () => number;
}

export interface MediaItem {
  media: StoredMedia;
  bytes: Buffer;
}

export class MediaLibrary {
  readonly maxFileBytes: number;
  private readonly types: ReadonlySet<string>;
  private readonly now: () => number;

  constructor(
    private readonly records: MediaRecordStore,
    readonly blobs: MediaBlobs,
    o: MediaLibraryOptions = {},
  ) {
    this.maxFileBytes = o.maxFileBytes ?? MEDIA_LIMITS.maxFileBytes;
    this.types = o.types ?? MMS_MEDIA_TYPES;
    this.now = o.now ?? Date.now;
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
