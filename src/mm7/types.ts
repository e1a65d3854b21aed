/**
 * MM7 messages as values (3GPP TS 23.140 §8.7, the REL-5/REL-6 schemas): one interface per
 * message, discriminated by `kind`. Times stay the strings the peer wrote (xs:dateTime or a
 * relative xs:duration), so a message survives parse → encode unchanged.
 */
import type { MmStatus } from './status.js';

/** An address: a phone number, a short code, or an e-mail address (RFC2822Address). */
export interface Mm7Address {
  readonly kind: 'number' | 'shortCode' | 'email';
  readonly value: string;
}

export interface Mm7StatusValue {
  readonly code: number;
  readonly text?: string;
  readonly details?: string;
}

export interface Recipients {
  readonly to: readonly Mm7Address[];
  readonly cc?: readonly Mm7Address[];
  readonly bcc?: readonly Mm7Address[];
}

/** One body part of a multimedia message. */
export interface Attachment {
  readonly contentType: string;
  /** Without angle brackets. */
  readonly contentId?: string;
  readonly contentLocation?: string;
  readonly bytes: Uint8Array;
}

/**
 * A message's content: a single part, or several parts sent as one `multipart/related`
 * (when `start` names the SMIL presentation part) or `multipart/mixed` part.
 */
export interface Mm7Content {
  readonly parts: readonly Attachment[];
  /** Content-ID of the presentation (SMIL) part, making the content multipart/related. */
  readonly start?: string;
}

export type Priority = 'Low' | 'Normal' | 'High';

interface Header {
  /** SOAP header TransactionID: the request's, echoed by its response. */
  readonly transactionId: string;
  /** MM7Version, e.g. 5.3.0 (REL-5) or 6.8.0 (REL-6). */
  readonly version: string;
}

export interface SubmitReq extends Header {
  readonly kind: 'SubmitReq';
  readonly vaspId?: string;
  readonly vasId?: string;
  readonly sender?: Mm7Address;
  readonly recipients: Recipients;
  readonly serviceCode?: string;
  readonly linkedId?: string;
  readonly messageClass?: string;
  readonly timeStamp?: string;
  readonly expiryDate?: string;
  readonly earliestDeliveryTime?: string;
  readonly deliveryReport?: boolean;
  readonly readReply?: boolean;
  readonly priority?: Priority;
  readonly subject?: string;
  readonly distributionIndicator?: boolean;
  readonly content?: Mm7Content;
}

export interface SubmitRsp extends Header {
  readonly kind: 'SubmitRsp';
  readonly status: Mm7StatusValue;
  readonly messageId?: string;
}

export interface DeliverReq extends Header {
  readonly kind: 'DeliverReq';
  readonly mmsRelayServerId?: string;
  readonly vaspId?: string;
  readonly vasId?: string;
  readonly linkedId?: string;
  readonly sender: Mm7Address;
  readonly recipients?: Recipients;
  readonly timeStamp?: string;
  readonly replyChargingId?: string;
  readonly priority?: Priority;
  readonly subject?: string;
  readonly content?: Mm7Content;
}

export interface DeliverRsp extends Header {
  readonly kind: 'DeliverRsp';
  readonly status: Mm7StatusValue;
  readonly serviceCode?: string;
}

export interface DeliveryReportReq extends Header {
  readonly kind: 'DeliveryReportReq';
  readonly mmsRelayServerId?: string;
  readonly messageId: string;
  readonly recipient: Mm7Address;
  readonly sender: Mm7Address;
  readonly date: string;
  /** An MmStatus; kept as written when a relay sends a value outside the schema. */
  readonly mmStatus: MmStatus | (string & {});
  readonly statusText?: string;
}

export interface DeliveryReportRsp extends Header {
  readonly kind: 'DeliveryReportRsp';
  readonly status: Mm7StatusValue;
}

export interface ReadReplyReq extends Header {
  readonly kind: 'ReadReplyReq';
  readonly mmsRelayServerId?: string;
  readonly messageId: string;
  readonly recipient: Mm7Address;
  readonly sender: Mm7Address;
  readonly timeStamp: string;
  readonly mmStatus: MmStatus | (string & {});
  readonly statusText?: string;
}

export interface ReadReplyRsp extends Header {
  readonly kind: 'ReadReplyRsp';
  readonly status: Mm7StatusValue;
}

/** The relay's (RSErrorRsp) or the VASP's (VASPErrorRsp) answer to a request it could not take, inside a SOAP Fault. */
export interface ErrorRsp extends Header {
  readonly kind: 'RSErrorRsp' | 'VASPErrorRsp';
  readonly status: Mm7StatusValue;
  /** The SOAP Fault's faultcode: `Client` (the request is wrong) or `Server`. */
  readonly faultCode: 'Client' | 'Server';
  readonly faultString: string;
}

export type Mm7Message =
  | SubmitReq
  | SubmitRsp
  | DeliverReq
  | DeliverRsp
  | DeliveryReportReq
  | DeliveryReportRsp
  | ReadReplyReq
  | ReadReplyRsp
  | ErrorRsp;

export type Mm7Kind = Mm7Message['kind'];
export type MessageOf<K extends Mm7Kind> = Extract<Mm7Message, { kind: K }>;
