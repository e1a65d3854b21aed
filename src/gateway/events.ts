/**
 * The gateway's events, one typed entry per name: metrics, the log, the customer SMPP
 * server and tests listen to them. A listener or an `emit` with the wrong name or
 * arguments does not compile.
 */
import { EventEmitter } from 'node:events';
import type { MessageState, OptOutKind } from '../domain/index.js';
import type { InboundMessage } from '../store/store.js';

/** How a late submit_sm_resp ended (the `late_submit` event). */
export type LateSubmitOutcome = 'refused' | 'duplicate' | 'after_final' | 'recorded';

/** A webhook delivery's result, as the composition root relays the sender's events. */
export type WebhookResult = 'ok' | 'failed' | 'expired' | 'refused';

export interface GatewayEvents {
  // connectors
  connector_started: [connectorId: string];
  connector_stopped: [connectorId: string];
  // accept
  accepted: [id: string, connectorId: string, priceMicros: number];
  /** A customer resend inside the dedupe window, answered with the first message's id. */
  duplicate: [key: string];
  canceled: [id: string];
  // dispatch
  /** One part's submit answered (submit → response seconds, for the metrics). */
  submitted: [id: string, seq: number, connectorId: string, seconds: number];
  part_sent: [id: string, seq: number, upstreamId: string];
  sent: [id: string, parts: number, connectorId: string];
  retry: [id: string, detail: string, connectorId: string];
  failover: [id: string, from: string, to: string];
  /** A batch of a down connector's queue moved along its routes (each message also has its `failover`). */
  queue_moved: [from: string, messages: number];
  failed: [id: string, detail: string, state: MessageState | undefined, connectorId: string];
  /** Its validity period ended before it was sent. */
  expired: [id: string];
  late_submit: [id: string, seq: number, connectorId: string, outcome: LateSubmitOutcome];
  duplicate_submit: [id: string, seq: number, connectorId: string];
  restart_requeued: [messages: number];
  // receipts
  /** A receipt applied: the message's aggregate state; connector and seconds since sent for the metrics. */
  receipt: [
    id: string,
    state: MessageState,
    seq: number,
    connectorId: string | undefined,
    secondsSinceSent: number | undefined,
  ];
  receipt_parked: [receiptId: string];
  receipt_expired: [id: string, seq: number, connectorId: string, state: MessageState | undefined];
  dlr_expired: [parts: number];
  parked_expired: [receipts: number];
  // MO
  mo: [mo: InboundMessage];
  mo_webhook: [mo: InboundMessage, target: { url: string; method: 'GET' | 'POST' }];
  optout: [msisdn: string, sender: string];
  optin: [msisdn: string, sender: string];
  optout_reply: [moId: string, kind: OptOutKind, messageId: string];
  /** The reply could not be sent (no account, a refusal): `err` says why. */
  optout_reply_failed: [moId: string, kind: OptOutKind, err: Error];
  // notifications
  /** The customer outbox of this SMPP account has a new item. */
  outbox: [systemId: string];
  outbox_expired: [items: number];
  /** New webhook items are stored: wakes the sender. */
  webhooks: [];
  webhook: [result: WebhookResult];
  webhook_error: [id: string, err: unknown];
  // sweeps
  store_error: [err: unknown];
  /** The media retention sweep deleted this many items (docs/mms.md). */
  media_purged: [count: number];
}

export type GatewayEventName = keyof GatewayEvents;

/** How a service raises a gateway event (the facade's emit). */
export type Emit = <K extends GatewayEventName>(event: K, ...args: GatewayEvents[K]) => void;

/** An EventEmitter whose names and arguments are checked against an event map. */
export class TypedEmitter<E extends { [K in keyof E]: unknown[] }> extends EventEmitter {
  override on<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    return super.on(event, listener as (...args: unknown[]) => void);
  }

  override once<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    return super.once(event, listener as (...args: unknown[]) => void);
  }

  override off<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    return super.off(event, listener as (...args: unknown[]) => void);
  }

  override emit<K extends keyof E & string>(event: K, ...args: E[K]): boolean {
    return super.emit(event, ...args);
  }
}
