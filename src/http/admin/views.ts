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
      description:
        "authorizations, value filters, defaults, throughput (Jasmin user model), access (allowed addresses, bind cap) and retention (the account's own ages)",
      properties: {
        authorizations: { type: 'object', additionalProperties: { type: 'boolean' } },
        valueFilters: { type: 'object', additionalProperties: { type: 'string' } },
        defaults: {
          type: 'object',
          properties: {
            sourceAddr: { type: ['string', 'null'] },
            country: {
              type: ['string', 'null'],
              description: 'ISO 3166 alpha-2 country national numbers are read in (contacts, imports)',
            },
            mmsFallback: { type: ['string', 'null'] },
          },
        },
        throughput: {
          type: 'object',
          properties: { http: { type: ['number', 'null'] }, smpp: { type: ['number', 'null'] } },
        },
        access: {
          type: 'object',
          properties: {
            allowFrom: { type: 'array', items: { type: 'string' } },
            maxBinds: { type: ['integer', 'null'] },
          },
        },
        retention: {
          type: 'object',
          description: "the account's own retention ages in days (null: the operator's, 0: never)",
          properties: {
            redactAfterDays: { type: ['integer', 'null'] },
            deleteAfterDays: { type: ['integer', 'null'] },
          },
        },
      },
    },
  },
  required: [
    'id',
    'username',
    'enabled',
    'balance',
    'balanceMicros',
    'rate',
    'rateMicros',
    'group',
    'smsCount',
    'settings',
  ],
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
    throughput: {
      type: 'object',
      properties: { perSecond: { type: 'number' }, limit: { type: ['number', 'null'] } },
    },
    counters: {
      type: 'object',
      properties: Object.fromEntries(
        ['submits', 'submitted', 'errors', 'receipts', 'mos', 'binds', 'disconnects', 'throttled'].map(
          (k) => [k, { type: 'integer' }],
        ),
      ),
    },
    queueDepth: { type: 'integer' },
    lastError: nullableString,
    receiver: {
      type: 'object',
      description: 'the separate receiver session of a transmitter + receiver pair',
      properties: {
        state: { type: 'string' },
        bound: { type: 'boolean' },
        remote: { type: 'string' },
        lastError: nullableString,
      },
    },
    cluster: {
      type: 'object',
      description:
        'SMPP connectors on a cluster (PostgreSQL): bind slots, those this node holds, the node holding each, this node’s share of the throughput (null: no limit)',
      properties: {
        slots: { type: 'integer' },
        held: { type: 'array', items: { type: 'integer' } },
        holders: { type: 'object', additionalProperties: { type: 'string' } },
        share: { type: ['number', 'null'] },
      },
    },
    settings: {
      type: 'object',
      description:
        'SMPP connectors: how it binds, the data_coding of GSM-alphabet text, the split method, how long it waits for a receipt',
      properties: {
        bindType: { type: 'string', enum: ['transceiver', 'transmitter', 'receiver', 'pair'] },
        dataCoding: { type: 'integer' },
        split: { type: 'string' },
        dlrExpiryS: { type: ['number', 'null'] },
      },
    },
    definition: {
      type: ['object', 'null'],
      additionalProperties: true,
      description: 'the definition it runs with (the keys of hermod.yaml `connectors:`), never its password',
    },
    source: {
      type: ['string', 'null'],
      enum: ['config', 'api', null],
      description: 'who wrote the definition last: the configuration file or the admin API',
    },
  },
  required: ['id', 'type', 'state', 'bound', 'window', 'throughput', 'counters', 'queueDepth'],
} as const;

const str = (description: string) => ({ type: 'string', description }) as const;
const num = (description: string) => ({ type: 'number', description }) as const;

/** PUT /connectors/{id}: one entry of `connectors:` in hermod.yaml (docs/configuration.md). Documentation only: the configuration's validator checks it. */
export const connectorDefinitionSchema = {
  type: 'object',
  required: ['type'],
  additionalProperties: true,
  properties: {
    id: str('optional; when given, the id of the path'),
    type: { type: 'string', enum: ['smpp', 'simulator', 'http', 'mm7'] },
    host: str('smpp: the SMSC host'),
    port: { type: 'integer', description: 'smpp: the SMSC port' },
    tls: { type: 'boolean' },
    systemId: str('smpp: bind system_id'),
    password: str('smpp: bind password (at most 8 characters); left out on a replace = keep the stored one'),
    systemType: str('smpp'),
    window: { type: 'integer', description: 'smpp: submits in flight (default 10)' },
    throughput: num('smpp: submits per second at most'),
    enquireLinkS: num('smpp'),
    responseTimeoutS: num('smpp'),
    bindType: { type: 'string', enum: ['transceiver', 'transmitter'] },
    split: { type: 'string', enum: ['udh', 'sar', 'payload'] },
    sourceTon: { type: 'integer' },
    sourceNpi: { type: 'integer' },
    destTon: { type: 'integer' },
    destNpi: { type: 'integer' },
    reconnectDelayS: { type: 'object', properties: { min: { type: 'number' }, max: { type: 'number' } } },
    latencyMs: {
      type: 'object',
      description: 'simulator',
      properties: { min: { type: 'number' }, max: { type: 'number' } },
    },
    outcomes: {
      type: 'object',
      description: 'simulator: shares of delivered, undelivered, expired, rejected',
      additionalProperties: { type: 'number' },
    },
    failPrefixes: { type: 'array', items: { type: 'string' }, description: 'simulator' },
    throttle: { type: 'integer', description: 'simulator' },
    errorRate: num('simulator'),
    receiptBeforeResponse: { type: 'boolean', description: 'simulator' },
  },
} as const;

/** PUT /routes: `{ routes: [...] }`, the keys of `routes:` in hermod.yaml (docs/routing.md). Documentation only. */
export const routeListSchema = {
  type: 'object',
  required: ['routes'],
  properties: {
    routes: {
      type: 'array',
      description: 'in evaluation order (first match wins)',
      items: {
        type: 'object',
        required: ['name', 'connectors'],
        additionalProperties: true,
        properties: {
          name: { type: 'string' },
          type: { type: 'string', enum: ['static', 'failover', 'roundrobin', 'leastcost', 'weighted'] },
          connectors: { type: 'array', items: { type: 'string' } },
          prefixes: { type: 'array', items: { type: 'string' } },
          destinationRegex: { type: 'string' },
          countries: { type: 'array', items: { type: 'string' } },
          sources: { type: 'array', items: { type: 'string' } },
          sourceRegex: { type: 'string' },
          users: { type: 'array', items: { type: 'string' } },
          groups: { type: 'array', items: { type: 'string' } },
          contentRegex: { type: 'string' },
          tags: { type: 'array', items: { type: 'string' } },
          timeWindow: {
            type: 'object',
            properties: {
              hours: { type: 'string' },
              days: { type: 'array', items: { type: 'string' } },
              timeZone: { type: 'string' },
            },
          },
          costs: {
            type: 'object',
            additionalProperties: { type: 'object', additionalProperties: { type: 'number' } },
          },
          weights: { type: 'object', additionalProperties: { type: 'number' } },
          rate: { type: 'number' },
        },
      },
    },
  },
} as const;

/** One MO route as the file's `moRoutes:` writes it (what PUT takes and GET shows). */
const moRouteSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    name: { type: 'string' },
    prefixes: {
      type: 'array',
      items: { type: 'string' },
      description: 'our numbers / short codes (destination prefixes); empty = any',
    },
    destinationRegex: { type: 'string' },
    sources: { type: 'array', items: { type: 'string' } },
    sourceRegex: { type: 'string' },
    contentRegex: { type: 'string' },
    timeWindow: {
      type: 'object',
      properties: {
        hours: { type: 'string' },
        days: { type: 'array', items: { type: 'string' } },
        timeZone: { type: 'string' },
      },
    },
    originConnectors: {
      type: 'array',
      items: { type: 'string' },
      description: 'only MOs that arrived on these connectors',
    },
    user: { type: 'string', description: "target: this customer's SMPP bind" },
    url: { type: 'string', description: 'target: an HTTP webhook (Jasmin MO fields)' },
    email: {
      type: 'array',
      items: { type: 'string' },
      description: 'target: email addresses an inbound MMS is mailed to through smtp: (docs/mms.md)',
    },
    emailSms: { type: 'boolean', description: 'email target only: an SMS MO is mailed too (default false)' },
    method: { type: 'string', enum: ['GET', 'POST'] },
    reply: {
      type: 'object',
      properties: { maxMessages: { type: 'integer' }, account: { type: 'string' } },
      description:
        "format kannel only: the service's text/plain answer sent back to the handset (docs/kannel-http-api.md)",
    },
    mmsAsLinks: {
      type: 'boolean',
      description:
        'user target only: an inbound MMS reaches the bind as an SMS with a signed link per media item (default true); false: the text alone',
    },
  },
} as const;

export const moRouteListSchema = {
  type: 'object',
  required: ['moRoutes'],
  properties: {
    moRoutes: {
      type: 'array',
      description: 'in evaluation order (first match wins); each has one target, user or url',
      items: moRouteSchema,
    },
  },
} as const;

export const moRoutesResponse = {
  type: 'object',
  properties: {
    moRoutes: {
      type: 'array',
      items: { ...moRouteSchema, properties: { position: { type: 'integer' }, ...moRouteSchema.properties } },
    },
    source: {
      type: ['string', 'null'],
      enum: ['config', 'api', null],
      description: 'who wrote the list last: the configuration file or the admin API',
    },
  },
} as const;
