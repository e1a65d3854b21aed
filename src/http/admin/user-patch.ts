/**
 * What `PATCH /v1/admin/users/{username}` accepts beyond password, rate and enabled: the
 * user's group, SMS-count quota and settings (Jasmin's mt authorizations, value filters,
 * defaults and throughput caps; access; the account's own retention ages). Settings are merged per section over the user's current
 * ones, then checked by the domain's `userSettings()`, whose error names the bad field.
 */
import {
  userSettings,
  InvalidAccountError,
  DEFAULT_AUTHORIZATIONS,
  DEFAULT_VALUE_FILTERS,
  type UserSettings,
  type UserSettingsSpec,
} from '../../domain/index.js';
import { HttpProblem } from '../problem.js';

export interface UserPatch {
  password?: string;
  rate?: string | number;
  enabled?: boolean;
  group?: string | null;
  smsCount?: number | null;
  settings?: UserSettingsSpec;
}

const amount = {
  anyOf: [{ type: 'string', pattern: '^[+-]?\\d*(\\.\\d{1,6})?$' }, { type: 'number' }],
  description: 'decimal, at most 6 decimals',
} as const;
const keys = (o: object, type: string) => Object.fromEntries(Object.keys(o).map((k) => [k, { type }]));

export const userPatchSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    password: { type: 'string', minLength: 1, maxLength: 8 },
    rate: amount,
    enabled: { type: 'boolean' },
    group: { type: ['string', 'null'], minLength: 1, description: 'the group id; null leaves every group' },
    // One type list, not anyOf: with type coercion on, anyOf's null branch read 0 as null
    // (smsCount 0 became unlimited), and a null branch second would read null as 0.
    smsCount: {
      type: ['integer', 'null'],
      minimum: 0,
      description: 'SMS parts the user may still send, set outright; null = unlimited',
    },
    settings: {
      type: 'object',
      additionalProperties: false,
      properties: {
        // Types are checked by userSettings() (so the 400 names the field in its own words).
        authorizations: {
          type: 'object',
          additionalProperties: false,
          properties: keys(DEFAULT_AUTHORIZATIONS, 'boolean'),
        },
        valueFilters: {
          type: 'object',
          additionalProperties: false,
          properties: keys(DEFAULT_VALUE_FILTERS, 'string'),
        },
        defaults: {
          type: 'object',
          additionalProperties: false,
          properties: {
            sourceAddr: { type: ['string', 'null'] },
            country: {
              type: ['string', 'null'],
              description: 'ISO 3166 alpha-2 country national numbers are read in (contacts, imports)',
            },
            mmsFallback: {
              type: ['string', 'null'],
              enum: ['sms_link', 'refuse', null],
              description: 'what an MMS becomes without an MMS route (null: the route’s, else the gateway’s)',
            },
          },
        },
        throughput: {
          type: 'object',
          additionalProperties: false,
          properties: { http: { type: ['number', 'null'] }, smpp: { type: ['number', 'null'] } },
        },
        access: {
          type: 'object',
          additionalProperties: false,
          properties: {
            allowFrom: {
              type: 'array',
              items: { type: 'string' },
              description:
                'addresses and CIDR ranges SMPP binds and HTTP requests may come from; [] = anywhere',
            },
            maxBinds: {
              type: ['integer', 'null'],
              minimum: 1,
              description: 'simultaneous SMPP binds at most; null = no cap',
            },
          },
        },
        retention: {
          type: 'object',
          additionalProperties: false,
          properties: {
            // One type list, not anyOf (as smsCount).
            redactAfterDays: {
              type: ['integer', 'null'],
              minimum: 0,
              description:
                "days before the account's messages are redacted; null = the operator's, 0 = never",
            },
            deleteAfterDays: {
              type: ['integer', 'null'],
              minimum: 0,
              description: "days before the account's messages are deleted; null = the operator's, 0 = never",
            },
          },
        },
      },
    },
  },
} as const;

/** The user's settings with `patch` laid over them section by section; 400 naming the field when invalid. */
export function mergeSettings(current: UserSettings, patch: UserSettingsSpec | undefined): UserSettingsSpec {
  const merged: UserSettingsSpec = {
    authorizations: { ...current.authorizations, ...patch?.authorizations },
    valueFilters: { ...current.valueFilters, ...patch?.valueFilters },
    defaults: { ...current.defaults, ...patch?.defaults },
    throughput: { ...current.throughput, ...patch?.throughput },
    access: { ...current.access, ...patch?.access },
    retention: { ...current.retention, ...patch?.retention },
  };
  try {
    userSettings(merged);
  } catch (err) {
    if (err instanceof InvalidAccountError)
      throw new HttpProblem(400, 'HERMOD_ERR_INVALID_ACCOUNT', `settings.${err.message}`);
    throw err;
  }
  return merged;
}
