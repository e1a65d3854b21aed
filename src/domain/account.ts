/**
 * Accounts and groups, after Jasmin's user model (research/anchors-features.md §1.11):
 * a user belongs to a group; "mt authorization" flags, "mt valuefilter" regexes and
 * "mt defaultvalue" shape what it may send; "mt quota" gives a prepaid balance and an SMS
 * count, both unlimited when null ("ND"), and throughput caps. Jasmin calls an account a
 * user; its username is also the SMPP system_id. The `User` (message.ts) carries these
 * settings; the store keeps them as one JSON document.
 */
import { AddressList, isAddressOrCidr } from '../lib/address-list.js';
import { HermodError } from '../lib/errors.js';
import { isCountryCode } from './number.js';
import { MMS_FALLBACKS, type MmsFallback } from './media.js';

/** What an account may do or set. Jasmin's defaults: all allowed. */
export interface Authorizations {
  httpSend: boolean;
  httpBalance: boolean;
  httpRate: boolean;
  /** submit_sm on the SMPP server. */
  smppsSend: boolean;
  /** May bind to the SMPP server at all. */
  smppsBind: boolean;
  /** Messages longer than one segment. */
  longContent: boolean;
  /** May choose the DLR level. */
  dlrLevel: boolean;
  /** May choose the DLR callback method. */
  dlrMethod: boolean;
  /** May choose the sender (else defaults.sourceAddr is used). */
  sourceAddr: boolean;
  priority: boolean;
  validityPeriod: boolean;
  /** May schedule (send_at / schedule_delivery_time). */
  schedule: boolean;
  /** May send hex/binary content. */
  hexContent: boolean;
}

export const DEFAULT_AUTHORIZATIONS: Readonly<Authorizations> = Object.freeze({
  httpSend: true,
  httpBalance: true,
  httpRate: true,
  smppsSend: true,
  smppsBind: true,
  longContent: true,
  dlrLevel: true,
  dlrMethod: true,
  sourceAddr: true,
  priority: true,
  validityPeriod: true,
  schedule: true,
  hexContent: true,
});

/**
 * Regular expressions (JavaScript syntax, unanchored unless written with ^ and $) a value
 * must match. Defaults as Jasmin's.
 */
export interface ValueFilters {
  sourceAddr: string;
  destinationAddr: string;
  content: string;
  priority: string;
  validityPeriod: string;
}

export const DEFAULT_VALUE_FILTERS: Readonly<ValueFilters> = Object.freeze({
  sourceAddr: '.*',
  destinationAddr: '.*',
  content: '.*',
  priority: '^[0-3]$',
  validityPeriod: '^\\d+$',
});

export interface AccountDefaults {
  /** Sender used when none is given or the account may not choose one. */
  sourceAddr: string | null;
  /**
   * ISO 3166 alpha-2 country national numbers are read in ("07700 900123" with GB is
   * +447700900123): contacts, imports (which may give their own); null: international only.
   */
  country: string | null;
  /**
   * What this account's MMS becomes when its route has no MMS-capable connector
   * (docs/mms.md): `sms_link` or `refuse`; absent or null: the route's setting, else the
   * gateway's. Kept only when set (accounts from before MMS have none).
   */
  mmsFallback?: MmsFallback | null;
}

/** Messages per second; null = unlimited. */
export interface Throughput {
  http: number | null;
  smpp: number | null;
}

/**
 * Where and how often an account may connect: `allowFrom` lists the addresses and CIDR
 * ranges its SMPP binds and HTTP requests may come from (empty = anywhere); `maxBinds` caps
 * its simultaneous SMPP binds (Jasmin's smpps `max_bindings`; null = no cap).
 */
export interface Access {
  allowFrom: string[];
  maxBinds: number | null;
}

export const DEFAULT_ACCESS: Readonly<Access> = Object.freeze({ allowFrom: [], maxBinds: null });

/**
 * An account's own retention ages (docs/operations.md, "Retention"), replacing the operator's
 * `retention` for its messages: null takes the operator's, 0 keeps for ever.
 */
export interface AccountRetention {
  redactAfterDays: number | null;
  deleteAfterDays: number | null;
}

export const DEFAULT_ACCOUNT_RETENTION: Readonly<AccountRetention> = Object.freeze({
  redactAfterDays: null,
  deleteAfterDays: null,
});

/** The per-user settings no SQL selects on (stored as one JSON document). */
export interface UserSettings {
  authorizations: Authorizations;
  valueFilters: ValueFilters;
  defaults: AccountDefaults;
  throughput: Throughput;
  access: Access;
  retention: AccountRetention;
}

/** Settings as a caller gives them: anything omitted takes its default. */
export interface UserSettingsSpec {
  authorizations?: Partial<Authorizations>;
  valueFilters?: Partial<ValueFilters>;
  defaults?: Partial<AccountDefaults>;
  throughput?: Partial<Throughput>;
  access?: Partial<Access>;
  retention?: Partial<AccountRetention>;
}

export interface Group {
  id: string;
  description: string | null;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface GroupSpec {
  id: string;
  description?: string | null;
  enabled?: boolean;
}

export class InvalidAccountError extends HermodError {
  constructor(message: string) {
    super('HERMOD_ERR_INVALID_ACCOUNT', message);
  }
}

const isCount = (n: unknown): boolean => n === null || (Number.isSafeInteger(n) && (n as number) >= 0);

/** Checks an SMS-count quota: null (unlimited) or a non-negative integer. Throws InvalidAccountError. */
export function checkSmsCount(n: unknown): number | null {
  if (n === undefined) return null;
  if (!isCount(n))
    throw new InvalidAccountError('smsCount must be null (unlimited) or a non-negative integer');
  return n as number | null;
}

/**
 * The full settings a spec describes (defaults filled in), after checking them: every
 * authorization a boolean, throughput null or positive, every value filter a valid regular
 * expression. Unknown keys are dropped. Throws InvalidAccountError.
 */
export function userSettings(spec: UserSettingsSpec = {}): UserSettings {
  const authorizations = { ...DEFAULT_AUTHORIZATIONS };
  for (const k of Object.keys(DEFAULT_AUTHORIZATIONS) as (keyof Authorizations)[]) {
    const v = spec.authorizations?.[k];
    if (v === undefined) continue;
    if (typeof v !== 'boolean') throw new InvalidAccountError(`authorizations.${k} must be true or false`);
    authorizations[k] = v;
  }
  const valueFilters = { ...DEFAULT_VALUE_FILTERS };
  for (const k of Object.keys(DEFAULT_VALUE_FILTERS) as (keyof ValueFilters)[]) {
    const v = spec.valueFilters?.[k];
    if (v === undefined) continue;
    if (typeof v !== 'string')
      throw new InvalidAccountError(`valueFilters.${k} must be a regular expression (a string)`);
    try {
      new RegExp(v);
    } catch (err) {
      throw new InvalidAccountError(
        `valueFilters.${k} is not a valid regular expression: ${(err as Error).message}`,
      );
    }
    valueFilters[k] = v;
  }
  const source = spec.defaults?.sourceAddr ?? null;
  if (source !== null && (typeof source !== 'string' || source.length === 0 || source.length > 20)) {
    throw new InvalidAccountError(
      'defaults.sourceAddr must be null or a string of 1 to 20 characters (SMPP source_addr)',
    );
  }
  const country = spec.defaults?.country ?? null;
  if (country !== null && (typeof country !== 'string' || !isCountryCode(country)))
    throw new InvalidAccountError(
      'defaults.country must be null or an ISO 3166 alpha-2 country code in capitals (e.g. GB)',
    );
  const mmsFallback = spec.defaults?.mmsFallback ?? null;
  if (mmsFallback !== null && !MMS_FALLBACKS.includes(mmsFallback))
    throw new InvalidAccountError(`defaults.mmsFallback must be null, ${MMS_FALLBACKS.join(' or ')}`);
  const throughput: Throughput = { http: spec.throughput?.http ?? null, smpp: spec.throughput?.smpp ?? null };
  for (const [k, v] of Object.entries(throughput)) {
    if (v !== null && !(typeof v === 'number' && v > 0 && Number.isFinite(v)))
      throw new InvalidAccountError(`throughput.${k} must be null (unlimited) or a positive number`);
  }
  return {
    authorizations,
    valueFilters,
    defaults: { sourceAddr: source, country, ...(mmsFallback !== null ? { mmsFallback } : {}) },
    throughput,
    access: accessOf(spec.access),
    retention: retentionOf(spec.retention),
  };
}

function retentionOf(spec: Partial<AccountRetention> = {}): AccountRetention {
  const days = (k: keyof AccountRetention): number | null => {
    const v = spec[k] ?? null;
    if (v !== null && !(Number.isInteger(v) && v >= 0 && v <= 36_500))
      throw new InvalidAccountError(
        `retention.${k} must be null (the operator's), 0 (never) or a whole number of days up to 36500`,
      );
    return v;
  };
  const redactAfterDays = days('redactAfterDays');
  const deleteAfterDays = days('deleteAfterDays');
  if (redactAfterDays && deleteAfterDays && deleteAfterDays < redactAfterDays)
    throw new InvalidAccountError(
      `retention.deleteAfterDays must be at least redactAfterDays (${redactAfterDays}): a message is redacted before it is deleted`,
    );
  return { redactAfterDays, deleteAfterDays };
}

function accessOf(spec: Partial<Access> = {}): Access {
  const allowFrom = spec.allowFrom ?? [];
  if (!Array.isArray(allowFrom))
    throw new InvalidAccountError('access.allowFrom must be a list of addresses or CIDR ranges');
  allowFrom.forEach((a, i) => {
    if (typeof a !== 'string' || !isAddressOrCidr(a))
      throw new InvalidAccountError(
        `access.allowFrom[${i}] must be an IPv4/IPv6 address or CIDR range (e.g. 203.0.113.0/24), got ${JSON.stringify(a)}`,
      );
  });
  const maxBinds = spec.maxBinds ?? null;
  if (maxBinds !== null && !(Number.isInteger(maxBinds) && maxBinds > 0))
    throw new InvalidAccountError('access.maxBinds must be null (no cap) or a positive integer');
  return { allowFrom: [...allowFrom], maxBinds };
}

/**
 * Address lists by their entries: a user is read afresh for each request that carries a
 * password (Jasmin's /send), so a list is built once per distinct allowFrom, not per request.
 */
const allowLists = new Map<string, AddressList>();

/** Whether `access` lets a connection from `address` in (IPv4-mapped peers match as IPv4). */
export function allowsAddress(access: Access, address: string | undefined): boolean {
  if (access.allowFrom.length === 0) return true;
  const key = access.allowFrom.join(',');
  let list = allowLists.get(key);
  if (!list) {
    if (allowLists.size >= 1000) allowLists.clear();
    list = new AddressList(access.allowFrom);
    allowLists.set(key, list);
  }
  return list.has(address);
}

export function groupFromSpec(spec: GroupSpec, now: number): Group {
  if (typeof spec.id !== 'string' || spec.id.length === 0)
    throw new InvalidAccountError('group id must be a non-empty string');
  return {
    id: spec.id,
    description: spec.description ?? null,
    enabled: spec.enabled ?? true,
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * The value filters a submission breaks (empty when it passes). Only the values given are
 * checked, so a caller passes what the request carries.
 */
export function valueFilterViolations(
  filters: ValueFilters,
  values: Partial<Record<keyof ValueFilters, string>>,
): (keyof ValueFilters)[] {
  const out: (keyof ValueFilters)[] = [];
  for (const key of Object.keys(values) as (keyof ValueFilters)[]) {
    const v = values[key];
    if (v !== undefined && !new RegExp(filters[key]).test(v)) out.push(key);
  }
  return out;
}
