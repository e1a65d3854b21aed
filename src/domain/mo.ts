/** An MO message (handset → Hermod), stored once its parts are joined (or released incomplete). */
export interface MoMessage {
  id: string;
  /** The connector it arrived on. */
  connectorId: string;
  /** The handset: E.164 digits without "+". */
  source: string;
  /** Our number or short code it was sent to. */
  destination: string;
  dataCoding: number;
  /** The joined short_message bytes, UDH removed. */
  body: Buffer;
  /** The decoded text when the coding is textual. */
  text: string | null;
  /** The account it was routed to, if any. */
  userId: string | null;
  /** How many parts it was made of. */
  parts: number;
  /** False when released after a timeout with parts missing (row 23). */
  complete: boolean;
  receivedAt: number;
}
