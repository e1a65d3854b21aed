/**
 * The accept step: authorize, normalise, route, price and persist a message (the
 * customer's id is answered only once it is committed); and the quote, which routes and
 * prices without counting or charging anything.
 */
import { createHash } from 'node:crypto';
import { dataCodingOf, decodeText, encodeText, isGsm7, parseUdh } from '../smpp/index.js';
import {
  canCarry,
  takesMms,
  chargedParts,
  countryOf,
  isMms,
  mediaBytes,
  newMessageId,
  normalizeMsisdn,
  InvalidNumberError,
  type Capability,
  type StoredMessage,
  type User,
} from '../domain/index.js';
import { reject, RejectedError } from './errors.js';
import { isHealthy, type Connector } from './connector.js';
import {
  candidates,
  destinationContext,
  matchRoute,
  type RouteDef,
  type RouteType,
  type RoutingContext,
} from './router.js';
import type { SubmitDraft } from './draft.js';
import { checkSubmission, Throttles } from './accounts.js';
import type { AccountCache } from './account-cache.js';
import type { GatewayContext } from './options.js';
import { lowBalanceNotice, mmsPrice, smsPrice, type PriceFrom, type RateCards } from './money.js';
import { fallbackOf, ownMedia, smsWithLinks, tooLargeForRoute } from './mms.js';
import type { LowBalanceNotice } from '../store/money.js';

/** The answer to "which route and price for this number" (gateway.quote). */
export interface Quote {
  /** The destination as routed (E.164 digits). */
  destination: string;
  /** ISO 3166 alpha-2, when libphonenumber-js can tell. */
  country: string | null;
  /** The matching route's name; null when no routes are configured (the first connector). */
  route: string | null;
  type: RouteType | null;
  /** Connectors in the order they would be tried now (healthy first). */
  connectors: string[];
  /** The customer's price per part, micro-units of the account currency. */
  pricePerPartMicros: number;
  /** Where the price comes from: the account's rate card, else the route's rate, else the account's rate. */
  priceFrom: PriceFrom;
  /** With a text or content: the parts it is charged for (as submit counts them) and the total price. */
  parts?: number;
  totalMicros?: number;
  /** `mms` for a quote asked with `mms` and routed to an MMS-capable connector (one charge per MMS). */
  kind: 'sms' | 'mms';
  /** The MMS would be sent as an SMS with links (no MMS-capable connector, the fallback allows it). */
  fallback?: 'sms_link';
}

export interface QuoteRequest {
  user: User;
  destination: string;
  source?: string;
  /** Matched by content route filters; without `content`, also priced as sent with no coding asked (GSM-7 when it fits, else UCS-2). */
  text?: string;
  /** The message as it would be submitted (an interface's own encoding: Jasmin's `coding`, `hex-content`). */
  content?: { body: Buffer; dataCoding: number; esmClass?: number };
  tags?: string[];
  /** Quoted as an MMS (docs/mms.md): MMS-capable connectors only, one MMS price. */
  mms?: boolean;
}

/** A submitted message: its id and what it was charged. */
export interface Accepted {
  id: string;
  /** SMS parts it was charged for (chargedParts on its first connector). */
  segments: number;
  priceMicros: number;
  /** The draft's `messageId` was accepted before: this submit wrote and charged nothing. */
  duplicate?: true;
}

/** Route and connectors for a message, best first. */
export interface Plan {
  route: RouteDef | undefined;
  connectors: string[];
}

export class AcceptService {
  /** Messages routed per route (round robin and weighted split). */
  private readonly turns = new Map<string, number>();
  private readonly recent = new Map<string, { accepted: Promise<Accepted>; until: number }>();
  private readonly throttles: Throttles;
  private readonly lowBalance: LowBalanceNotice;

  constructor(
    private readonly ctx: GatewayContext,
    private readonly accounts: AccountCache,
    /** Tells the dispatcher of a connector that a message waits for it. */
    private readonly wake: (connectorId: string) => void,
    /** The accounts' rate cards (money.ts): the first word on an SMS's price. */
    private readonly rates: RateCards,
  ) {
    this.throttles = new Throttles(ctx.opts.rateShares);
    this.lowBalance = lowBalanceNotice(ctx.opts.webhookRetentionMs);
  }

  /**
   * Route and connectors for a message (or a bare destination), best first; undefined when
   * nothing routes it. `advance` = false asks without counting a message (quotes). An MMS
   * (`need` = `mms`) of `mmsBytes` media bytes goes only to connectors whose `mmsMaxBytes` it fits.
   */
  plan(
    target: string | RoutingContext,
    advance = true,
    need: Capability = 'sms',
    mmsBytes = 0,
  ): Plan | undefined {
    const { opts, connectors } = this.ctx;
    const carries = (id: string) =>
      need === 'mms'
        ? takesMms(connectors.get(id) ?? {}, mmsBytes)
        : canCarry(connectors.get(id) ?? {}, need);
    const ctx = typeof target === 'string' ? destinationContext(target, this.ctx.now()) : target;
    const routes = opts.routes ?? [];
    let route: RouteDef | undefined;
    let order: string[];
    if (routes.length === 0) {
      order = [...connectors.keys()].filter(carries).slice(0, 1);
    } else {
      route = matchRoute(routes, ctx);
      if (!route) return undefined;
      const turn = this.turns.get(route.name) ?? 0;
      if (advance) this.turns.set(route.name, turn + 1);
      order = candidates(route, ctx.destination, (id) => isHealthy(connectors.get(id)), turn);
      // An MMS goes only to connectors that declare `mms` (ready or not: it waits for them),
      // an SMS only to those that carry SMS (an MM7 connector does not).
      order = order.filter(carries);
    }
    // Loop guard: what came in through one of our own connectors never goes out through one.
    const selfBind = opts.selfBind;
    if (selfBind && ctx.user !== null && [...connectors.keys()].some((id) => selfBind(id) === ctx.user))
      order = order.filter((id) => selfBind(id) === undefined);
    return order.length > 0 ? { route, connectors: order } : undefined;
  }

  /** Why a message has no route: no route matches, or its only connectors lead back into us. */
  private unroutable(ctx: RoutingContext): RejectedError {
    const route = matchRoute(this.ctx.opts.routes ?? [], ctx);
    if (route)
      return reject.noRoute(
        ctx.destination,
        `route ${route.name} leads back into Hermod: ${ctx.user} binds through our own connector (loop guard)`,
      );
    return reject.noRoute(ctx.destination);
  }

  /**
   * "Which route and price for this number" (HTTP /rate, REST /v1/rates, the console's
   * test-a-number): the route the message would take now, its connectors and the
   * customer's price per part. Counts nothing and charges nothing. Unroutable or invalid
   * numbers are refused with the same RejectedError a submit would get.
   */
  async quote(q: QuoteRequest): Promise<Quote> {
    const destination = normalized(q.destination);
    const content = q.content
      ? { esmClass: 0, ...q.content }
      : q.text !== undefined
        ? textMessage(q.text)
        : undefined;
    const ctx: RoutingContext = {
      destination,
      source: q.source ?? '',
      user: q.user.username,
      group: q.user.group,
      text: q.text ?? (content ? textOfSubmit(content) : ''),
      tags: q.tags ?? [],
      now: this.ctx.now(),
    };
    const mmsPlan = q.mms ? this.plan(ctx, false, 'mms') : undefined;
    const plan = mmsPlan ?? this.plan(ctx, false);
    if (!plan) throw this.unroutable(ctx);
    const card = await this.rates.of(q.user.id);
    const base = {
      destination,
      country: countryOf(destination) ?? null,
      route: plan.route?.name ?? null,
      type: plan.route?.type ?? null,
      connectors: plan.connectors,
    };
    if (mmsPlan) {
      const price = mmsPrice(card, destination, plan.route, q.user, this.ctx.opts.mms?.priceFactor);
      return {
        ...base,
        pricePerPartMicros: price.micros,
        priceFrom: price.from,
        parts: 1,
        totalMicros: price.micros,
        kind: 'mms',
      };
    }
    const fallback = q.mms === true;
    if (fallback && fallbackOf(q.user, plan.route, this.ctx.opts.mms) !== 'sms_link')
      throw reject.noMmsRoute(destination, noMmsWhy(plan.route));
    const price = smsPrice(card, destination, plan.route?.rate, q.user);
    const pricePerPartMicros = price.micros;
    // Counted as submit charges it: on the connector the message would be sent through first.
    const parts = content ? partsOn(content, this.ctx.connectors.get(plan.connectors[0])) : undefined;
    return {
      ...base,
      pricePerPartMicros,
      priceFrom: price.from,
      ...(parts !== undefined ? { parts, totalMicros: parts * pricePerPartMicros } : {}),
      kind: 'sms',
      ...(fallback ? { fallback: 'sms_link' as const } : {}),
    };
  }

  /**
   * Validates, prices and persists a message, resolving with its id and what it was charged
   * only once it is committed. Throws RejectedError with the reason. The user's throughput
   * for the interface the message came in through (`meta.origin`) is taken here, resends
   * included; a resend within the dedupe window gets the first message's answer.
   */
  submit(user: User, req: SubmitDraft): Promise<Accepted> {
    const origin = req.meta?.origin;
    if (origin !== undefined) {
      try {
        this.throttles.check(user, origin === 'smpp' ? 'smpp' : 'http');
      } catch (err) {
        return Promise.reject(err);
      }
    }
    const window = this.ctx.opts.dedupeWindowMs ?? 0;
    // An id chosen by the engine is its own dedupe (at most one message per id, in the store).
    if (req.messageId !== undefined) return this.submitChosenId(user, req, req.messageId);
    if (window <= 0) return this.submitOnce(user, req);
    const now = Date.now();
    if (this.recent.size > 100_000)
      for (const [k, v] of this.recent) if (v.until <= now) this.recent.delete(k);
    const key = createHash('sha256')
      .update(`${user.id}\0${req.source}\0${req.destination}\0${req.esmClass}\0${req.dataCoding}\0`)
      .update(req.body)
      .digest('base64');
    const hit = this.recent.get(key);
    if (hit && hit.until > now) {
      this.ctx.emit('duplicate', key);
      return hit.accepted;
    }
    const accepted = this.submitOnce(user, req);
    this.recent.set(key, { accepted, until: now + window });
    accepted.catch(() => this.recent.delete(key)); // a refused message may be sent again
    return accepted;
  }

  /**
   * A submit with the engine's id: a refusal (the number opted out since, the route gone)
   * of an id that was accepted before — a resend after a crash — is the duplicate it is,
   * not a refusal. Looked up on the refusal path only: the accepted path costs nothing more.
   */
  private async submitChosenId(user: User, req: SubmitDraft, id: string): Promise<Accepted> {
    try {
      return await this.submitOnce(user, req);
    } catch (err) {
      const before = err instanceof RejectedError ? await this.ctx.store.getMessage(id) : undefined;
      if (before?.userId === user.id)
        return { id, segments: before.meta.segments ?? 1, priceMicros: 0, duplicate: true };
      throw err;
    }
  }

  private async submitOnce(user: User, req: SubmitDraft): Promise<Accepted> {
    if (!user.enabled) throw reject.userDisabled();
    const group = user.group === null ? undefined : await this.accounts.group(user.group);
    if (group && !group.enabled) throw reject.groupDisabled(group.id);
    const destination = normalized(req.destination);
    const meta = req.meta ?? {};
    const priority = req.priority ?? 0;
    // Authorizations, value filters and the default source (src/gateway/accounts.ts).
    const { source } = checkSubmission(user, group, { ...req, destination, priority, meta }, Date.now());
    const ctx = this.routingContext(user, { ...req, source }, destination);
    const { plan, draft, mms } = await this.planOf(user, req, ctx);
    const connector = plan && this.ctx.connectors.get(plan.connectors[0]);
    if (!plan || !connector) throw this.unroutable(ctx);
    if (!req.ignoreOptOut && (await this.ctx.store.isOptedOut(destination, source)))
      throw reject.optedOut(destination, source);
    // Charged per segment before queueing, as the route's first connector will send it; a
    // body the customer split with a UDH is one. Priced by smsPrice's precedence. An MMS is
    // one charge, whatever its text and media (mmsPrice).
    const card = await this.rates.of(user.id);
    const segments = mms ? 1 : partsOn(draft, connector);
    const price = mms
      ? mmsPrice(card, destination, plan.route, user, this.ctx.opts.mms?.priceFactor).micros
      : smsPrice(card, destination, plan.route?.rate, user).micros * segments;
    const id = req.messageId ?? newMessageId();
    const r = await this.ctx.store.accept(
      {
        id,
        ...(req.messageId !== undefined ? { onceOnly: true } : {}),
        userId: user.id,
        systemId: req.systemId,
        source,
        destination,
        esmClass: draft.esmClass,
        dataCoding: draft.dataCoding,
        body: draft.body,
        registeredDelivery: req.registeredDelivery,
        priority,
        connectorId: connector.id,
        priceMicros: price,
        meta: { ...draft.meta, segments, ...(plan.route ? { route: plan.route.name } : {}) },
      },
      { lowBalance: this.lowBalance },
    );
    if (!r.ok) {
      switch (r.reason) {
        case 'duplicate_id':
          return { id, segments, priceMicros: 0, duplicate: true };
        case 'insufficient_balance':
          throw reject.noBalance();
        case 'sms_quota_exhausted':
          throw reject.smsQuota();
        case 'group_disabled':
          throw reject.groupDisabled(user.group ?? '');
        default:
          throw reject.userDisabled();
      }
    }
    this.ctx.emit('accepted', id, connector.id, price);
    // The crossing's webhook was written with the message: the sender is woken for it.
    if (r.lowBalance?.url) this.ctx.emit('webhooks');
    this.wake(connector.id);
    return { id, segments, priceMicros: price };
  }

  /**
   * The plan of a submit and what is stored: an SMS as given; an MMS (meta.media) with its
   * media checked (the account's own, typed as stored) and routed to MMS-capable connectors
   * only; without one on a route that matches, its fallback (an SMS with links) or
   * HERMOD_ERR_NO_MMS_ROUTE.
   */
  private async planOf(
    user: User,
    req: SubmitDraft,
    ctx: RoutingContext,
  ): Promise<{ plan: Plan | undefined; draft: SubmitDraft; mms: boolean }> {
    if (!isMms(req)) return { plan: this.plan(ctx), draft: req, mms: false };
    const media = await ownMedia(this.ctx.opts.media, req.meta?.media ?? [], user.id);
    const draft: SubmitDraft = { ...req, meta: { ...req.meta, media } };
    const bytes = mediaBytes(draft);
    const plan = this.plan(ctx, true, 'mms', bytes);
    if (plan) return { plan, draft, mms: true };
    // MMS connectors on the route, all with a smaller `mmsMaxBytes` than these media need.
    const capped = this.plan(ctx, false, 'mms');
    const tooLarge = () =>
      tooLargeForRoute(bytes, capped?.route, capped?.connectors ?? [], this.ctx.connectors);
    const smsPlan = this.plan(ctx);
    if (!smsPlan) {
      if (capped) throw tooLarge();
      return { plan: undefined, draft, mms: true };
    }
    if (fallbackOf(user, smsPlan.route, this.ctx.opts.mms) !== 'sms_link') {
      if (capped) throw tooLarge();
      throw reject.noMmsRoute(ctx.destination, noMmsWhy(smsPlan.route));
    }
    const sms = smsWithLinks(draft, textOfSubmit(req), this.ctx.opts.media, {
      destination: ctx.destination,
      ...(this.ctx.opts.mms?.linkTtlS !== undefined ? { ttlS: this.ctx.opts.mms.linkTtlS } : {}),
      encode: textMessage,
    });
    return { plan: smsPlan, draft: sms, mms: false };
  }

  /**
   * An MMS a connector refused for good, with no other connector of its route to take it
   * (docs/mms.md, "Fallback after a refusal"): when its fallback is `sms_link`, the same id
   * goes out as the SMS with links accept would have written, to the route's first SMS
   * connector, recharged as SMS (`store.resendAsSms`). True once re-queued; false leaves it
   * to fail as before (fallback `refuse`, no SMS connector, links unsignable, too late, or
   * the balance or quota short of the SMS price).
   */
  async resendAsSms(m: StoredMessage, refusedBy: string, why: string): Promise<boolean> {
    const user = await this.ctx.store.getUser(m.userId);
    if (!user) return false;
    const ctx = this.routingContext(user, m, m.destination);
    const plan = this.plan(ctx, false);
    const connector = plan && this.ctx.connectors.get(plan.connectors[0]);
    if (!plan || !connector || fallbackOf(user, plan.route, this.ctx.opts.mms) !== 'sms_link') return false;
    const ttlS = this.ctx.opts.mms?.linkTtlS;
    let sms: SubmitDraft;
    let segments: number;
    try {
      sms = smsWithLinks(m, textOfSubmit(m), this.ctx.opts.media, {
        destination: m.destination,
        ...(ttlS !== undefined ? { ttlS } : {}),
        encode: textMessage,
      });
      segments = partsOn(sms, connector);
    } catch {
      return false;
    }
    const card = await this.rates.of(user.id);
    const links = sms.meta?.linkedMedia?.length ?? 0;
    const outcome = await this.ctx.store.resendAsSms({
      id: m.id,
      connectorId: connector.id,
      body: sms.body,
      dataCoding: sms.dataCoding,
      esmClass: sms.esmClass,
      meta: { ...sms.meta, segments, ...(plan.route ? { route: plan.route.name } : {}) },
      priceMicros: smsPrice(card, m.destination, plan.route?.rate, user).micros * segments,
      segments,
      detail: `MMS refused by ${refusedBy} (${why}): re-sent as an SMS with ${links} media link(s)`,
    });
    if (outcome !== 'resent') return false;
    this.ctx.emit('failover', m.id, refusedBy, connector.id);
    this.wake(connector.id);
    return true;
  }

  /** The routing context of a submit: who sends what to whom, now. */
  private routingContext(user: User, req: SubmitDraft, destination: string): RoutingContext {
    let text: string | undefined;
    return {
      destination,
      source: req.source,
      user: user.username,
      group: user.group,
      // Decoded only when a route filters on content.
      text: () => (text ??= textOfSubmit(req)),
      tags: req.meta?.tags ?? [],
      now: this.ctx.now(),
    };
  }
}

/** Why an MMS has no route, for HERMOD_ERR_NO_MMS_ROUTE. */
function noMmsWhy(route: RouteDef | undefined): string {
  return route
    ? `route ${route.name} has no MMS-capable connector and its fallback is refuse`
    : 'no MMS-capable connector, and the fallback is refuse';
}

/** A destination as E.164 digits, or the submit's RejectedError. */
function normalized(destination: string): string {
  try {
    return normalizeMsisdn(destination);
  } catch (err) {
    throw reject.invalidDestination(err instanceof InvalidNumberError ? err.message : String(err));
  }
}

/**
 * The parts a message is charged for on `connector` (chargedParts with its dataCoding): the
 * one count behind the charge, quotes and the /send answer. RejectedError past 255 parts.
 */
function partsOn(
  m: { body: Buffer; dataCoding: number; esmClass: number },
  connector: Connector | undefined,
): number {
  try {
    // A connector whose GSM text goes out as Latin-1 or IA5 fits 140 characters per SMS, not 160.
    return chargedParts(m, connector?.dataCoding ?? 0);
  } catch (err) {
    throw reject.tooLong(err instanceof Error ? err.message : String(err));
  }
}

/** A text as it is sent when no coding is asked: GSM-7 (unpacked) when it fits, else UCS-2. */
export function textMessage(text: string): { body: Buffer; dataCoding: number; esmClass: number } {
  const encoding = isGsm7(text) ? 'gsm7' : 'ucs2';
  return { body: encodeText(text, encoding), dataCoding: dataCodingOf(encoding), esmClass: 0 };
}

/** The text of a submitted message, decoded (without its UDH); '' when it cannot be. */
function textOfSubmit(req: Pick<SubmitDraft, 'body' | 'dataCoding' | 'esmClass'>): string {
  let body = req.body;
  if (req.esmClass & 0x40) {
    const udh = parseUdh(body);
    if (udh) body = Buffer.from(udh.body);
  }
  try {
    return decodeText(body, req.dataCoding);
  } catch {
    // Undecodable content (a binary coding, broken UCS-2) matches no content filter.
    return '';
  }
}
