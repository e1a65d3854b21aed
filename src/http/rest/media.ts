/**
 * REST v1 media (docs/mms.md, docs/rest-api.md): `POST /v1/media` uploads one item
 * (multipart/form-data with a `file` field, or the raw bytes with `?filename=`), typed by its
 * bytes and size-capped by the media library; `GET /v1/media/{id}` (record) and
 * `/v1/media/{id}/content` (bytes), the account's own only. The public, signed
 * `GET /media/{id}` is `publicMediaRoutes`.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type {} from '@fastify/swagger';
import {
  MaxFileSizeExceededError,
  MaxTotalSizeExceededError,
  MultipartParseError,
  getMultipartBoundary,
  parseMultipart,
} from '@remix-run/multipart-parser';
import { mediaError, refOf, type MediaLibrary } from '../../gateway/index.js';
import type { MediaRef } from '../../domain/index.js';
import { HttpProblem } from '../problem.js';
import { problemResponses } from './schemas.js';

type StoredMedia = NonNullable<Awaited<ReturnType<MediaLibrary['find']>>>;

/** An item as REST v1 shows it. */
export function mediaView(m: MediaRef & { createdAt?: number }): Record<string, unknown> {
  return {
    id: m.id,
    content_type: m.contentType,
    size: m.size,
    filename: m.filename,
    ...(m.createdAt !== undefined ? { created_at: new Date(m.createdAt).toISOString() } : {}),
  };
}

export const mediaSchema = {
  $id: 'Media',
  type: 'object',
  properties: {
    id: { type: 'string', description: 'med_…: usable in media_urls in place of a URL' },
    content_type: { type: 'string', description: 'from the bytes, not from the name or the declared type' },
    size: { type: 'integer' },
    filename: { type: 'string' },
    created_at: { type: 'string', format: 'date-time' },
  },
} as const;

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 40 } },
} as const;

/** The uploaded file of a body: a multipart `file` field, or the body itself. */
function uploaded(
  body: Buffer,
  contentType: string | undefined,
  filename: string | undefined,
  maxBytes: number,
): { bytes: Buffer; filename?: string } {
  if (!contentType?.toLowerCase().startsWith('multipart/form-data'))
    return { bytes: body, ...(filename ? { filename } : {}) };
  const boundary = getMultipartBoundary(contentType);
  if (!boundary)
    throw new HttpProblem(400, 'HERMOD_ERR_MEDIA_UPLOAD', 'multipart/form-data without a boundary');
  try {
    for (const part of parseMultipart(body, { boundary, maxParts: 16, maxFileSize: maxBytes })) {
      if (part.name !== 'file') continue;
      const name = part.filename ?? filename;
      return { bytes: Buffer.from(part.bytes), ...(name ? { filename: name } : {}) };
    }
  } catch (err) {
    if (err instanceof MaxFileSizeExceededError || err instanceof MaxTotalSizeExceededError)
      throw mediaError.tooLarge(`the file is larger than ${maxBytes} bytes`);
    if (err instanceof MultipartParseError)
      throw new HttpProblem(
        400,
        'HERMOD_ERR_MEDIA_UPLOAD',
        `the multipart body cannot be read: ${err.message}`,
      );
    throw err;
  }
  throw new HttpProblem(400, 'HERMOD_ERR_MEDIA_UPLOAD', 'the multipart body has no `file` field');
}

/** The bytes of an item, for a client or a provider: typed as stored, never sniffed by the browser. */
function sendBytes(reply: FastifyReply, media: StoredMedia, bytes: Buffer): FastifyReply {
  return reply
    .header('content-type', media.contentType)
    .header('x-content-type-options', 'nosniff')
    .header(
      'content-disposition',
      `inline${media.filename ? `; filename="${asciiName(media.filename)}"` : ''}`,
    )
    .header('cache-control', 'private, max-age=300')
    .send(bytes);
}

/** A filename safe inside a quoted header parameter. */
function asciiName(name: string): string {
  return name.replace(/[^\x20-\x7e]|["\\]/g, '_').slice(0, 200);
}

function libraryOr501(media: MediaLibrary | undefined): MediaLibrary {
  if (!media) throw new HttpProblem(501, 'HERMOD_ERR_NOT_CONFIGURED', 'this gateway keeps no media');
  return media;
}

/** POST /v1/media, GET /v1/media/{id}, GET /v1/media/{id}/content (behind the API keys). */
export async function mediaRoutes(
  app: FastifyInstance,
  opts: { media: MediaLibrary | undefined },
): Promise<void> {
  const maxBytes = opts.media?.maxFileBytes ?? 5 * 2 ** 20;
  // Any body is taken as bytes here (this plugin only): the library types them itself. Twice
  // the file cap, so that a file just over it is told so precisely (HERMOD_ERR_MEDIA_TOO_LARGE).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBytes * 2 + 65_536 }, (_req, body, done) =>
    done(null, body),
  );
  app.post<{ Querystring: { filename?: string } }>(
    '/v1/media',
    {
      schema: {
        tags: ['media'],
        summary: 'Upload a media item for an MMS',
        description:
          'multipart/form-data with one file field `file`, or the raw bytes with their Content-Type (and `?filename=`). Typed by the bytes: JPEG, PNG, GIF, MP4, MP3 and the other MMS types (415 otherwise), at most media.maxFileBytes (413). The id goes in `media_urls`.',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { filename: { type: 'string', minLength: 1, maxLength: 200 } },
        },
        response: {
          201: { $ref: 'Media#' },
          413: { $ref: 'Problem#' },
          415: { $ref: 'Problem#' },
          ...problemResponses,
        },
      },
    },
    async (req, reply) => {
      const media = libraryOr501(opts.media);
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const file = uploaded(body, req.headers['content-type'], req.query.filename, media.maxFileBytes);
      if (file.bytes.length === 0) throw new HttpProblem(400, 'HERMOD_ERR_MEDIA_UPLOAD', 'the file is empty');
      const ref = await media.put(file.bytes, {
        userId: req.apiUser!.id,
        ...(file.filename ? { filename: file.filename } : {}),
      });
      const stored = await media.find(ref.id);
      req.log.info({ media: ref.id, type: ref.contentType, size: ref.size }, 'media uploaded');
      return reply.code(201).send(mediaView({ ...ref, ...(stored ? { createdAt: stored.createdAt } : {}) }));
    },
  );
  app.get<{ Params: { id: string } }>(
    '/v1/media/:id',
    {
      schema: {
        tags: ['media'],
        summary: 'A media item of the account (its record)',
        params: idParams,
        response: { 200: { $ref: 'Media#' }, ...problemResponses },
      },
    },
    async (req) => {
      const m = await libraryOr501(opts.media).find(req.params.id);
      if (!m || m.userId !== req.apiUser!.id) throw mediaError.notFound(req.params.id);
      return mediaView({ ...refOf(m), createdAt: m.createdAt });
    },
  );
  app.get<{ Params: { id: string } }>(
    '/v1/media/:id/content',
    {
      schema: { tags: ['media'], summary: 'A media item of the account (its bytes)', params: idParams },
    },
    async (req, reply) => {
      const { media, bytes } = await libraryOr501(opts.media).get(req.params.id, { userId: req.apiUser!.id });
      return sendBytes(reply, media, bytes);
    },
  );
}

/**
 * `GET /media/{id}?expires=&signature=`: an item's bytes by a signed URL (media.signedUrl),
 * without credentials, for providers and MMSCs that fetch media and handsets that open an
 * SMS fallback's links. 403 for a bad or expired signature, 404 for an unknown item.
 */
export async function publicMediaRoutes(
  app: FastifyInstance,
  opts: { media: MediaLibrary | undefined },
): Promise<void> {
  app.get<{ Params: { id: string }; Querystring: { expires?: string; signature?: string } }>(
    '/media/:id',
    {
      schema: {
        tags: ['media'],
        summary: 'A media item by signed URL (no credentials)',
        params: idParams,
        querystring: {
          type: 'object',
          properties: {
            expires: { type: 'string', maxLength: 16 },
            signature: { type: 'string', maxLength: 128 },
          },
        },
      },
    },
    async (req, reply) => {
      const media = libraryOr501(opts.media);
      const expires = Number(req.query.expires);
      if (!media.verifySignature(req.params.id, expires, req.query.signature ?? ''))
        throw new HttpProblem(
          403,
          'HERMOD_ERR_MEDIA_SIGNATURE',
          'the media URL is not signed or has expired',
        );
      const item = await media.get(req.params.id);
      return sendBytes(reply, item.media, item.bytes);
    },
  );
}
