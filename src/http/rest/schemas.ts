/** JSON schemas of REST v1 (validation and the OpenAPI document). */

const e164 = {
  type: 'string',
  maxLength: 20,
  description: 'E.164 number with a leading +, e.g. +447700900123',
} as const;

/** Options common to a single message and a batch. */
const messageOptions = {
  from: {
    type: 'string',
    minLength: 1,
    maxLength: 20,
    description: 'sender: an E.164 number, a short code or an alphanumeric sender id (≤ 11 characters)',
  },
  text: {
    type: 'string',
    minLength: 1,
    maxLength: 1600,
    description: 'message text; split into parts when longer than one SMS',
  },
  binary: {
    type: 'string',
    minLength: 1,
    maxLength: 3000,
    description: 'binary content, base64 (sent with data_coding 4)',
  },
  encoding: {
    type: 'string',
    enum: ['auto', 'gsm7', 'ucs2'],
    default: 'auto',
    description: 'auto: GSM-7 when every character fits, else UCS-2',
  },
  send_at: {
    type: 'string',
    format: 'date-time',
    description: 'schedule: not sent before this time (RFC 3339)',
  },
  validity_period: {
    type: 'integer',
    minimum: 1,
    maximum: 604800,
    description: 'seconds after which an unsent message expires',
  },
  callback_url: { type: 'string', maxLength: 2000, description: 'http(s) URL for signed status callbacks' },
  callback_failover_url: {
    type: 'string',
    maxLength: 2000,
    description:
      'http(s) URL the same events go to once callback_url has failed webhooks.failoverAfter attempts (default 3)',
  },
  client_ref: {
    type: 'string',
    maxLength: 64,
    description: 'your reference, echoed in listings and callbacks',
  },
  tags: { type: 'array', maxItems: 10, items: { type: 'string', minLength: 1, maxLength: 64 } },
  priority: { type: 'integer', minimum: 0, maximum: 3, default: 0 },
  media_urls: {
    type: 'array',
    maxItems: 10,
    items: { type: 'string', minLength: 1, maxLength: 2000 },
    description:
      'an MMS: http(s) URLs Hermod fetches, or ids of uploads (POST /v1/media, med_…); text becomes optional',
  },
  subject: { type: 'string', minLength: 1, maxLength: 80, description: 'an MMS’s subject' },
} as const;

/** A media item as a message shows it. */
const mediaItem = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    content_type: { type: 'string' },
    size: { type: 'integer' },
    filename: { type: 'string' },
  },
} as const;

export const sendBody = {
  type: 'object',
  required: ['to', 'from'],
  additionalProperties: false,
  properties: { to: e164, ...messageOptions },
} as const;

export const batchBody = {
  type: 'object',
  required: ['from'],
  additionalProperties: false,
  description: 'either `to` (many recipients, one content) or `messages` (per-recipient content and options)',
  properties: {
    ...messageOptions,
    to: { type: 'array', minItems: 1, maxItems: 10000, items: e164 },
    messages: {
      type: 'array',
      minItems: 1,
      maxItems: 10000,
      items: {
        type: 'object',
        required: ['to'],
        additionalProperties: false,
        properties: {
          to: e164,
          from: messageOptions.from,
          text: messageOptions.text,
          binary: messageOptions.binary,
          client_ref: messageOptions.client_ref,
          tags: messageOptions.tags,
          media_urls: messageOptions.media_urls,
          subject: messageOptions.subject,
        },
      },
    },
  },
} as const;

export const messageView = {
  $id: 'Message',
  type: 'object',
  properties: {
    id: { type: 'string' },
    status: {
      type: 'string',
      description:
        'accepted, scheduled, queued, sent, delivered, undelivered, expired, rejected, failed, unknown, partially_delivered, canceled',
    },
    direction: { type: 'string', enum: ['outbound'] },
    to: { type: 'string' },
    from: { type: 'string' },
    text: { type: 'string' },
    binary: { type: 'string' },
    encoding: { type: 'string', enum: ['gsm7', 'ucs2', 'latin1', 'ascii', 'binary'] },
    segments: { type: 'integer' },
    type: { type: 'string', enum: ['sms', 'mms'] },
    subject: { type: 'string' },
    media: {
      type: 'array',
      items: mediaItem,
      description: 'an MMS’s media (or the items an SMS fallback links to)',
    },
    fallback: {
      type: 'string',
      enum: ['sms_link'],
      description: 'sent as an SMS with a link per media item: no MMS-capable connector on its route',
    },
    cost: { type: 'string', description: 'price charged, in the account currency' },
    client_ref: { type: 'string' },
    tags: { type: 'array', items: { type: 'string' } },
    campaign: { type: 'integer', description: 'the SMS-engine campaign that sent it' },
    callback_url: { type: 'string' },
    callback_failover_url: { type: 'string' },
    send_at: { type: 'string', format: 'date-time' },
    valid_until: { type: 'string', format: 'date-time' },
    error: { type: 'string' },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
  },
} as const;

export const messageDetail = {
  $id: 'MessageDetail',
  type: 'object',
  properties: {
    ...messageView.properties,
    timeline: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          state: { type: 'string' },
          at: { type: 'string', format: 'date-time' },
          detail: { type: 'string', nullable: true },
          part: { type: 'integer', nullable: true },
        },
      },
    },
    parts: {
      type: 'array',
      description: 'per-part states of a multipart message',
      items: {
        type: 'object',
        properties: {
          seq: { type: 'integer' },
          state: { type: 'string' },
          connector: { type: 'string' },
          upstream_id: { type: 'string' },
          error: { type: 'string' },
          updated_at: { type: 'string', format: 'date-time' },
        },
      },
    },
  },
} as const;

export const batchResult = {
  type: 'object',
  properties: {
    accepted: { type: 'integer' },
    failed: { type: 'integer' },
    results: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          index: { type: 'integer' },
          to: { type: 'string' },
          ok: { type: 'boolean' },
          message: { $ref: 'Message#' },
          error: { $ref: 'Problem#' },
        },
      },
    },
  },
} as const;

export const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: {
      type: 'string',
      enum: [
        'accepted',
        'queued',
        'sent',
        'unknown',
        'delivered',
        'undelivered',
        'expired',
        'rejected',
        'failed',
        'partially_delivered',
        'canceled',
      ],
    },
    to: { type: 'string', maxLength: 20 },
    from: { type: 'string', maxLength: 20 },
    since: { type: 'string', format: 'date-time' },
    until: { type: 'string', format: 'date-time' },
    client_ref: { type: 'string', maxLength: 64 },
    tag: { type: 'string', maxLength: 64 },
    campaign: { type: 'integer', minimum: 1, description: 'messages of this SMS-engine campaign' },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
    cursor: { type: 'string', maxLength: 100, description: 'next_cursor of the previous page' },
  },
} as const;

export const inboundView = {
  $id: 'Inbound',
  type: 'object',
  properties: {
    id: { type: 'string' },
    direction: { type: 'string', enum: ['inbound'] },
    from: { type: 'string' },
    to: { type: 'string' },
    text: { type: 'string' },
    binary: { type: 'string' },
    encoding: { type: 'string' },
    complete: { type: 'boolean' },
    connector: { type: 'string' },
    received_at: { type: 'string', format: 'date-time' },
    media: {
      type: 'array',
      description: 'an inbound MMS’s media, each with a signed URL',
      items: { ...mediaItem, properties: { ...mediaItem.properties, url: { type: 'string' } } },
    },
    subject: { type: 'string', description: 'an inbound MMS’s subject, when it has one' },
  },
} as const;

export const problemResponses = {
  400: { $ref: 'Problem#' },
  401: { $ref: 'Problem#' },
  default: { $ref: 'Problem#' },
} as const;

export const idempotencyHeader = {
  type: 'object',
  properties: {
    'idempotency-key': {
      type: 'string',
      minLength: 1,
      maxLength: 255,
      description:
        'a retried request with the same key and body gets the first response and sends nothing again',
    },
  },
} as const;
