/**
 * MM7 request status codes and the delivery report's MMStatus values (3GPP TS 23.140 Rel-6,
 * the request status code table of the MM7 abstract messages, and the REL-6 schema's
 * `mmStatusType`; the same codes as Mbuni's mms_mm7soap.c and Skycore's MM7 status list).
 *
 * A status code's thousands digit is its class: 1xxx success, 2xxx client errors (the
 * request is wrong), 3xxx server errors (the relay could not do it), 4xxx general service
 * errors (identification, version, availability). A code this table does not list is read
 * by its class (our rule: relays add vendor codes inside the classes).
 */

/** What a status means for the sender: a small neutral set the gateway acts on. */
export type StatusOutcome = 'accepted' | 'permanent' | 'temporary';

interface StatusEntry {
  readonly text: string;
  readonly outcome: StatusOutcome;
}

export const MM7_STATUS = {
  1000: { text: 'Success', outcome: 'accepted' },
  1100: { text: 'Partial success', outcome: 'accepted' },
  2000: { text: 'Client error', outcome: 'permanent' },
  2001: { text: 'Operation restricted', outcome: 'permanent' },
  2002: { text: 'Address Error', outcome: 'permanent' },
  2003: { text: 'Address Not Found', outcome: 'permanent' },
  2004: { text: 'Multimedia content refused', outcome: 'permanent' },
  2005: { text: 'Message ID Not found', outcome: 'permanent' },
  2006: { text: 'LinkedID not found', outcome: 'permanent' },
  2007: { text: 'Message format corrupt', outcome: 'permanent' },
  2008: { text: 'Application ID not found', outcome: 'permanent' },
  2009: { text: 'Reply Application ID not found', outcome: 'permanent' },
  3000: { text: 'Server Error', outcome: 'temporary' },
  3001: { text: 'Not Possible', outcome: 'temporary' },
  3002: { text: 'Message rejected', outcome: 'permanent' },
  3003: { text: 'Multiple addresses not supported', outcome: 'permanent' },
  3004: { text: 'Application Addressing not supported', outcome: 'permanent' },
  4000: { text: 'General service error', outcome: 'temporary' },
  4001: { text: 'Improper identification', outcome: 'permanent' },
  4002: { text: 'Unsupported version', outcome: 'permanent' },
  4003: { text: 'Unsupported operation', outcome: 'permanent' },
  4004: { text: 'Validation error', outcome: 'permanent' },
  4005: { text: 'Service error', outcome: 'temporary' },
  4006: { text: 'Service unavailable', outcome: 'temporary' },
  4007: { text: 'Service denied', outcome: 'permanent' },
  4008: { text: 'Application denied', outcome: 'permanent' },
} as const satisfies Record<number, StatusEntry>;

/** The status codes by name, for code that answers or checks one. */
export const Mm7Status = {
  SUCCESS: 1000,
  PARTIAL_SUCCESS: 1100,
  CLIENT_ERROR: 2000,
  ADDRESS_ERROR: 2002,
  CONTENT_REFUSED: 2004,
  MESSAGE_ID_NOT_FOUND: 2005,
  FORMAT_CORRUPT: 2007,
  SERVER_ERROR: 3000,
  NOT_POSSIBLE: 3001,
  MESSAGE_REJECTED: 3002,
  GENERAL_SERVICE_ERROR: 4000,
  IMPROPER_IDENTIFICATION: 4001,
  UNSUPPORTED_VERSION: 4002,
  UNSUPPORTED_OPERATION: 4003,
  VALIDATION_ERROR: 4004,
  SERVICE_UNAVAILABLE: 4006,
} as const;

function entryOf(code: number): StatusEntry | undefined {
  return (MM7_STATUS as Record<number, StatusEntry>)[code];
}

/** The outcome of a status code: the table's, else its class's. */
export function statusOutcome(code: number): StatusOutcome {
  const known = entryOf(code);
  if (known) return known.outcome;
  const cls = Math.floor(code / 1000);
  if (cls === 1) return 'accepted';
  if (cls === 3 || cls === 4) return 'temporary';
  return 'permanent';
}

/** The spec's text for a status code (its class's for a code not listed). */
export function statusText(code: number): string {
  return entryOf(code)?.text ?? entryOf(Math.floor(code / 1000) * 1000)?.text ?? 'Unknown status';
}

/**
 * MMStatus of a DeliveryReportReq (REL-6 `mmStatusType`) and of a ReadReplyReq
 * (`Read`, `Deleted`): what became of the message at one recipient.
 */
export const MM_STATUSES = [
  'Retrieved',
  'Forwarded',
  'Expired',
  'Rejected',
  'Deferred',
  'Indeterminate',
  'DeliveryConditionNotMet',
  'Unrecognised',
  'Read',
  'Deleted',
] as const;

export type MmStatus = (typeof MM_STATUSES)[number];

/**
 * The state a report puts a Hermod message in, by the names of Hermod's message states
 * (`enroute` is the receipt layer's name for a report that is not final: the message stays
 * `sent`). This layer does not import the domain; the gateway maps these names onto it.
 */
export type ReportState = 'delivered' | 'undelivered' | 'expired' | 'rejected' | 'enroute' | 'unknown';

const REPORT_STATE: Record<MmStatus, ReportState> = {
  // Fetched by the recipient's MMS client: what SMS calls delivered.
  Retrieved: 'delivered',
  // The recipient forwarded it without retrieving it: it reached them.
  Forwarded: 'delivered',
  Expired: 'expired',
  // Refused by the recipient (or their MMS client) before retrieval.
  Rejected: 'rejected',
  // The recipient put off retrieval: still on its way, not final.
  Deferred: 'enroute',
  Indeterminate: 'unknown',
  // The relay could not meet the submit's DeliveryCondition: it gave up.
  DeliveryConditionNotMet: 'undelivered',
  // The recipient's MMS client could not recognise the message.
  Unrecognised: 'undelivered',
  // Read-reply values: reading or deleting it means it was delivered.
  Read: 'delivered',
  Deleted: 'delivered',
};

/** A report's MMStatus as a Hermod message state; a value outside the schema is `unknown`. */
export function reportState(status: string): ReportState {
  return (REPORT_STATE as Record<string, ReportState>)[status] ?? 'unknown';
}

export function isMmStatus(value: string): value is MmStatus {
  return (MM_STATUSES as readonly string[]).includes(value);
}
