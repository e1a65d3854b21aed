/**
 * What a message's state change owes its customer: the SMPP receipt held in the outbox for
 * their bind (registered_delivery), and the HTTP callbacks (Jasmin DLR levels, REST
 * events). Built as values; the store writes them in the transaction of the state change.
 */
import { RECEIPT_STAT, type MessageState, type StoredMessage } from '../domain/index.js';
import type { FinalNotice, FinalNotification, NewWebhook } from '../store/store.js';
import { webhooksForState, type StateReport } from './webhook-items.js';
import type { GatewayContext } from './options.js';

/** The receipt forwarded to a customer, as stored in the outbox. */
export interface CustomerReceipt {
  messageId: string;
  source: string;
  destination: string;
  state: MessageState;
  stat: string;
  err: string;
  submitDate: number;
  doneDate: number;
  /** For a multipart message: parts submitted and parts delivered (the receipt's sub/dlvrd). */
  parts?: { total: number; delivered: number };
}

/** An MO as held in the outbox for a customer's SMPP bind. */
export interface CustomerMo {
  kind: 'mo';
  id: string;
  source: string;
  destination: string;
  dataCoding: number;
  body: string; // base64
  complete: boolean;
}

/** Parts submitted and delivered of a message that became final. */
export interface PartsCount {
  total: number;
  delivered: number;
}

/**
 * The customer's receipt for a message whose aggregate state became final, when they asked
 * for one (registered_delivery 1: any final state, 2: failures only); undefined otherwise.
 */
export function customerReceipt(
  state: MessageState,
  m: StoredMessage,
  parts: PartsCount,
  opts: { err: string; doneDate: number },
): CustomerReceipt | undefined {
  const wants = m.registeredDelivery & 0x03;
  if (!(wants === 1 || (wants === 2 && state !== 'delivered'))) return undefined;
  return {
    messageId: m.meta.smppMessageId ?? m.id,
    source: m.source,
    destination: m.destination,
    state,
    stat: RECEIPT_STAT[state] ?? 'UNKNOWN',
    err: state === 'delivered' ? '000' : opts.err,
    submitDate: m.createdAt,
    doneDate: opts.doneDate,
    ...(parts.total > 1 ? { parts } : {}),
  };
}

/** The outbox item of `customerReceipt`, for the message's SMPP account. */
export function receiptItem(
  state: MessageState,
  m: StoredMessage,
  parts: PartsCount,
  err: string,
): { systemId: string; payload: string } | undefined {
  const receipt = customerReceipt(state, m, parts, { err, doneDate: Date.now() });
  return receipt && { systemId: m.systemId, payload: JSON.stringify(receipt) };
}

/** A message a store write may have ended, and what the store says it owed (written in that write). */
export interface Notified {
  id: string;
  notified?: FinalNotification;
}

export class Notifier {
  constructor(private readonly ctx: GatewayContext) {}

  /**
   * The pure notice a store write that may end messages writes once per message that
   * becomes final: its receipt for the outbox and its webhooks. `err` is the receipt's error
   * code; `report` what the webhooks say besides. The store returns its answer; `announce`
   * it after the commit.
   */
  forFinal(err: string, report: Omit<StateReport, 'state' | 'at'>): FinalNotice {
    const retentionMs = this.ctx.opts.webhookRetentionMs;
    return ({ state, message: m, parts }) => {
      const item = receiptItem(state, m, parts, err);
      const built = buildWebhooks(m, { ...report, state, at: Date.now(), parts }, retentionMs);
      if (built.webhooks.length === 0 && built.error === undefined) return item;
      return {
        ...item,
        webhooks: built.webhooks,
        ...(built.error !== undefined ? { webhookError: built.error } : {}),
      };
    };
  }

  /**
   * After the commit: wakes who delivers what the writes owed (the SMPP server per account,
   * the webhook sender once) and reports a callback that could not be built.
   */
  announce(writes: Notified[]): void {
    const systemIds = new Set<string>();
    let webhooks = false;
    for (const { id, notified } of writes) {
      if (!notified) continue;
      if (notified.webhookError !== undefined) this.ctx.emit('webhook_error', id, notified.webhookError);
      if (notified.systemId !== undefined && notified.payload !== undefined) systemIds.add(notified.systemId);
      if ((notified.webhooks?.length ?? 0) > 0) webhooks = true;
    }
    for (const systemId of systemIds) this.ctx.emit('outbox', systemId);
    if (webhooks) this.ctx.emit('webhooks');
  }

  /**
   * The HTTP callbacks a non-final state change owes (the SMSC accepted the message:
   * Jasmin level 1, REST `message.sent`). Call it in the same turn as the store write of
   * that state: both stores commit the writes of one turn in one transaction.
   */
  report(m: StoredMessage, r: StateReport): Promise<void> {
    const built = buildWebhooks(m, r, this.ctx.opts.webhookRetentionMs);
    if (built.error !== undefined) this.ctx.emit('webhook_error', m.id, built.error);
    if (built.webhooks.length === 0) return Promise.resolve();
    return this.ctx.store.addWebhooks(built.webhooks).then(() => void this.ctx.emit('webhooks'));
  }
}

/**
 * The HTTP callbacks a state change owes (pure). A callback that cannot be built never
 * changes what happens to the message itself: it is left out, and its error returned.
 */
export function buildWebhooks(
  m: StoredMessage,
  r: StateReport,
  retentionMs: number | undefined,
): { webhooks: NewWebhook[]; error?: unknown } {
  if (!m.meta.dlr && !m.meta.callbackUrl && !m.meta.kannel) return { webhooks: [] };
  try {
    return { webhooks: webhooksForState(m, r, retentionMs) };
  } catch (error) {
    return { webhooks: [], error };
  }
}
