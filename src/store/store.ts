/**
 * What the gateway needs from storage. Every method is async so that a networked
 * store (PostgreSQL) can implement the same contract as the embedded SQLite one.
 */
import type { MessageState, NewMessage, StoredMessage, User } from '../domain/index.js';

export interface QueueClaim {
  message: StoredMessage;
  attempts: number;
}

export interface OutboxItem {
  id: number;
  systemId: string;
  messageId: string;
  payload: string;
  attempts: number;
}

export interface MoPart {
  groupKey: string;
  seq: number;
  total: number;
  connectorId: string;
  source: string;
  destination: string;
  dataCoding: number;
  body: Buffer;
}

export interface InboundMessage {
  id: string;
  connectorId: string;
  source: string;
  destination: string;
  dataCoding: number;
  body: Buffer;
  complete: boolean;
  routedTo: string | null;
  receivedAt: number;
}

/**
 * How a joined MO is recorded: its id, the customer whose bind receives it (decided on
 * the joined message when a function: MO routes may filter on the full text), and the
 * outbox payload for that customer.
 */
export interface MoRecord {
  id: string;
  routedTo: string | null | ((m: Omit<InboundMessage, 'routedTo'>) => string | null);
  payload: (m: InboundMessage) => string;
}

export type AcceptResult = { ok: true } | { ok: false; reason: 'insufficient_balance' | 'user_disabled' | 'no_user' };

export interface Store {
  // users
  getUserByName(username: string): Promise<User | undefined>;
  upsertUser(u: { username: string; passwordHash: string; balanceMicros: number; rateMicros: number; enabled?: boolean }): Promise<User>;
  getBalance(userId: number): Promise<number>;

  /**
   * Debits the price and stores the message and its queue entry in one transaction; the
   * caller acknowledges the customer only after this resolves (the message is durable).
   * A balance too low refuses the message; the balance never goes negative.
   */
  accept(m: NewMessage): Promise<AcceptResult>;

  getMessage(id: string): Promise<StoredMessage | undefined>;
  /** State history, oldest first. */
  history(id: string): Promise<{ state: MessageState; at: number; detail: string | null }[]>;

  /** Leases up to `limit` due queue entries of a connector for `leaseMs`. Expired leases return. */
  claim(connectorId: string, limit: number, leaseMs: number): Promise<QueueClaim[]>;
  /** Submitted upstream: records the upstream id under all its keys and dequeues. */
  markSent(id: string, upstreamId: string, keys: string[]): Promise<void>;
  /** Back to the queue after `delayMs` (transient failure). */
  release(id: string, delayMs: number, detail: string): Promise<void>;
  /** Moves a queued message to another connector (failover), due now. */
  reassign(id: string, connectorId: string, detail: string): Promise<void>;
  /** A final state without a receipt (permanent failure); refunds when `refund`. */
  fail(id: string, state: MessageState, detail: string, refund: boolean): Promise<void>;

  /** The message an upstream id belongs to, by any of its keys. */
  findByUpstreamKeys(keys: string[]): Promise<StoredMessage | undefined>;
  /** A receipt that arrived before its submit_sm_resp was stored (row 7). */
  parkReceipt(keys: string[], payload: string): Promise<void>;
  takeParkedReceipts(keys: string[]): Promise<string[]>;
  /** Applies a receipt's state; adds an outbox item for the customer when `notify`. */
  applyReceipt(id: string, state: MessageState, detail: string, notify: { systemId: string; payload: string } | undefined): Promise<void>;

  /** Receipts waiting for a customer's SMPP bind. */
  claimOutbox(systemId: string, limit: number, leaseMs: number): Promise<OutboxItem[]>;
  ackOutbox(id: number): Promise<void>;
  retryOutbox(id: number, delayMs: number): Promise<void>;

  /**
   * Stores one inbound part durably. When it completes its group, the parts are joined,
   * stored as one MO (with an outbox item for `routedTo`) and removed, in one transaction;
   * the MO is returned. Duplicate parts are ignored.
   */
  addMoPart(part: MoPart, mo: MoRecord): Promise<InboundMessage | undefined>;
  /** Groups older than `olderThanMs` become incomplete MOs (parts joined in order). */
  releaseStaleMoParts(olderThanMs: number, mo: (groupKey: string) => MoRecord): Promise<InboundMessage[]>;
  listMo(limit: number): Promise<InboundMessage[]>;
  setOptOut(msisdn: string, sender: string, optedOut: boolean): Promise<void>;
  isOptedOut(msisdn: string, sender: string): Promise<boolean>;

  queueDepth(connectorId?: string): Promise<number>;
  close(): Promise<void>;
}
