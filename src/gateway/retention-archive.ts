/**
 * The archive before purge (docs/operations.md, "Archive before purge"): messages and MOs
 * leaving the store are written, before their rows are deleted, as NDJSON in gzip files per
 * day (`messages-YYYY-MM-DD.ndjson.gz`, the day of their creation, UTC, as their id says).
 *
 * Safe against a crash: each batch is one gzip member appended to the day's file (gzip files
 * may hold several members; zcat reads them as one stream) and fsynced; the file's new length
 * is then written to the store in the same transaction as the deletion of the batch's rows
 * (a mark of `lifecycle_marks`). A crash before that commit leaves the rows in the store and
 * the file longer than its mark: the next run cuts the file back to the mark (dropping the
 * half-written or uncommitted member) and archives the rows again. So every deleted message is
 * in the archive exactly once, and the file is always a whole gzip stream up to its mark.
 */
import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import { bodyText, messageIdTime, RECEIPT_STAT, type MessageState } from '../domain/index.js';
import type { ExpiredBatch, ExpiredMessage, ExpiredMo, LifecycleMark } from '../store/index.js';

const gzip = promisify(gzipCb);
const iso = (ms: number): string => new Date(ms).toISOString();

/** The day file a time falls in (UTC). */
export const archiveFileName = (at: number): string => `messages-${iso(at).slice(0, 10)}.ndjson.gz`;

/** One archived message as a JSON object (snake_case, as an operator greps it). */
export function archivedMessage(m: ExpiredMessage): Record<string, unknown> {
  const text = bodyText(m);
  const final = [...m.history].reverse().find((e) => RECEIPT_STAT[e.state as MessageState] !== undefined);
  return {
    kind: 'mt',
    id: m.id,
    account: m.username,
    user_id: m.userId,
    system_id: m.systemId,
    source: m.source,
    destination: m.destination,
    text: text ?? null,
    body_hex: text === undefined ? m.body.toString('hex') : undefined,
    data_coding: m.dataCoding,
    esm_class: m.esmClass,
    state: m.state,
    error: m.error,
    connector: m.connectorId,
    price_micros: m.priceMicros,
    upstream_id: m.upstreamId,
    created_at: iso(m.createdAt),
    updated_at: iso(m.updatedAt),
    meta: m.meta,
    receipt: final
      ? { state: final.state, stat: RECEIPT_STAT[final.state as MessageState], at: iso(final.at) }
      : null,
    parts: m.parts.map((p) => ({
      seq: p.seq,
      total: p.total,
      state: p.state,
      connector: p.connectorId,
      upstream_id: p.upstreamId,
      error: p.error,
      created_at: iso(p.createdAt),
      updated_at: iso(p.updatedAt),
    })),
    history: m.history.map((e) => ({ state: e.state, at: iso(e.at), detail: e.detail, part: e.seq })),
  };
}

export function archivedMo(m: ExpiredMo): Record<string, unknown> {
  const text = bodyText({ body: m.body, dataCoding: m.dataCoding, esmClass: 0 });
  return {
    kind: 'mo',
    id: m.id,
    source: m.source,
    destination: m.destination,
    text: text ?? null,
    body_hex: text === undefined ? m.body.toString('hex') : undefined,
    data_coding: m.dataCoding,
    connector: m.connectorId,
    routed_to: m.routedTo,
    received_at: iso(m.receivedAt),
    media: m.media ?? undefined,
  };
}

/** Where the committed lengths are kept (the store's marks). */
export interface ArchiveMarks {
  readMark(name: string): Promise<string | undefined>;
}

export class RetentionArchive {
  /**
   * @param dir the archive directory (created when missing)
   * @param holder this node's name: each node keeps its own committed lengths (a cluster's
   *   nodes may each archive to a disk of their own)
   */
  constructor(
    readonly dir: string,
    private readonly holder: string,
  ) {}

  /** The mark a file's committed length is kept under. */
  markName(file: string): string {
    return `archive:${this.holder}:${file}`;
  }

  /**
   * Appends the batch to its day files (one gzip member per file, fsynced) and returns the
   * marks to write with the deletion of its rows. Nothing to write: no marks.
   */
  async write(batch: ExpiredBatch, marks: ArchiveMarks): Promise<LifecycleMark[]> {
    const days = new Map<string, string[]>();
    const add = (at: number, record: Record<string, unknown>) => {
      const file = archiveFileName(at);
      const lines = days.get(file) ?? [];
      lines.push(JSON.stringify(record));
      days.set(file, lines);
    };
    // The day of its id, as retention ages it (the same as its creation's).
    for (const m of batch.messages) add(messageIdTime(m.id) ?? m.createdAt, archivedMessage(m));
    for (const m of batch.mos) add(messageIdTime(m.id) ?? m.receivedAt, archivedMo(m));
    if (days.size === 0) return [];
    await mkdir(this.dir, { recursive: true });
    const out: LifecycleMark[] = [];
    for (const [file, lines] of days) {
      const name = this.markName(file);
      const committed = await marks.readMark(name);
      const length = await this.append(file, committed === undefined ? undefined : Number(committed), lines);
      out.push({ name, value: String(length) });
    }
    return out;
  }

  /** Cuts the file back to its committed length, appends one member, fsyncs; the new length. */
  private async append(file: string, committed: number | undefined, lines: string[]): Promise<number> {
    // Compressed off the event loop's thread (zlib's pool): acceptance goes on meanwhile.
    const member = await gzip(lines.join('\n') + '\n');
    const fh = await open(join(this.dir, file), 'a+');
    try {
      const size = (await fh.stat()).size;
      // Longer than its mark: what follows is a member of a batch whose deletion never
      // committed (or was cut short). A shorter file (moved away, another node's disk) is
      // appended to as it is.
      if (committed !== undefined && size > committed) await fh.truncate(committed);
      await fh.writeFile(member);
      await fh.sync();
      if (size === 0) await syncDir(this.dir);
      return (await fh.stat()).size;
    } finally {
      await fh.close();
    }
  }
}

/** A new file's directory entry is durable only once the directory is fsynced (POSIX). */
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r').catch(() => undefined);
  try {
    await fh?.sync();
  } catch {
    // Some file systems refuse fsync on a directory: the file's own fsync is what they offer.
  } finally {
    await fh?.close();
  }
}
