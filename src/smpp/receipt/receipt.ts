/**
 * Delivery receipts: the text of SMPP 3.4 Appendix B
 *   id:IIIIIIIIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DDDDDDD err:E text:...
 * as real SMSCs vary it (hex, decimal or UUID ids; 10- or 12-digit dates; missing or
 * reordered fields; `Text:`/`text:`; `submit_date`), and the receipted_message_id /
 * message_state / network_error_code TLVs (§5.3.2.12, §5.3.2.35, §5.3.2.31).
 * A receipt found in either place gives one typed `Receipt`.
 */

export type ReceiptStat =
  'DELIVRD' | 'EXPIRED' | 'DELETED' | 'UNDELIV' | 'ACCEPTD' | 'UNKNOWN' | 'REJECTD' | 'ENROUTE' | 'SKIPPED';
export type ReceiptState =
  | 'delivered'
  | 'expired'
  | 'deleted'
  | 'undelivered'
  | 'accepted'
  | 'unknown'
  | 'rejected'
  | 'enroute'
  | 'skipped';

export interface Receipt {
  /** The SMSC's message id as written in the receipt (see `messageIdKeys` to match it). */
  id: string;
  stat: ReceiptStat;
  state: ReceiptState;
  sub?: number;
  dlvrd?: number;
  submitDate?: Date;
  doneDate?: Date;
  err?: string;
  text?: string;
  networkError?: { networkType: number; errorCode: number };
  /** What kind of receipt esm_class announced (SMPP 3.4 §5.2.12). */
  kind?: 'smsc' | 'sme-ack' | 'user-ack' | 'intermediate';
  /** The receipt text as received, when there was one. */
  raw?: string;
}

const STAT_TO_STATE: Record<ReceiptStat, ReceiptState> = {
  DELIVRD: 'delivered',
  EXPIRED: 'expired',
  DELETED: 'deleted',
  UNDELIV: 'undelivered',
  ACCEPTD: 'accepted',
  UNKNOWN: 'unknown',
  REJECTD: 'rejected',
  ENROUTE: 'enroute',
  SKIPPED: 'skipped',
};

// SMPP 3.4 §5.2.28 message_state (and 5.0's SKIPPED = 9).
const MESSAGE_STATES: readonly (ReceiptStat | undefined)[] = [
  undefined,
  'ENROUTE',
  'DELIVRD',
  'EXPIRED',
  'DELETED',
  'UNDELIV',
  'ACCEPTD',
  'UNKNOWN',
  'REJECTD',
  'SKIPPED',
];

/** Aliases real SMSCs write for the 7-letter stats. Unknown words map to UNKNOWN, never DELIVRD. */
const STAT_ALIASES: Record<string, ReceiptStat> = {
  DELIVRD: 'DELIVRD',
  DELIVERED: 'DELIVRD',
  DELIVER: 'DELIVRD',
  EXPIRED: 'EXPIRED',
  DELETED: 'DELETED',
  UNDELIV: 'UNDELIV',
  UNDELIVERABLE: 'UNDELIV',
  UNDELIVERED: 'UNDELIV',
  FAILED: 'UNDELIV',
  ACCEPTD: 'ACCEPTD',
  ACCEPTED: 'ACCEPTD',
  UNKNOWN: 'UNKNOWN',
  REJECTD: 'REJECTD',
  REJECTED: 'REJECTD',
  ENROUTE: 'ENROUTE',
  SKIPPED: 'SKIPPED',
};

export function stateOfStat(stat: ReceiptStat): ReceiptState {
  return STAT_TO_STATE[stat];
}

export function statOfMessageState(messageState: number): ReceiptStat {
  return MESSAGE_STATES[messageState] ?? 'UNKNOWN';
}

export function messageStateOf(stat: ReceiptStat): number {
  const i = MESSAGE_STATES.indexOf(stat);
  return i > 0 ? i : 7;
}

/** Final states end a message's life; ENROUTE and ACCEPTD may still change. */
export function isFinalState(state: ReceiptState): boolean {
  return state !== 'enroute' && state !== 'accepted' && state !== 'unknown';
}

// Field names in any case, with a space or underscore inside "submit date"/"done date".
const FIELD_RE = /(?:^|\s)(id|sub|dlvrd|submit[ _]date|done[ _]date|stat|err|text)\s*:\s*/gi;

/** Parses the Appendix B text; undefined when the text is not a receipt (no id or no stat). */
export function parseReceiptText(text: string): Receipt | undefined {
  const fields = new Map<string, string>();
  const matches = [...text.matchAll(FIELD_RE)];
  for (let i = 0; i < matches.length; i++) {
    const m = matches[i];
    const key = m[1].toLowerCase().replace('_', ' ');
    const start = m.index! + m[0].length;
    const end = key === 'text' ? text.length : i + 1 < matches.length ? matches[i + 1].index! : text.length;
    if (!fields.has(key)) fields.set(key, text.slice(start, end).trim());
    if (key === 'text') break; // free text may contain "stat:" and the like
  }
  const id = fields.get('id')?.split(/\s+/)[0];
  const statWord = fields.get('stat')?.split(/\s+/)[0]?.toUpperCase();
  if (!id || !statWord) return undefined;
  const stat = STAT_ALIASES[statWord] ?? 'UNKNOWN';
  const r: Receipt = { id, stat, state: STAT_TO_STATE[stat], raw: text };
  const sub = intField(fields.get('sub'));
  if (sub !== undefined) r.sub = sub;
  const dlvrd = intField(fields.get('dlvrd'));
  if (dlvrd !== undefined) r.dlvrd = dlvrd;
  const submitDate = parseReceiptDate(fields.get('submit date'));
  if (submitDate) r.submitDate = submitDate;
  const doneDate = parseReceiptDate(fields.get('done date'));
  if (doneDate) r.doneDate = doneDate;
  const err = fields.get('err')?.split(/\s+/)[0];
  if (err) r.err = err;
  if (fields.has('text')) r.text = fields.get('text');
  return r;
}

function intField(v: string | undefined): number | undefined {
  const m = v?.match(/^\d+/);
  return m ? Number(m[0]) : undefined;
}

/** YYMMDDhhmm or YYMMDDhhmmss (UTC: receipts carry no zone). */
export function parseReceiptDate(v: string | undefined): Date | undefined {
  const m = v?.match(/^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?/);
  if (!m) return undefined;
  const [, yy, mo, dd, hh, mi, ss] = m;
  const d = new Date(
    Date.UTC(2000 + Number(yy), Number(mo) - 1, Number(dd), Number(hh), Number(mi), ss ? Number(ss) : 0),
  );
  return Number.isNaN(d.getTime()) || d.getUTCMonth() !== Number(mo) - 1 ? undefined : d;
}

function formatDate(d: Date | undefined): string {
  if (!d) return '0000000000';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}`;
}

/** The canonical Appendix B text (sub/dlvrd/err 3 digits, dates YYMMDDhhmm, text ≤ 20 chars). */
export function formatReceiptText(r: Omit<Receipt, 'state'> & { state?: ReceiptState }): string {
  const n3 = (n: number | undefined) => String(n ?? 0).padStart(3, '0');
  const err = r.err === undefined ? '000' : /^\d+$/.test(r.err) ? r.err.padStart(3, '0') : r.err;
  return (
    `id:${r.id} sub:${n3(r.sub)} dlvrd:${n3(r.dlvrd)} submit date:${formatDate(r.submitDate)} ` +
    `done date:${formatDate(r.doneDate)} stat:${r.stat} err:${err} text:${(r.text ?? '').slice(0, 20)}`
  );
}

/** The parts of a deliver_sm / data_sm a receipt can be found in (structurally the codec's PDU). */
export interface ReceiptCarrier {
  esmClass?: number;
  shortMessage?: Buffer;
  tlvs?: {
    receiptedMessageId?: string;
    messageState?: number;
    networkErrorCode?: { networkType: number; errorCode: number };
    messagePayload?: Buffer;
  };
}

function kindOf(esmClass: number | undefined): Receipt['kind'] | undefined {
  // SMPP 3.4 §5.2.12: bits 5-2 of esm_class give the message type.
  switch ((esmClass ?? 0) & 0x3c) {
    case 0x04:
      return 'smsc';
    case 0x08:
      return 'sme-ack';
    case 0x10:
      return 'user-ack';
    case 0x20:
      return 'intermediate';
    default:
      return undefined;
  }
}

/**
 * The receipt in a deliver_sm or data_sm, from its text (short_message or
 * message_payload) and/or its TLVs. TLVs win for id and state; the text supplies
 * dates, counts and err. Undefined when the PDU carries no receipt.
 */
export function receiptFromPdu(pdu: ReceiptCarrier): Receipt | undefined {
  const kind = kindOf(pdu.esmClass);
  const body = pdu.tlvs?.messagePayload?.length ? pdu.tlvs.messagePayload : pdu.shortMessage;
  const fromText = body && body.length ? parseReceiptText(body.toString('latin1')) : undefined;
  const tlvId = pdu.tlvs?.receiptedMessageId;
  const tlvState = pdu.tlvs?.messageState;
  if (!fromText && (tlvId === undefined || tlvState === undefined)) {
    if (!kind || !tlvId) return undefined;
  }
  const r: Receipt = fromText ?? { id: tlvId!, stat: 'UNKNOWN', state: 'unknown' };
  if (tlvId) r.id = tlvId;
  if (tlvState !== undefined) {
    r.stat = statOfMessageState(tlvState);
    r.state = STAT_TO_STATE[r.stat];
  }
  if (pdu.tlvs?.networkErrorCode) r.networkError = { ...pdu.tlvs.networkErrorCode };
  if (kind) r.kind = kind;
  return r;
}
