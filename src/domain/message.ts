/**
 * Message states (DESIGN.md, "The message pipeline"):
 * accepted → queued → sent → delivered | undelivered | expired | rejected | failed.
 */
export type MessageState = 'accepted' | 'queued' | 'sent' | 'delivered' | 'undelivered' | 'expired' | 'rejected' | 'failed' | 'unknown';

export const FINAL_STATES: ReadonlySet<MessageState> = new Set(['delivered', 'undelivered', 'expired', 'rejected', 'failed']);

/** A message as the gateway accepts it (one SMS part as received on SMPP). */
export interface NewMessage {
  id: string;
  userId: number;
  /** The customer's bind system_id, to route its receipts back. */
  systemId: string;
  source: string;
  destination: string;
  esmClass: number;
  dataCoding: number;
  body: Buffer;
  registeredDelivery: number;
  priority: number;
  connectorId: string;
  /** Price charged, in micro-units of the account currency. */
  priceMicros: number;
}

export interface StoredMessage extends NewMessage {
  state: MessageState;
  upstreamId: string | null;
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface User {
  id: number;
  username: string;
  passwordHash: string;
  balanceMicros: number;
  /** Price per SMS part in micro-units. */
  rateMicros: number;
  enabled: boolean;
}
