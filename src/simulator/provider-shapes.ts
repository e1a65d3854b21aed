/**
 * What the provider simulator says, in each provider's shapes: Telnyx v2 (`POST /v2/messages`
 * answers, `message.sent` / `message.finalized` / `message.received` events, its error
 * objects) and Twilio's 2010-04-01 Messages resource (the message JSON, its error JSON,
 * the form fields of status callbacks and inbound requests). Field names and values as the
 * providers' API references and published examples write them (test/fixtures/providers/).
 */
import { randomUUID, randomBytes } from 'node:crypto';

export type ProviderKind = 'telnyx' | 'twilio';

/** A simulated message's end: delivered, refused by the handset's network, failed to send, or no report. */
export type ProviderOutcome = 'delivered' | 'undelivered' | 'failed' | 'unconfirmed';

export interface SimMessage {
  id: string;
  from: string;
  to: string;
  text: string;
  subject?: string;
  mediaUrls: string[];
  /** Where its status webhooks go (Telnyx webhook_url, Twilio StatusCallback). */
  webhookUrl?: string;
  messagingProfileId?: string;
  messagingServiceSid?: string;
  createdAt: Date;
}

export const twilioSid = (prefix: string) => prefix + randomBytes(16).toString('hex');

export function telnyxMessageId(): string {
  return randomUUID();
}

function telnyxMessage(m: SimMessage, direction: 'outbound' | 'inbound', status: string, errors: object[]) {
  return {
    record_type: 'message',
    direction,
    id: m.id,
    type: m.mediaUrls.length > 0 ? 'MMS' : 'SMS',
    messaging_profile_id: m.messagingProfileId ?? null,
    organization_id: null,
    from: { phone_number: m.from, carrier: 'HERMOD SIMULATOR', line_type: 'VoIP' },
    to: [{ phone_number: m.to, status, carrier: 'HERMOD SIMULATOR', line_type: 'Wireless' }],
    cc: [],
    text: m.text,
    subject: m.subject ?? null,
    media: m.mediaUrls.map((url) => ({ url, content_type: null, sha256: null, size: null })),
    webhook_url: m.webhookUrl ?? null,
    webhook_failover_url: null,
    encoding: /^[\x20-\x7e\n\r]*$/.test(m.text) ? 'GSM-7' : 'UCS-2',
    parts: 1,
    tags: [],
    cost: null,
    received_at: m.createdAt.toISOString(),
    sent_at: null,
    completed_at: null,
    valid_until: null,
    errors,
  };
}

/** The answer to `POST /v2/messages`. */
export function telnyxSendAnswer(m: SimMessage): object {
  return { data: telnyxMessage(m, 'outbound', 'queued', []) };
}

/** A Telnyx error answer (`{ errors: [...] }`). */
export function telnyxError(code: string, title: string, detail: string): object {
  return { errors: [{ code, title, detail }] };
}

const TELNYX_FINAL: Record<ProviderOutcome, { status: string; errors: object[] }> = {
  delivered: { status: 'delivered', errors: [] },
  undelivered: {
    status: 'delivery_failed',
    errors: [
      { code: '40002', title: 'Message failed', detail: 'The handset could not be reached (simulated)' },
    ],
  },
  failed: {
    status: 'sending_failed',
    errors: [{ code: '40008', title: 'Sending failed', detail: 'The message could not be sent (simulated)' }],
  },
  unconfirmed: { status: 'delivery_unconfirmed', errors: [] },
};

/** A Telnyx webhook event around a message. */
export function telnyxEvent(
  type: 'message.sent' | 'message.finalized' | 'message.received',
  m: SimMessage,
  outcome: ProviderOutcome | 'sent' | 'received',
  extraErrors: object[] = [],
): object {
  const state =
    outcome === 'sent'
      ? { status: 'sent', errors: [] }
      : outcome === 'received'
        ? { status: 'delivered', errors: [] }
        : TELNYX_FINAL[outcome];
  const payload = telnyxMessage(m, type === 'message.received' ? 'inbound' : 'outbound', state.status, [
    ...state.errors,
    ...extraErrors,
  ]);
  return {
    data: {
      event_type: type,
      id: randomUUID(),
      occurred_at: new Date().toISOString(),
      payload: type === 'message.received' ? payload : { ...payload, sent_at: new Date().toISOString() },
      record_type: 'event',
    },
    meta: { attempt: 1, delivered_to: m.webhookUrl ?? null },
  };
}

/** Twilio's message resource, as `POST Messages.json` answers it (201). */
export function twilioMessage(m: SimMessage, accountSid: string): object {
  const uri = `/2010-04-01/Accounts/${accountSid}/Messages/${m.id}.json`;
  const date = m.createdAt.toUTCString().replace('GMT', '+0000');
  return {
    account_sid: accountSid,
    api_version: '2010-04-01',
    body: m.text,
    date_created: date,
    date_sent: null,
    date_updated: date,
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from: m.from,
    messaging_service_sid: m.messagingServiceSid ?? null,
    num_media: String(m.mediaUrls.length),
    num_segments: '1',
    price: null,
    price_unit: 'USD',
    sid: m.id,
    status: 'queued',
    subresource_uris: { media: uri.replace(/\.json$/, '/Media.json') },
    to: m.to,
    uri,
  };
}

/** A Twilio error answer. */
export function twilioError(status: number, code: number, message: string): object {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

const TWILIO_FINAL: Record<ProviderOutcome, { status: string; errorCode?: string }> = {
  delivered: { status: 'delivered' },
  // 30003 Unreachable destination handset; 30008 Unknown error (Twilio's error dictionary).
  undelivered: { status: 'undelivered', errorCode: '30003' },
  failed: { status: 'failed', errorCode: '30008' },
  unconfirmed: { status: 'sent' },
};

/** The form fields of a status callback. */
export function twilioStatusFields(
  m: SimMessage,
  accountSid: string,
  outcome: ProviderOutcome | 'sent',
  errorCode?: string,
): Record<string, string> {
  const final = outcome === 'sent' ? { status: 'sent' } : TWILIO_FINAL[outcome];
  const code = errorCode ?? (final as { errorCode?: string }).errorCode;
  return {
    AccountSid: accountSid,
    ApiVersion: '2010-04-01',
    From: m.from,
    To: m.to,
    MessageSid: m.id,
    SmsSid: m.id,
    MessageStatus: final.status,
    SmsStatus: final.status,
    ...(m.messagingServiceSid ? { MessagingServiceSid: m.messagingServiceSid } : {}),
    ...(code ? { ErrorCode: code } : {}),
  };
}

/** The form fields of an inbound message, its media at `media` (URL and declared type). */
export function twilioInboundFields(
  m: SimMessage,
  accountSid: string,
  media: { url: string; contentType: string }[],
): Record<string, string> {
  const fields: Record<string, string> = {
    ToCountry: 'US',
    ToState: '',
    SmsMessageSid: m.id,
    NumMedia: String(media.length),
    ToCity: '',
    FromZip: '',
    SmsSid: m.id,
    FromState: '',
    SmsStatus: 'received',
    FromCity: '',
    Body: m.text,
    FromCountry: 'US',
    To: m.to,
    ToZip: '',
    NumSegments: '1',
    MessageSid: m.id,
    AccountSid: accountSid,
    From: m.from,
    ApiVersion: '2010-04-01',
  };
  media.forEach((x, i) => {
    fields[`MediaContentType${i}`] = x.contentType;
    fields[`MediaUrl${i}`] = x.url;
  });
  return fields;
}
