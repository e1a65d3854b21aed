/**
 * The customer outbox as the SMPP server sees it: receipts and MOs waiting for a receiving
 * bind of their account, handed over as typed `CustomerNotice`s. An item leaves the outbox
 * when the customer acknowledged it (deliver_sm_resp); a failed delivery comes back later,
 * with a back-off that doubles per attempt up to a minute.
 */
import type { OutboxItem, Store } from '../store/store.js';
import type { CustomerMo, CustomerReceipt } from './gateway.js';

/** One item for a customer's bind: a delivery receipt, or an inbound message routed to it. */
export type CustomerNotice =
  | { kind: 'receipt'; id: number; attempts: number; receipt: CustomerReceipt }
  | { kind: 'mo'; id: number; attempts: number; mo: CustomerMo };

export interface OutboxOptions {
  /** How many items one claim takes (default 100). */
  batch?: number;
  /** How long a claimed item is not handed out again unless settled (default 30 s). */
  leaseMs?: number;
}

/** The item's payload as the gateway wrote it: a CustomerMo carries `kind: 'mo'`, a receipt no kind. */
export function noticeOf(item: OutboxItem): CustomerNotice {
  const parsed = JSON.parse(item.payload) as CustomerReceipt | CustomerMo;
  if ('kind' in parsed && parsed.kind === 'mo')
    return { kind: 'mo', id: item.id, attempts: item.attempts, mo: parsed };
  return { kind: 'receipt', id: item.id, attempts: item.attempts, receipt: parsed as CustomerReceipt };
}

/** The delay before a failed notice is handed out again: 1 s, doubling per attempt, at most 60 s. */
export function retryDelayMs(attempts: number): number {
  return Math.min(60_000, 1000 * 2 ** Math.min(6, attempts));
}

export class Outbox {
  private readonly batch: number;
  private readonly leaseMs: number;

  constructor(
    private readonly store: Store,
    opts: OutboxOptions = {},
  ) {
    this.batch = opts.batch ?? 100;
    this.leaseMs = opts.leaseMs ?? 30_000;
  }

  /** The next notices due for `systemId`, leased to the caller. */
  async claim(systemId: string): Promise<CustomerNotice[]> {
    return (await this.store.claimOutbox(systemId, this.batch, this.leaseMs)).map(noticeOf);
  }

  /** The customer acknowledged it: it leaves the outbox. */
  delivered(notice: CustomerNotice): Promise<void> {
    return this.store.ackOutbox(notice.id);
  }

  /** Delivery failed: handed out again after the back-off. */
  failed(notice: CustomerNotice): Promise<void> {
    return this.store.retryOutbox(notice.id, retryDelayMs(notice.attempts));
  }
}
