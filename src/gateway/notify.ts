/**
 * What a message's state change owes its customer: the SMPP receipt held in the outbox for
 * their bind (registered_delivery), and the HTTP callbacks (Jasmin DLR levels, REST
 * events). Built as values; the store writes them in the transaction of the state change.
 */
import { RECEIPT_STAT, type MessageState, type StoredMessage } from '../domain/index.js';
import type { FinalNotify, NewWebhook } from '../store/store.js';
import { webhooksForState, type StateReport } from './webhooks.js';
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

/** What the final states of one store write owed: the SMPP accounts with a new outbox item, and whether webhooks were stored. */
export interface Owed {
  systemIds: Set<string>;
  webhooks: boolean;
}

export class Notifier {
  constructor(private readonly ctx: GatewayContext) {}

  /**
   * The notice a store write that may end messages runs once per message that becomes
   * final (its receipt for the outbox, its webhooks), and what it owed after it ran, for
   * `announce`. `err` is the receipt's error code; `report` what the webhooks say besides.
   */
  forFinal(err: string, report: Omit<StateReport, 'state' | 'at'>): { notify: FinalNotify; owed: Owed } {
    const owed: Owed = { systemIds: new Set(), webhooks: false };
    const notify: FinalNotify = (state, m, parts) => {
      const item = receiptItem(state, m, parts, err);
      if (item) owed.systemIds.add(item.systemId);
      const webhooks = this.webhooksFor(m, { ...report, state, at: Date.now(), parts });
      if (webhooks.length === 0) return item;
      owed.webhooks = true;
      return { ...item, webhooks };
    };
    return { notify, owed };
  }

  /** Wakes who delivers what a write owed: the SMPP server per account, the webhook sender. */
  announce(owed: Owed): void {
    for (const systemId of owed.systemIds) this.ctx.emit('outbox', systemId);
    if (owed.webhooks) this.ctx.emit('webhooks');
  }

  /** The HTTP callbacks a state change owes; a callback that cannot be built is reported, never thrown. */
  webhooksFor(m: StoredMessage, r: StateReport): NewWebhook[] {
    if (!m.meta.dlr && !m.meta.callbackUrl) return [];
    try {
      return webhooksForState(m, r, this.ctx.opts.webhookRetentionMs);
    } catch (err) {
      // A callback we cannot build must never change what happens to the message itself.
      this.ctx.emit('webhook_error', m.id, err);
      return [];
    }
  }

  /**
   * The HTTP callbacks a non-final state change owes (the SMSC accepted the message:
   * Jasmin level 1, REST `message.sent`). Call it in the same turn as the store write of
   * that state: both stores commit the writes of one turn in one transaction.
   */
  report(m: StoredMessage, r: StateReport): Promise<void> {
    const items = this.webhooksFor(m, r);
    if (items.length === 0) return Promise.resolve();
    return this.ctx.store.addWebhooks(items).then(() => void this.ctx.emit('webhooks'));
  }
}
