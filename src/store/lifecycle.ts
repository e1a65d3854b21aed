/**
 * The data lifecycle's side of the store (docs/operations.md): retention in small batches,
 * the purge lease of a cluster, and erasure of a number. Implemented by both stores
 * (src/store/sqlite/lifecycle.ts, src/store/postgres/lifecycle.ts).
 */
import { createHmac } from 'node:crypto';
import { newMessageId } from '../domain/index.js';

export interface RetentionBatch {
  /** Messages (and MOs) handled by this batch. */
  messages: number;
  /** Rows deleted with them (parts, history, upstream ids, webhooks). */
  rows: number;
  /** Nothing older is left to handle. */
  done: boolean;
}

export interface ErasureRequest {
  /** The number as the store keeps it (digits of the E.164 form, no "+"). */
  msisdn: string;
  /** Only this account's messages, contacts and campaign recipients (undefined: everywhere). */
  userId?: number;
  /** Who asked (an operator, the admin token, an account's user), for the record. */
  actor: string;
  now: number;
}

export interface ErasureResult {
  /** The record's id in `erasures`. */
  id: number;
  /** The keyed hash the number's opt-outs are now kept under (and the record names). */
  numberHash: string;
  /** Rows changed or deleted, per table. */
  tables: Record<string, number>;
  rows: number;
  /** Senders the number had opted out from: still refused. */
  optOutsKept: number;
}

export interface LifecycleStore {
  /**
   * Masks the content and the numbers of up to `limit` messages and MOs created before
   * `before` (ms) that are no longer queued, after those an earlier batch did.
   */
  redactBatch(o: { before: number; limit: number; now: number }): Promise<RetentionBatch>;
  /**
   * Deletes up to `limit` messages created before `before` that are no longer queued, with
   * their parts, history, upstream ids and webhooks; and as many MOs. Report counters and the
   * ledger stay.
   */
  deleteBatch(o: { before: number; limit: number }): Promise<RetentionBatch>;
  /** The purge lease of a cluster: true when `holder` holds it until `now + ttlMs`. */
  takePurgeLease(o: { holder: string; ttlMs: number; now: number }): Promise<boolean>;
  /** Gives freed space back (SQLite: incremental vacuum); the pages freed. */
  reclaimSpace(): Promise<number>;
  /** Removes or masks `msisdn` everywhere it is stored; its opt-outs are kept under a keyed hash. */
  erase(r: ErasureRequest): Promise<ErasureResult>;
}

/** The smallest message id of the millisecond `at`: ids sort by creation time (domain/ids.ts). */
export const idFloor = (at: number): string => newMessageId(at).slice(0, 10) + '0'.repeat(16);

/** The keyed hash an erased number's opt-outs are kept under (the key is the store's own). */
export const erasedTag = (key: string, msisdn: string): string =>
  `erased:${createHmac('sha256', key).update(msisdn).digest('hex')}`;

/** What replaces an erased number inside other text: distinct per number, not the number. */
export const erasedMark = (tag: string): string => `[erased ${tag.slice(7, 19)}]`;

/** Content masked by retention: the first digits (the country) stay for reports. */
export const REDACTED_TEXT = '[redacted]';

/** Tables the erasure's sweep of every text column skips: their own rows are handled by the erasure, or hold no personal data. */
export const NOT_SWEPT: ReadonlySet<string> = new Set([
  'schema_migrations',
  'engine_migrations',
  'lifecycle_marks',
  'erasures',
  'optouts',
]);
