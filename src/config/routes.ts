/**
 * The MT and MO route lists, checked with the rules and messages of the YAML loader (which
 * calls the same functions as the admin API): every mistake named by its key path.
 */
import { MMS_FALLBACKS, type MoReplySetting, type MoRouteDef, type RouteDef } from '../domain/index.js';
import {
  Checker,
  Filters,
  MO_FILTERS,
  MT_FILTERS,
  checkReachable,
  describe,
  dropUndefined,
  type Obj,
} from './checker.js';
import { moEmailOf } from './mms-email.js';

/**
 * The ordered MT route list at `path`; `known` names the connectors (and users, when given)
 * a route may refer to, and the receive-only connectors among them (which cannot send).
 */
export function checkRoutes(
  c: Checker,
  list: unknown[],
  known: { connectors: readonly string[]; receiveOnly?: readonly string[]; users?: readonly string[] },
  path = 'routes',
): RouteDef[] {
  const f = new Filters(c);
  const knownUsers = (names: string[] | undefined, key: string, p: string) =>
    names?.forEach((n, j) => {
      if (known.users && !known.users.includes(n)) c.fail(`${p}.${key}[${j}]`, `unknown user "${n}"`);
    });
  const routes: RouteDef[] = [];
  const routeIndex: number[] = [];
  list.forEach((x, i) => {
    const p = `${path}[${i}]`;
    const o = c.obj(x, p, [
      'name',
      ...MT_FILTERS,
      'type',
      'connectors',
      'costs',
      'weights',
      'rate',
      'mmsRate',
      'mmsFallback',
    ]);
    if (!o) return;
    const name = c.str(o, 'name', p);
    if (name && routes.some((r) => r.name === name)) c.fail(`${p}.name`, `duplicate route name "${name}"`);
    const type = c.oneOf(
      o,
      'type',
      p,
      ['static', 'failover', 'roundrobin', 'leastcost', 'weighted'] as const,
      'static',
    );
    const prefixes = f.prefixes(o, p);
    const countries = f.countries(o, p);
    const routeUsers = f.strings(o, 'users', p);
    knownUsers(routeUsers, 'users', p);
    const filters = {
      prefixes,
      destinationRegex: f.regex(o, 'destinationRegex', p),
      countries,
      sources: f.strings(o, 'sources', p),
      sourceRegex: f.regex(o, 'sourceRegex', p),
      users: routeUsers,
      groups: f.strings(o, 'groups', p),
      contentRegex: f.regex(o, 'contentRegex', p),
      timeWindow: f.timeWindow(o, p),
      tags: f.strings(o, 'tags', p),
    };
    const names = c.list(o, 'connectors', p).map(String);
    if (names.length === 0) c.fail(`${p}.connectors`, 'needs at least one connector');
    names.forEach((n, j) => {
      if (!known.connectors.includes(n)) c.fail(`${p}.connectors[${j}]`, `unknown connector "${n}"`);
      else if (known.receiveOnly?.includes(n))
        c.fail(
          `${p}.connectors[${j}]`,
          `connector "${n}" binds as receiver only (bindType receiver) and cannot send; route to a transmitter or transceiver`,
        );
    });
    if (type === 'static' && names.length > 1)
      c.fail(
        `${p}.connectors`,
        'a static route has exactly one connector (use failover, roundrobin, weighted or leastcost)',
      );
    const costs: Record<string, Record<string, number>> = {};
    if (o.costs !== undefined) {
      const co = c.obj(o.costs, `${p}.costs`, names) ?? {};
      for (const [k, v] of Object.entries(co)) {
        const table = c.obj(v, `${p}.costs.${k}`, Object.keys(v as Obj)) ?? {};
        costs[k] = {};
        for (const [prefix, price] of Object.entries(table)) {
          if (typeof price !== 'number' || price < 0)
            c.fail(`${p}.costs.${k}.${prefix}`, `expected a cost ≥ 0, got ${describe(price)}`);
          else costs[k][prefix.replace(/^\+/, '')] = price;
        }
      }
    }
    if (type === 'leastcost' && Object.keys(costs).length === 0)
      c.fail(`${p}.costs`, 'a leastcost route needs a cost table per connector');
    let weights: Record<string, number> | undefined;
    if (o.weights !== undefined || type === 'weighted') {
      if (type !== 'weighted') c.fail(`${p}.weights`, 'only weighted routes have weights');
      const wo =
        o.weights === undefined
          ? c.fail(`${p}.weights`, 'a weighted route needs a weight per connector, e.g. { a: 70, b: 30 }')
          : c.obj(o.weights, `${p}.weights`, names);
      if (wo) {
        weights = {};
        for (const n of names) {
          const w = c.num(wo, n, `${p}.weights`, { min: 0 });
          if (w !== undefined && w <= 0)
            c.fail(`${p}.weights.${n}`, `expected a weight > 0, got ${describe(w)}`);
          else if (w !== undefined) weights[n] = w;
        }
      }
    }
    const rate = o.rate === undefined ? undefined : c.num(o, 'rate', p, { min: 0 });
    const mmsRate = o.mmsRate === undefined ? undefined : c.num(o, 'mmsRate', p, { min: 0 });
    const mmsFallback = o.mmsFallback === undefined ? undefined : c.oneOf(o, 'mmsFallback', p, MMS_FALLBACKS);
    if (name && type) {
      routes.push({
        name,
        type,
        connectors: names,
        costs,
        ...dropUndefined(filters),
        ...(weights ? { weights } : {}),
        ...(rate !== undefined ? { rate } : {}),
        ...(mmsRate !== undefined ? { mmsRate } : {}),
        ...(mmsFallback !== undefined ? { mmsFallback } : {}),
      } as RouteDef);
      routeIndex.push(i);
    }
  });
  checkReachable(
    c,
    path,
    routes.map((route, k) => ({ index: routeIndex[k], name: route.name, route })),
    MT_FILTERS,
  );
  if (known.connectors.length > 0 && routes.length === 0)
    c.fail(path, 'at least one route is needed to send anything');
  return routes;
}

/** The most parts `reply.maxMessages` may ask for (a concatenated SMS of 10 parts is 1,530 GSM characters). */
export const MO_REPLY_MAX_MESSAGES = 10;

/**
 * An MO route's `reply` (Kannel's sms-service reply, format kannel only): `maxMessages`
 * (1–10, default 1, Kannel's max-messages) and the `account` it is charged to, which must be
 * a known user; without one the opt-out account is charged, and a config with neither is
 * refused (`known.replyFallback` false; the admin API does not know it and checks no fallback).
 */
function moReplyOf(
  c: Checker,
  o: Obj,
  p: string,
  format: string | undefined,
  known: { users?: readonly string[]; replyFallback?: boolean },
): MoReplySetting | undefined {
  if (o.reply === undefined) return undefined;
  if (format !== 'kannel') {
    c.fail(`${p}.reply`, "only Kannel sms-service routes (format: kannel) send the answer's body back");
    return undefined;
  }
  const r = c.obj(o.reply, `${p}.reply`, ['maxMessages', 'account']);
  if (!r) return undefined;
  const maxMessages =
    c.num(r, 'maxMessages', `${p}.reply`, { def: 1, min: 1, max: MO_REPLY_MAX_MESSAGES, int: true }) ?? 1;
  const account = r.account === undefined ? undefined : c.str(r, 'account', `${p}.reply`);
  if (account !== undefined && known.users && !known.users.includes(account))
    c.fail(`${p}.reply.account`, `unknown user "${account}"`);
  if (account === undefined && known.replyFallback === false)
    c.fail(`${p}.reply.account`, 'the reply must be charged to someone: set reply.account or optOut.account');
  return { maxMessages, ...(account !== undefined ? { account } : {}) };
}

/**
 * The ordered MO route list (`moRoutes:` in the file, or the admin API's body): filters and
 * one target each, a user (their SMPP bind) or an http(s) webhook. Connectors named in
 * `originConnectors` must exist; users are checked when `known.users` is given.
 */
export function checkMoRoutes(
  c: Checker,
  list: unknown[],
  known: {
    connectors: readonly string[];
    users?: readonly string[];
    replyFallback?: boolean;
    smtp?: boolean;
  },
  path = 'moRoutes',
): MoRouteDef[] {
  const f = new Filters(c);
  const moIndex: number[] = [];
  const moRoutes: MoRouteDef[] = [];
  list.forEach((x, i) => {
    const p = `${path}[${i}]`;
    const o = c.obj(x, p, [
      'name',
      ...MO_FILTERS,
      'user',
      'url',
      'email',
      'emailSms',
      'method',
      'format',
      'reply',
      'mmsAsLinks',
    ]);
    if (!o) return;
    const name = o.name === undefined ? undefined : c.str(o, 'name', p);
    const user = o.user === undefined ? undefined : c.str(o, 'user', p);
    if (user && known.users && !known.users.includes(user)) c.fail(`${p}.user`, `unknown user "${user}"`);
    const url = o.url === undefined ? undefined : c.str(o, 'url', p);
    if (url !== undefined) {
      let ok = false;
      try {
        ok = ['http:', 'https:'].includes(new URL(url).protocol);
      } catch {
        ok = false; // not a URL at all: reported below
      }
      if (!ok) c.fail(`${p}.url`, `expected an http:// or https:// URL, got ${describe(url)}`);
    }
    const { email, emailSms } = moEmailOf(c, o, p, known.smtp);
    const targets = [o.user, o.url, o.email].filter((t) => t !== undefined).length;
    if (targets === 0)
      c.fail(
        p,
        "needs a target: user (a customer's SMPP bind), url (an HTTP webhook) or email (addresses; MMS to email)",
      );
    else if (targets > 1) c.fail(p, 'has more than one of user, url and email: an MO route has one target');
    const method = o.method === undefined ? undefined : c.oneOf(o, 'method', p, ['GET', 'POST'] as const);
    if (method !== undefined && url === undefined)
      c.fail(`${p}.method`, 'only webhook (url) routes have a method');
    const format =
      o.format === undefined
        ? undefined
        : c.oneOf(o, 'format', p, ['jasmin', 'rest', 'kannel', 'telnyx'] as const);
    if (format !== undefined && url === undefined)
      c.fail(`${p}.format`, 'only webhook (url) routes have a format');
    if (format === 'rest' && method === 'GET')
      c.fail(`${p}.method`, 'REST events (format: rest) are POSTed as JSON');
    const reply = moReplyOf(c, o, p, format, known);
    if (format === 'telnyx' && method === 'GET')
      c.fail(`${p}.method`, 'Telnyx events (format: telnyx) are POSTed as JSON');
    const mmsAsLinks = o.mmsAsLinks === undefined ? undefined : c.bool(o, 'mmsAsLinks', p, true);
    if (mmsAsLinks !== undefined && user === undefined)
      c.fail(`${p}.mmsAsLinks`, "only routes to a customer's SMPP bind (user) have mmsAsLinks");
    const originConnectors = f.strings(o, 'originConnectors', p);
    originConnectors?.forEach((n, j) => {
      if (!known.connectors.includes(n)) c.fail(`${p}.originConnectors[${j}]`, `unknown connector "${n}"`);
    });
    const route = {
      name,
      prefixes: f.prefixes(o, p),
      destinationRegex: f.regex(o, 'destinationRegex', p),
      countries: f.countries(o, p),
      sources: f.strings(o, 'sources', p),
      sourceRegex: f.regex(o, 'sourceRegex', p),
      contentRegex: f.regex(o, 'contentRegex', p),
      timeWindow: f.timeWindow(o, p),
      originConnectors,
      user,
      url,
      method: url !== undefined ? (method ?? (format === 'kannel' ? 'GET' : 'POST')) : undefined,
      format: format === 'jasmin' ? undefined : format,
      reply,
      mmsAsLinks,
      email,
      emailSms,
    };
    if (user !== undefined || url !== undefined || (email !== undefined && targets === 1)) {
      moRoutes.push(dropUndefined(route) as MoRouteDef);
      moIndex.push(i);
    }
  });
  checkReachable(
    c,
    path,
    moRoutes.map((route, k) => ({ index: moIndex[k], name: route.name, route })),
    MO_FILTERS,
  );
  return moRoutes;
}
