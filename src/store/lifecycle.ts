/**
 * The data lifecycle's side of the store (docs/operations.md): retention in small batches,
 * the purge lease of a cluster, and erasure of a number. Implemented by both stores
 * (src/store/sqlite/lifecycle.ts, src/store/postgres/lifecycle.ts).
 */
import { createHmac } from 'node:crypto';
import { newMessageId } from '../domain/index.js';
import { HermodError } from '../lib/errors.js';

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

/**
 * Which messages an age applies to: the operator's default (every account but those with ages
 * of their own, and MOs, which belong to no account) or one account's own.
 */
export interface AgeScope {
  /** Created before this time (ms). */
  before: number;
  /** Only this account's messages (an account with ages of its own). */
  userId?: number;
  /** Every account but these (the default scope leaves out accounts with ages of their own). */
  exceptUserIds?: readonly number[];
  /** MOs too (the default scope only: an MO belongs to no account). */
  mo?: boolean;
  /** MOs only, no message (with `mo`: when every account has a scope of its own). */
  moOnly?: boolean;
}

/** A message leaving the store, as the archive keeps it (rows as stored, numbers as numbers). */
export interface ExpiredMessage {
  id: string;
  userId: number;
  username: string | null;
  systemId: string;
  source: string;
  destination: string;
  esmClass: number;
  dataCoding: number;
  body: Buffer;
  connectorId: string;
  priceMicros: number;
  state: string;
  upstreamId: string | null;
  error: string | null;
  createdAt: number;
  updatedAt: number;
  meta: Record<string, unknown>;
  parts: {
    seq: number;
    total: number;
    state: string;
    connectorId: string | null;
    upstreamId: string | null;
    error: string | null;
    createdAt: number;
    updatedAt: number;
  }[];
  history: { state: string; at: number; detail: string | null; seq: number | null }[];
}

/** An MO leaving the store. */
export interface ExpiredMo {
  id: string;
  connectorId: string;
  source: string;
  destination: string;
  dataCoding: number;
  body: Buffer;
  routedTo: string | null;
  receivedAt: number;
  /** An inbound MMS's media references (JSON as stored), null for an SMS. */
  media: unknown;
}

export interface ExpiredBatch {
  messages: ExpiredMessage[];
  mos: ExpiredMo[];
}

/** A mark of `lifecycle_marks` written in the deletion's own transaction (the archive's committed length). */
export interface LifecycleMark {
  name: string;
  value: string;
}

export interface LifecycleStore {
  /**
   * Masks the content and the numbers of up to `limit` messages (and, with `mo`, MOs) of the
   * scope created before `before` that are no longer queued, after those an earlier batch of
   * the same scope did.
   */
  redactBatch(o: AgeScope & { limit: number; now: number }): Promise<RetentionBatch>;
  /**
   * Deletes up to `limit` messages of the scope created before `before` that are no longer
   * queued, with their parts, history, upstream ids and webhooks; and as many MOs. Report
   * counters and the ledger stay.
   */
  deleteBatch(o: AgeScope & { limit: number }): Promise<RetentionBatch>;
  /** Reads (without deleting) up to `limit` messages (and MOs) deleteBatch would delete, whole, for the archive. */
  expiredBatch(o: AgeScope & { limit: number }): Promise<ExpiredBatch>;
  /**
   * Deletes these messages (still not queued) and MOs as deleteBatch does, and writes `marks`
   * in the same transaction (the archive's committed length: what was archived and what was
   * deleted never disagree after a crash).
   */
  deleteExpired(o: {
    messageIds: readonly string[];
    moIds: readonly string[];
    marks?: readonly LifecycleMark[];
    now: number;
  }): Promise<RetentionBatch>;
  /**
   * Deletes up to `limit` rows of each of the SMS engine's tables the scope's age has passed:
   * inbox conversations quiet since `before`, recipients of campaigns finished before it (their
   * statistics kept first), contact import jobs finished before it and their error reports.
   */
  purgeEngineBatch(o: AgeScope & { limit: number; now: number }): Promise<RetentionBatch>;
  /** A mark of `lifecycle_marks` (undefined when never written). */
  readMark(name: string): Promise<string | undefined>;
  /** The purge lease of a cluster: true when `holder` holds it until `now + ttlMs`. */
  takePurgeLease(o: { holder: string; ttlMs: number; now: number }): Promise<boolean>;
  /** Gives freed space back (SQLite: incremental vacuum); the pages freed. */
  reclaimSpace(): Promise<number>;
  /** Removes or masks `msisdn` everywhere it is stored; its opt-outs are kept under a keyed hash. */
  erase(r: ErasureRequest): Promise<ErasureResult>;
  /**
   * Keys the erased numbers' hashes with `pepper` (a server secret kept outside the store)
   * besides the store's own key, from now on. Throws ErasurePepperError when the store's
   * erasures were made with another pepper, or none (their opt-outs would stop holding).
   */
  usePepper(pepper: string | null): Promise<void>;
}

/** The erasure pepper differs from the one the store's erasures were made with. */
export class ErasurePepperError extends HermodError {
  constructor(message: string) {
    super('HERMOD_ERR_ERASURE_PEPPER', message);
  }
}

/** What the store keeps of a pepper (to recognise it, never to recover it). */
export const pepperFingerprint = (pepper: string | null): string =>
  pepper === null ? '' : createHmac('sha256', pepper).update('hermod erasure pepper').digest('hex');

/** The HMAC key of erased numbers: the store's own key, with the pepper when there is one. */
export const erasureHmacKey = (storeKey: string, pepper: string | null): string =>
  pepper === null ? storeKey : `${storeKey}:${pepper}`;

/**
 * Whether a store whose pepper mark is `mark` (undefined: never written) and which holds
 * erasures (`erased`) may use `pepper`: the mark to write, or the reason it may not.
 */
export function checkPepper(
  mark: string | undefined,
  erased: boolean,
  pepper: string | null,
): { write?: string; refuse?: string } {
  const want = pepperFingerprint(pepper);
  // No mark: the erasures (if any) were made before peppers, without one.
  const have = mark ?? '';
  if (have === want) return {};
  // Nothing was hashed with the old one: switch freely.
  if (!erased) return { write: want };
  return {
    refuse:
      pepper === null
        ? "the store's erasures were made with an erasure pepper (erasure.pepper / HERMOD_ERASURE_PEPPER): give the same one, or the erased numbers' opt-outs stop holding"
        : have === ''
          ? 'the store holds erasures made without an erasure pepper: adding one now would make their opt-outs stop holding (remove erasure.pepper / HERMOD_ERASURE_PEPPER)'
          : "the erasure pepper differs from the one the store's erasures were made with: give the same one, or the erased numbers' opt-outs stop holding",
  };
}

/** The mark a scope's redaction has gone up to (the default scope keeps the first name it had). */
export const redactMark = (s: AgeScope, kind: 'messages' | 'mo'): string =>
  (kind === 'mo' ? 'mo_redacted_through' : 'redacted_through') +
  (s.userId === undefined ? '' : `:user:${s.userId}`);

type Raw = Record<string, unknown>;
const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const jsonOrNull = (v: string): unknown => {
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return null;
  }
};
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** An expired message from its rows (both stores select the same columns; PostgreSQL gives bigints as strings). */
export function expiredMessage(m: Raw, parts: Raw[], events: Raw[]): ExpiredMessage {
  let meta: Record<string, unknown> = {};
  try {
    meta = typeof m.meta === 'string' ? (JSON.parse(m.meta) as Record<string, unknown>) : {};
  } catch {
    // A meta that is not JSON is left out of the archive rather than stopping the purge.
  }
  return {
    id: String(m.id),
    userId: num(m.user_id),
    username: strOrNull(m.username),
    systemId: String(m.system_id),
    source: String(m.source),
    destination: String(m.destination),
    esmClass: num(m.esm_class),
    dataCoding: num(m.data_coding),
    body: Buffer.from(m.body as Uint8Array),
    connectorId: String(m.connector_id),
    priceMicros: num(m.price_micros),
    state: String(m.state),
    upstreamId: strOrNull(m.upstream_id),
    error: strOrNull(m.error),
    createdAt: num(m.created_at),
    updatedAt: num(m.updated_at),
    meta,
    parts: parts.map((p) => ({
      seq: num(p.seq),
      total: num(p.total),
      state: String(p.state),
      connectorId: strOrNull(p.connector_id),
      upstreamId: strOrNull(p.upstream_id),
      error: strOrNull(p.error),
      createdAt: num(p.created_at),
      updatedAt: num(p.updated_at),
    })),
    history: events.map((e) => ({
      state: String(e.state),
      at: num(e.at),
      detail: strOrNull(e.detail),
      seq: numOrNull(e.seq),
    })),
  };
}

export function expiredMo(r: Raw): ExpiredMo {
  return {
    id: String(r.id),
    connectorId: String(r.connector_id),
    source: String(r.source),
    destination: String(r.destination),
    dataCoding: num(r.data_coding),
    body: Buffer.from(r.body as Uint8Array),
    routedTo: strOrNull(r.routed_to),
    receivedAt: num(r.received_at),
    media: typeof r.media === 'string' ? jsonOrNull(r.media) : null,
  };
}

/** Groups rows by `message_id` (in their order). */
export function byMessage(rows: Raw[]): Map<string, Raw[]> {
  const out = new Map<string, Raw[]>();
  for (const r of rows) {
    const k = String(r.message_id);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

/** The columns both stores read for an expired message. */
export const EXPIRED_MESSAGE_COLUMNS =
  'm.id, m.user_id, u.username, m.system_id, m.source, m.destination, m.esm_class, m.data_coding, m.body, m.connector_id, m.price_micros, m.state, m.upstream_id, m.error, m.created_at, m.updated_at, m.meta';

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

/**
 * Tables without a `user_id` whose rows belong to an account through a parent row: an
 * account's erasure reaches them through it (`column IN (SELECT id FROM parent WHERE user_id = …)`).
 */
export const OWNED_THROUGH: Readonly<Record<string, { column: string; parent: string }>> = {
  campaign_recipients: { column: 'campaign_id', parent: 'campaigns' },
  import_errors: { column: 'job_id', parent: 'import_jobs' },
  keyword_votes: { column: 'service_id', parent: 'keyword_services' },
};
