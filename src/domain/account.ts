/**
 * Accounts and groups, after Jasmin's user model (research/anchors-features.md §1.11):
 * a user belongs to a group; "mt authorization" flags, "mt valuefilter" regexes and
 * "mt defaultvalue" shape what it may send; "mt quota" gives a prepaid balance and an SMS
 * count, both unlimited when null ("ND"), and throughput caps. Jasmin calls an account a
 * user; its username is also the SMPP system_id.
 */
import { HermodError } from '../lib/errors.js';

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
}

/** Messages per second; null = unlimited. */
export interface Throughput {
  http: number | null;
  smpp: number | null;
}

export interface Account {
  id: string;
  username: string;
  /** hashPassword() output; never the password. */
  passwordHash: string;
  groupId: string;
  enabled: boolean;
  /** Prepaid balance in micro-units; null = unlimited. Never negative. */
  balance: number | null;
  /** SMS (parts) left; null = unlimited. Never negative. */
  smsCount: number | null;
  throughput: Throughput;
  authorizations: Authorizations;
  valueFilters: ValueFilters;
  defaults: AccountDefaults;
  /** SMPP server: allowed client addresses (IPs or CIDRs); empty = any. */
  ipAllowlist: string[];
  /** SMPP server: simultaneous binds; null = unlimited. */
  maxBindings: number | null;
  createdAt: number;
  updatedAt: number;
}

/** What a caller gives to create or update an account; the rest takes defaults. */
export interface AccountSpec {
  id: string;
  username: string;
  passwordHash: string;
  groupId: string;
  enabled?: boolean;
  /** Only used when the account is created (later changes go through debit/credit). */
  balance?: number | null;
  /** Only used when the account is created. */
  smsCount?: number | null;
  throughput?: Partial<Throughput>;
  authorizations?: Partial<Authorizations>;
  valueFilters?: Partial<ValueFilters>;
  defaults?: Partial<AccountDefaults>;
  ipAllowlist?: string[];
  maxBindings?: number | null;
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

/**
 * The full account a spec describes (defaults filled in), after checking it: ids and names
 * non-empty, counts non-negative integers, every value filter a valid regular expression.
 * `now` stamps createdAt/updatedAt. Throws InvalidAccountError.
 */
export function accountFromSpec(spec: AccountSpec, now: number): Account {
  for (const k of ['id', 'username', 'passwordHash', 'groupId'] as const) {
    if (typeof spec[k] !== 'string' || spec[k].length === 0) throw new InvalidAccountError(`account ${k} must be a non-empty string`);
  }
  const a: Account = {
    id: spec.id,
    username: spec.username,
    passwordHash: spec.passwordHash,
    groupId: spec.groupId,
    enabled: spec.enabled ?? true,
    balance: spec.balance ?? null,
    smsCount: spec.smsCount ?? null,
    throughput: { http: spec.throughput?.http ?? null, smpp: spec.throughput?.smpp ?? null },
    authorizations: { ...DEFAULT_AUTHORIZATIONS, ...spec.authorizations },
    valueFilters: { ...DEFAULT_VALUE_FILTERS, ...spec.valueFilters },
    defaults: { sourceAddr: spec.defaults?.sourceAddr ?? null },
    ipAllowlist: [...(spec.ipAllowlist ?? [])],
    maxBindings: spec.maxBindings ?? null,
    createdAt: now,
    updatedAt: now,
  };
  if (!isCount(a.balance)) throw new InvalidAccountError('balance must be null (unlimited) or a non-negative integer of micro-units');
  if (!isCount(a.smsCount)) throw new InvalidAccountError('smsCount must be null (unlimited) or a non-negative integer');
  if (!isCount(a.maxBindings)) throw new InvalidAccountError('maxBindings must be null (unlimited) or a non-negative integer');
  for (const [k, v] of Object.entries(a.throughput)) {
    if (v !== null && !(typeof v === 'number' && v > 0 && Number.isFinite(v))) throw new InvalidAccountError(`throughput.${k} must be null (unlimited) or a positive number`);
  }
  for (const [k, v] of Object.entries(a.valueFilters)) {
    try {
      new RegExp(v);
    } catch (err) {
      throw new InvalidAccountError(`valueFilters.${k} is not a valid regular expression: ${(err as Error).message}`);
    }
  }
  return a;
}

export function groupFromSpec(spec: GroupSpec, now: number): Group {
  if (typeof spec.id !== 'string' || spec.id.length === 0) throw new InvalidAccountError('group id must be a non-empty string');
  return { id: spec.id, description: spec.description ?? null, enabled: spec.enabled ?? true, createdAt: now, updatedAt: now };
}

/**
 * The value filters a submission breaks (empty when it passes). Only the values given are
 * checked, so a caller passes what the request carries.
 */
export function valueFilterViolations(filters: ValueFilters, values: Partial<Record<keyof ValueFilters, string>>): (keyof ValueFilters)[] {
  const out: (keyof ValueFilters)[] = [];
  for (const key of Object.keys(values) as (keyof ValueFilters)[]) {
    const v = values[key];
    if (v !== undefined && !new RegExp(filters[key]).test(v)) out.push(key);
  }
  return out;
}
