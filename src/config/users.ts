/**
 * The `users` and `groups` blocks of the configuration: accounts, their money and limits,
 * and the settings (authorizations, value filters, defaults, throughput, access) a user or
 * a group gives; every mistake named by its key path.
 */
import {
  DEFAULT_AUTHORIZATIONS,
  DEFAULT_VALUE_FILTERS,
  isCountryCode,
  MMS_FALLBACKS,
  type AccountDefaults,
  type Authorizations,
  type UserSettingsSpec,
  type ValueFilters,
} from '../domain/index.js';
import { isAddressOrCidr } from '../lib/address-list.js';
import type { GroupConfig, UserConfig } from './schema.js';
import { Checker, describe, type Obj } from './checker.js';

/** The Jasmin-compatible HTTP API's response formats (`httpApi.responseFormat`, per user or for all). */
export const FORMATS = ['json', 'jasmin'] as const;

/** A user's authorizations, value filters, defaults, throughput and access; only what is given. */
function userSettingsOf(c: Checker, o: Obj, p: string): UserSettingsSpec {
  const out: UserSettingsSpec = {};
  if (o.authorizations !== undefined) {
    const keys = Object.keys(DEFAULT_AUTHORIZATIONS) as (keyof Authorizations)[];
    const a = c.obj(o.authorizations, `${p}.authorizations`, keys) ?? {};
    const auth: Partial<Authorizations> = {};
    for (const k of keys)
      if (a[k] !== undefined) auth[k] = c.bool(a, k, `${p}.authorizations`, DEFAULT_AUTHORIZATIONS[k]);
    out.authorizations = auth;
  }
  if (o.valueFilters !== undefined) {
    const keys = Object.keys(DEFAULT_VALUE_FILTERS) as (keyof ValueFilters)[];
    const v = c.obj(o.valueFilters, `${p}.valueFilters`, keys) ?? {};
    const filters: Partial<ValueFilters> = {};
    for (const k of keys) {
      if (v[k] === undefined) continue;
      const re = c.str(v, k, `${p}.valueFilters`);
      if (re === undefined) continue;
      try {
        new RegExp(re);
        filters[k] = re;
      } catch (err) {
        c.fail(`${p}.valueFilters.${k}`, `not a valid regular expression: ${(err as Error).message}`);
      }
    }
    out.valueFilters = filters;
  }
  if (o.defaults !== undefined) {
    const d = c.obj(o.defaults, `${p}.defaults`, ['sourceAddr', 'country', 'mmsFallback']) ?? {};
    const defaults: Partial<AccountDefaults> = {};
    if (d.sourceAddr !== undefined) {
      const src =
        typeof d.sourceAddr === 'number' ? String(d.sourceAddr) : c.str(d, 'sourceAddr', `${p}.defaults`);
      if (src !== undefined && src.length > 20)
        c.fail(`${p}.defaults.sourceAddr`, 'at most 20 characters (SMPP source_addr)');
      else if (src !== undefined) defaults.sourceAddr = src;
    }
    if (d.country !== undefined && d.country !== null) {
      const country = c.str(d, 'country', `${p}.defaults`);
      if (country !== undefined && !isCountryCode(country))
        c.fail(
          `${p}.defaults.country`,
          `expected an ISO 3166 alpha-2 country code in capitals (e.g. GB), got ${describe(country)}`,
        );
      else if (country !== undefined) defaults.country = country;
    }
    if (d.mmsFallback !== undefined && d.mmsFallback !== null)
      defaults.mmsFallback = c.oneOf(d, 'mmsFallback', `${p}.defaults`, MMS_FALLBACKS) ?? null;
    if (Object.keys(defaults).length > 0) out.defaults = defaults;
  }
  if (o.throughput !== undefined) {
    const t = c.obj(o.throughput, `${p}.throughput`, ['http', 'smpp']) ?? {};
    out.throughput = {};
    for (const k of ['http', 'smpp'] as const) {
      if (t[k] === undefined || t[k] === null) continue;
      const n = c.num(t, k, `${p}.throughput`, { min: 0.1 });
      if (n !== undefined) out.throughput[k] = n;
    }
  }
  if (o.access !== undefined) {
    const a = c.obj(o.access, `${p}.access`, ['allowFrom', 'maxBinds']) ?? {};
    out.access = {};
    if (a.allowFrom !== undefined) {
      out.access.allowFrom = c.list(a, 'allowFrom', `${p}.access`).flatMap((v, i) => {
        if (typeof v === 'string' && isAddressOrCidr(v)) return [v];
        c.fail(
          `${p}.access.allowFrom[${i}]`,
          `expected an IPv4/IPv6 address or CIDR range (e.g. 203.0.113.0/24), got ${describe(v)}`,
        );
        return [];
      });
    }
    if (a.maxBinds !== undefined && a.maxBinds !== null)
      out.access.maxBinds = c.num(a, 'maxBinds', `${p}.access`, { min: 1, int: true });
  }
  return out;
}

export function groupsOf(c: Checker, root: Obj): GroupConfig[] {
  const groups: GroupConfig[] = [];
  c.list(root, 'groups', '$').forEach((g, i) => {
    const p = `groups[${i}]`;
    const o = c.obj(g, p, ['id', 'description', 'enabled']);
    if (!o) return;
    const id = c.str(o, 'id', p);
    if (id && groups.some((x) => x.id === id)) c.fail(`${p}.id`, `duplicate group "${id}"`);
    const description = o.description === undefined ? null : (c.str(o, 'description', p) ?? null);
    if (id) groups.push({ id, description, enabled: c.bool(o, 'enabled', p, true) });
  });
  return groups;
}

const USER_KEYS = [
  'username',
  'password',
  'balance',
  'rate',
  'enabled',
  'group',
  'authorizations',
  'valueFilters',
  'defaults',
  'quota',
  'throughput',
  'access',
  'httpApi',
  'webhookSecret',
  'apiKeys',
];

export function usersOf(c: Checker, root: Obj, groups: GroupConfig[]): UserConfig[] {
  const users: UserConfig[] = [];
  c.list(root, 'users', '$').forEach((u, i) => {
    const p = `users[${i}]`;
    const o = c.obj(u, p, USER_KEYS);
    if (!o) return;
    if (typeof o.username === 'string' && users.some((x) => x.username === o.username))
      c.fail(`${p}.username`, `duplicate user "${o.username}"`);
    const user = userOf(c, o, p, groups);
    if (user) users.push(user);
  });
  return users;
}

/** One entry of `users:`; undefined when a required key is missing (the issue is recorded). */
function userOf(c: Checker, o: Obj, p: string, groups: GroupConfig[]): UserConfig | undefined {
  const username = c.str(o, 'username', p);
  const password = c.str(o, 'password', p);
  const balance = c.num(o, 'balance', p, { def: 0, min: 0 });
  const rate = c.num(o, 'rate', p, { def: 0, min: 0 });
  if (username && username.length > 15)
    c.fail(`${p}.username`, 'at most 15 characters (it is the SMPP system_id)');
  if (password && password.length > 8)
    c.fail(`${p}.password`, 'at most 8 characters (SMPP 3.4 password field)');
  const group = o.group === undefined ? null : (c.str(o, 'group', p) ?? null);
  if (group !== null && !groups.some((g) => g.id === group))
    c.fail(`${p}.group`, `unknown group "${group}" (declare it under groups)`);
  const settings = userSettingsOf(c, o, p);
  let smsCount: number | null = null;
  if (o.quota !== undefined) {
    const q = c.obj(o.quota, `${p}.quota`, ['smsCount']) ?? {};
    if (q.smsCount !== undefined && q.smsCount !== null)
      smsCount = c.num(q, 'smsCount', `${p}.quota`, { min: 0, int: true }) ?? null;
  }
  const uh = o.httpApi === undefined ? undefined : c.obj(o.httpApi, `${p}.httpApi`, ['responseFormat']);
  const uFormat =
    uh?.responseFormat === undefined ? undefined : c.oneOf(uh, 'responseFormat', `${p}.httpApi`, FORMATS);
  const secret = o.webhookSecret === undefined ? undefined : c.str(o, 'webhookSecret', p);
  const apiKeys = c.list(o, 'apiKeys', p).map((k, j) => {
    if (typeof k !== 'string' || k.length < 16)
      c.fail(`${p}.apiKeys[${j}]`, 'expected a string of at least 16 characters');
    return String(k);
  });
  const enabled = c.bool(o, 'enabled', p, true);
  if (!(username && password && balance !== undefined && rate !== undefined)) return undefined;
  return {
    username,
    password,
    balance,
    rate,
    enabled,
    group,
    smsCount,
    settings,
    apiKeys,
    ...(uFormat ? { httpApi: { responseFormat: uFormat } } : {}),
    ...(secret ? { webhookSecret: secret } : {}),
  };
}
