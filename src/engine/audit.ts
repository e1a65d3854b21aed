/**
 * The audit log of operator actions (who changed what on the admin API, and how it was
 * answered): recorded by the HTTP layer after each changing request, read back newest first
 * by keyset pages. Only what identifies the action is kept, never a request body.
 */
import type { AuditEntry, AuditStore, NewAuditEntry } from '../store/engine-store/index.js';

export interface AuditPage {
  entries: AuditEntry[];
  /** The `before` of the next (older) page; null on the last page. */
  nextCursor: number | null;
}

/** Targets longer than this are cut: a path parameter, never free text. */
const TARGET_MAX = 200;

export class AuditLog {
  constructor(private readonly store: AuditStore) {}

  record(e: NewAuditEntry): Promise<AuditEntry> {
    return this.store.record({
      ...e,
      target: e.target === null ? null : e.target.slice(0, TARGET_MAX),
    });
  }

  /** Newest first; `before` is the cursor a previous page answered. */
  async page(q: { before?: number; limit: number }): Promise<AuditPage> {
    // One more than asked: whether there is a next page without a second query.
    const rows = await this.store.listAudit({ before: q.before, limit: q.limit + 1 });
    const entries = rows.slice(0, q.limit);
    return {
      entries,
      nextCursor: rows.length > q.limit ? entries[entries.length - 1].id : null,
    };
  }
}
