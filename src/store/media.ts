/**
 * The media area of the store (docs/mms.md, "Foundation"): a row per media item (owner, type,
 * size, content hash) in the database, the bytes in a blob store under their SHA-256, written
 * once however many items share them. `FileMediaBlobs` keeps them in a directory (beside the
 * SQLite file by default; a shared directory for PostgreSQL nodes).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { MediaRef } from '../domain/index.js';

/** A media item as stored. */
export interface StoredMedia extends MediaRef {
  /** The account it belongs to; null for media received from a connector (inbound MMS). */
  userId: number | null;
  /** Hex SHA-256 of the bytes: where the blob store keeps them. */
  sha256: string;
  createdAt: number;
}

/** The rows (implemented by both stores). */
export interface MediaRecordStore {
  /** Records an item whose bytes are already in the blob store. */
  addMedia(m: StoredMedia): Promise<void>;
  getMedia(id: string): Promise<StoredMedia | undefined>;
  /**
   * Media retention (docs/mms.md): deletes up to `limit` media rows created before `before`
   * that no queued message names (`meta.media`); answers how many went and the SHA-256 of
   * the bytes no row references any more (the caller deletes those blobs).
   */
  purgeMedia(o: { before: number; limit: number }): Promise<{ deleted: number; unreferenced: string[] }>;
}

/** Where the bytes are kept, by SHA-256. */
export interface MediaBlobs {
  /** Stores bytes under their hash (idempotent; durable when it resolves). */
  put(sha256: string, bytes: Buffer): Promise<void>;
  get(sha256: string): Promise<Buffer | undefined>;
  delete(sha256: string): Promise<void>;
}

/** A `media` row as either store reads it (PostgreSQL's BIGINTs may come as strings). */
export interface MediaRow {
  id: string;
  user_id: number | string | null;
  sha256: string;
  content_type: string;
  size: number | string;
  filename: string | null;
  created_at: number | string;
}

export function storedMedia(r: MediaRow): StoredMedia {
  return {
    id: r.id,
    userId: r.user_id === null ? null : Number(r.user_id),
    sha256: r.sha256,
    contentType: r.content_type,
    size: Number(r.size),
    ...(r.filename !== null ? { filename: r.filename } : {}),
    createdAt: Number(r.created_at),
  };
}

/** A MediaRef list as a row keeps it (JSON, null for none). */
export function mediaJson(media: readonly MediaRef[] | undefined): string | null {
  return media && media.length > 0 ? JSON.stringify(media) : null;
}

/** The `media` field of a row's JSON column: absent for none. */
export function mediaOf(json: string | null | undefined): { media?: MediaRef[] } {
  return json ? { media: JSON.parse(json) as MediaRef[] } : {};
}

/** The `subject` field of a row's column: absent for none. */
export function subjectOf(subject: string | null | undefined): { subject?: string } {
  return subject ? { subject } : {};
}

export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const HASH = /^[0-9a-f]{64}$/;

/** Blobs as files `<dir>/<first two hex>/<hash>`, written to a temporary name, fsynced, renamed. */
export class FileMediaBlobs implements MediaBlobs {
  constructor(readonly dir: string) {}

  private pathOf(sha256: string): string {
    if (!HASH.test(sha256)) throw new TypeError(`not a SHA-256: ${sha256}`);
    return join(this.dir, sha256.slice(0, 2), sha256);
  }

  async put(sha256: string, bytes: Buffer): Promise<void> {
    const path = this.pathOf(sha256);
    const existing = await stat(path).catch(() => undefined);
    if (existing?.size === bytes.length) return;
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    const f = await open(tmp, 'w');
    try {
      await f.writeFile(bytes);
      await f.sync();
    } finally {
      await f.close();
    }
    await rename(tmp, path);
  }

  async get(sha256: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.pathOf(sha256));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async delete(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
  }
}

/** The media ids the metas of queued messages name (retention keeps those). */
export function mediaIdsIn(metas: Iterable<string | null | undefined>): Set<string> {
  const ids = new Set<string>();
  for (const meta of metas) {
    if (!meta) continue;
    try {
      const parsed = JSON.parse(meta) as { media?: { id?: unknown }[] };
      for (const r of parsed.media ?? []) if (typeof r.id === 'string') ids.add(r.id);
    } catch {
      // Not JSON: names nothing.
    }
  }
  return ids;
}
