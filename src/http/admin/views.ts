/** How admin responses show users and messages (money as exact decimal strings). */
import { bodyText, formatMicros, type StoredMessage, type User } from '../../domain/index.js';

export interface UserView {
  id: number;
  username: string;
  enabled: boolean;
  balance: string;
  balanceMicros: number;
  rate: string;
  rateMicros: number;
  group: string | null;
  /** SMS parts left; null = unlimited. */
  smsCount: number | null;
  settings: User['settings'];
}

export const userView = (u: User): UserView => ({
  id: u.id,
  username: u.username,
  enabled: u.enabled,
  balance: formatMicros(u.balanceMicros),
  balanceMicros: u.balanceMicros,
  rate: formatMicros(u.rateMicros),
  rateMicros: u.rateMicros,
  group: u.group,
  smsCount: u.smsCount,
  settings: u.settings,
});

export const userSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    username: { type: 'string' },
    enabled: { type: 'boolean' },
    balance: { type: 'string', description: 'decimal, currency units' },
    balanceMicros: { type: 'integer' },
    rate: { type: 'string', description: 'price per part, decimal' },
    rateMicros: { type: 'integer' },
    group: { type: ['string', 'null'] },
    smsCount: { type: ['integer', 'null'], description: 'SMS parts left; null = unlimited' },
    settings: {
      type: 'object',
      description: 'authorizations, value filters, defaults and throughput (Jasmin user model)',
      properties: {
        authorizations: { type: 'object', additionalProperties: { type: 'boolean' } },
        valueFilters: { type: 'object', additionalProperties: { type: 'string' } },
        defaults: { type: 'object', properties: { sourceAddr: { type: ['string', 'null'] } } },
        throughput: { type: 'object', properties: { http: { type: ['number', 'null'] }, smpp: { type: ['number', 'null'] } } },
      },
    },
  },
  required: ['id', 'username', 'enabled', 'balance', 'balanceMicros', 'rate', 'rateMicros', 'group', 'smsCount', 'settings'],
} as const;

export function messageView(m: StoredMessage) {
  return {
    id: m.id,
    user: m.systemId,
    from: m.source,
    to: m.destination,
    state: m.state,
    connector: m.connectorId,
    price: formatMicros(m.priceMicros),
    dataCoding: m.dataCoding,
    text: bodyText(m) ?? null,
    upstreamId: m.upstreamId,
    error: m.error,
    createdAt: new Date(m.createdAt).toISOString(),
    updatedAt: new Date(m.updatedAt).toISOString(),
    meta: m.meta,
  };
}

const nullableString = { type: ['string', 'null'] } as const;

export const messageSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    user: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    state: { type: 'string' },
    connector: { type: 'string' },
    price: { type: 'string' },
    dataCoding: { type: 'integer' },
    text: nullableString,
    upstreamId: nullableString,
    error: nullableString,
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    meta: { type: 'object', additionalProperties: true },
  },
  required: ['id', 'user', 'from', 'to', 'state', 'connector', 'price', 'createdAt', 'updatedAt'],
} as const;

export const connectorSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    type: { type: 'string' },
    state: { type: 'string', enum: ['stopped', 'connecting', 'bound', 'reconnecting', 'closed', 'idle'] },
    bound: { type: 'boolean' },
    remote: nullableString,
    window: { type: 'object', properties: { inUse: { type: 'integer' }, size: { type: 'integer' } } },
    throughput: { type: 'object', properties: { perSecond: { type: 'number' }, limit: { type: ['number', 'null'] } } },
    counters: {
      type: 'object',
      properties: Object.fromEntries(['submits', 'submitted', 'errors', 'receipts', 'mos', 'binds', 'disconnects', 'throttled'].map((k) => [k, { type: 'integer' }])),
    },
    queueDepth: { type: 'integer' },
    lastError: nullableString,
    receiver: {
      type: 'object',
      description: 'the separate receiver session of a transmitter + receiver pair',
      properties: { state: { type: 'string' }, bound: { type: 'boolean' }, remote: { type: 'string' }, lastError: nullableString },
    },
    settings: {
      type: 'object',
      description: 'SMPP connectors: how it binds, the data_coding of GSM-alphabet text, the split method, how long it waits for a receipt',
      properties: {
        bindType: { type: 'string', enum: ['transceiver', 'transmitter', 'receiver', 'pair'] },
        dataCoding: { type: 'integer' },
        split: { type: 'string' },
        dlrExpiryS: { type: ['number', 'null'] },
      },
    },
  },
  required: ['id', 'type', 'state', 'bound', 'window', 'throughput', 'counters', 'queueDepth'],
} as const;
