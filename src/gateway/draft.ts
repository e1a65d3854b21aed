/**
 * The one door in: what every interface (SMPP server, Jasmin /send, REST, the campaign
 * runner) turns its input into before the gateway accepts it.
 */
import type { MessageMeta } from '../domain/index.js';
import type { GivenArguments } from './accounts.js';

export interface SubmitDraft {
  systemId: string;
  source: string;
  destination: string;
  esmClass: number;
  dataCoding: number;
  body: Buffer;
  registeredDelivery: number;
  priority?: number;
  /** Optional attributes stored with the message (see MessageMeta). */
  meta?: MessageMeta;
  /** Arguments the customer gave that an authorization forbids giving (checked, not stored). */
  given?: GivenArguments;
  /**
   * Sent even to a number that opted out of this source: only the gateway's own STOP
   * confirmation, which the opted-out handset is owed. Never set from a customer's input.
   */
  ignoreOptOut?: boolean;
}
