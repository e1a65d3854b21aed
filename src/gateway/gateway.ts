/**
 * The gateway core: accept (validate, price, persist), dispatch (queue → connector),
 * track (receipts → state → the customer). It never touches a socket: connectors and
 * interfaces do, through the narrow interfaces below.
 */
import { EventEmitter } from 'node:events';
import { createHash } from 'node:crypto';
import {
  dataCodingOf,
  decodeText,
  encodeText,
  isGsm7,
  messageIdKeys,
  normalizeMessageId,
  parseUdh,
  type Receipt,
} from '../smpp/index.js';
import {
  chargedParts,
  countryOf,
  FINAL_STATES,
  RECEIPT_STAT,
  newMessageId,
  normalizeMsisdn,
  splitForSubmit,
  InvalidNumberError,
  OptOutRules,
  type OptOutKind,
  type OptOutSettings,
  type Group,
  type MessageState,
  type OutboundPart,
  type PartState,
  type StoredMessage,
  type User,
} from '../domain/index.js';
import type { CancelOutcome, FinalNotify, NewWebhook, PartMatch, Store } from '../store/store.js';
import { backoffDelay, type BackoffPolicy } from '../lib/backoff.js';
import { connectorChange, reject, type RejectedError } from './errors.js';
import { isTransient, type Connector, type InboundPdu, type LateSubmit } from './connector.js';
import type { InboundMessage, MoRecord } from '../store/store.js';
import {
  candidates,
  destinationContext,
  matchMoRoute,
  matchRoute,
  type MoRouteDef,
  type RouteDef,
  type RouteType,
  type RoutingContext,
} from './router.js';
import type { SubmitDraft as SubmitRequest } from './draft.js';
import { checkSubmission, Throttles } from './accounts.js';
import { webhookForMo, webhooksForState, type StateReport } from './webhooks.js';

export type { SubmitDraft as SubmitRequest } from './draft.js';

/** The receipt forwarded to a customer, as stored in the outbox. */
export interface CustomerReceipt {
  messageId: string;
  source: string;
  destination: string;
  state: MessageState;
  stat: string;
  err: string;
  submitDate: number;
  doneDate: number;
  /** For a multipart message: parts submitted and parts delivered (the receipt's sub/dlvrd). */
  parts?: { total: number; delivered: number };
}

const STATE_OF: Record<Receipt['state'], PartState> = {
  delivered: 'delivered',
  undelivered: 'undelivered',
  expired: 'expired',
  deleted: 'undelivered',
  rejected: 'rejected',
  accepted: 'sent',
  enroute: 'sent',
  unknown: 'unknown',
  skipped: 'undelivered',
};

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
  /** Where the price comes from: the route's rate, else the account's rate. */
  priceFrom: 'route' | 'user';
  /** With a text or content: the parts it is charged for (as submit counts them) and the total price. */
  parts?: number;
  totalMicros?: number;
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
}

/** A submitted message: its id and what it was charged. */
export interface Accepted {
  id: string;
  /** SMS parts it was charged for (chargedParts on its first connector). */
  segments: number;
  priceMicros: number;
}

/** The account's group, once accounts carry one (read defensively until then). */
const groupOf = (user: User): string | null => user.group;

export interface GatewayOptions {
  /** Retry policy for transient connector failures. */
  retry?: BackoffPolicy;
  /** Attempts before a message that keeps failing transiently is failed. */
  maxAttempts?: number;
  leaseMs?: number;
  /** Ordered MT routes; without any, every message goes to the first connector. */
  routes?: RouteDef[];
  /** Ordered MO routes (filters → a customer's SMPP bind or an HTTP webhook). */
  moRoutes?: MoRouteDef[];
  /**
   * Loop guard: the username a connector binds to our own SMPP server as, when it points
   * at this Hermod. MOs from it are never routed back to that user, and messages submitted
   * by such a user never leave through such a connector.
   */
  selfBind?: (connectorId: string) => string | undefined;
  /**
   * How receipts of a connector find their parts: `scope`, what its message ids are unique
   * in (its `dlrScope`, default its id: a receipt is matched only to parts sent through a
   * connector of the same scope, since two SMSCs may hand out the same ids); `base`, the
   * base its SMSC writes ids in, in submit_sm_resp and in receipts (Kannel's msg-id-type),
   * when known: then a receipt's id is read in one way only, never ambiguously.
   */
  receiptMatching?: (
    connectorId: string,
  ) => { scope?: string; base?: { response: 'hex' | 'dec'; receipt: 'hex' | 'dec' } } | undefined;
  /** The time routes' time windows see (default Date.now; tests inject it). */
  now?: () => number;
  /** Webhook items not delivered within this long are dropped (default 3 days). */
  webhookRetentionMs?: number;
  /**
   * Receipts parked this long without their part showing up are dropped (default 3 days,
   * like the customer outbox): an SMSC's receipt for an id we never sent must not stay for ever.
   */
  parkedReceiptRetentionMs?: number;
  /** Incomplete concatenated MOs are released after this long (default 60 s). */
  moPartTimeoutMs?: number;
  /**
   * Customer resends of the same message (same account, source, destination, coding and
   * body) within this window get the first message's id instead of a second message
   * (checklist row 19). 0 = off. Kept in memory, per node.
   */
  dedupeWindowMs?: number;
  /** STOP / START / HELP keywords and their auto-replies, per receiving number (default DEFAULT_OPT_OUT). */
  optOut?: OptOutSettings;
  /**
   * How long a user or group read from the store is reused by `currentUser()` and the
   * group check of the submit path (default 1000 ms). The store's accept() checks enabled
   * flags and quotas itself, so this only delays the precise refusal reason.
   */
  accountCacheMs?: number;
  /**
   * Whether a message that ends without reaching the SMSC gets its price back (checklist
   * row 10; config `billing.refund`): `rejected`, the SMSC refused a submit with a permanent
   * error; `failed`, the retries of transient errors ran out; `expired`, its validity period
   * ended before it was sent. Only the parts not accepted upstream, each flag default true.
   * A canceled message is always refunded.
   */
  refund?: { rejected?: boolean; failed?: boolean; expired?: boolean };
}

/** An MO as held in the outbox for a customer's SMPP bind. */
export interface CustomerMo {
  kind: 'mo';
  id: string;
  source: string;
  destination: string;
  dataCoding: number;
  body: string; // base64
  complete: boolean;
}

/** `id` written in base `from` (hex or decimal digits), rewritten in base `to`; undefined when it is not such a number. */
function inBase(id: string, from: 'hex' | 'dec', to: 'hex' | 'dec'): string | undefined {
  const t = id.trim();
  if (!(from === 'hex' ? /^[0-9a-f]{1,32}$/i : /^[0-9]{1,40}$/).test(t)) return undefined;
  const n = BigInt(from === 'hex' ? `0x${t}` : t);
  return to === 'hex' ? n.toString(16) : n.toString(10);
}

export class Gateway extends EventEmitter {
  private readonly connectors = new Map<string, Connector>();
  /** The dispatcher of each connector, by id (waited for when its connector is replaced or removed, and at stop). */
  private readonly dispatchers = new Map<string, Promise<void>>();
  private readonly wake = new Map<string, () => void>();
  private running = false;
  /** Messages routed per route (round robin and weighted split). */
  private readonly turns = new Map<string, number>();
  /** MO routing decisions taken in the store's transaction, until afterMo reads them. */
  private readonly moDecisions = new Map<string, MoRouteDef>();
  private readonly recent = new Map<string, { accepted: Promise<Accepted>; until: number }>();
  private readonly throttles = new Throttles();
  private readonly userCache = new Map<string, { user: Promise<User | undefined>; until: number }>();
  private readonly groupCache = new Map<string, { group: Promise<Group | undefined>; until: number }>();
  private readonly optOut: OptOutRules;
  /**
   * Row 5. Parts whose submit is out now (`${id}:${seq}` → settles when its outcome is
   * recorded): a late response for one of them waits for it.
   */
  private readonly submitting = new Map<string, Promise<void>>();
  /**
   * Parts a late submit_sm_resp reported accepted (`${id}:${seq}` → resolves true once the
   * part is stored as sent with that id, false when it was not): a dispatcher about to
   * resend such a part takes that instead. Kept a lease's length, for a claim made before.
   */
  private readonly lateAccepted = new Map<string, Promise<boolean>>();
  /** Messages a dispatcher is sending now (it reports them `sent` itself). */
  private readonly sending = new Set<string>();

  constructor(
    readonly store: Store,
    private readonly opts: GatewayOptions = {},
  ) {
    super();
    this.optOut = new OptOutRules(opts.optOut);
  }

  /**
   * Adds a connector. Before start() it is started by start(); while the gateway runs (the
   * admin API) it starts at once, with its own dispatcher. An id in use is refused.
   */
  async addConnector(c: Connector): Promise<void> {
    if (this.connectors.has(c.id)) throw connectorChange.exists(c.id);
    this.register(c);
    if (!this.running) return;
    this.runDispatcher(c);
    this.startReceiptSweep();
    await c.start();
  }

  /**
   * Swaps a connector for a new one with the same id (a changed definition). The old one's
   * dispatcher stops claiming, its in-flight submits finish, then it is stopped; the new one
   * starts and takes over the queue, which stays where it is (messages are queued by id).
   */
  async replaceConnector(next: Connector): Promise<void> {
    const old = this.connectors.get(next.id);
    if (!old) throw connectorChange.unknown(next.id);
    this.register(next);
    if (!this.running) return;
    await this.retire(old);
    this.runDispatcher(next);
    this.startReceiptSweep();
    await next.start();
  }

  /**
   * Removes a connector for good: refused (409, with the reason) while a route names it or
   * messages are queued for it. Its dispatcher and in-flight submits finish first.
   */
  async removeConnector(id: string): Promise<void> {
    const c = this.connectors.get(id);
    if (!c) throw connectorChange.unknown(id);
    const route = this.routes().find((r) => r.connectors.includes(id));
    if (route) throw connectorChange.inUse(id, `route "${route.name}" names it`);
    // An MO route limited to this connector's replies would never match again, silently.
    const moRoutes = this.opts.moRoutes ?? [];
    const mo = moRoutes.findIndex((r) => r.originConnectors?.includes(id));
    if (mo >= 0)
      throw connectorChange.inUse(
        id,
        `MO route ${moRoutes[mo].name ? `"${moRoutes[mo].name}"` : `moRoutes[${mo}]`} names it in originConnectors`,
      );
    const queued = await this.store.queueDepth(id);
    if (queued > 0)
      throw connectorChange.inUse(id, `${queued} message${queued === 1 ? ' is' : 's are'} queued for it`);
    if (this.connectors.get(id) !== c) throw connectorChange.unknown(id);
    this.connectors.delete(id);
    if (this.running) await this.retire(c);
    else await c.stop();
    this.wake.delete(id);
    this.dispatchers.delete(id);
  }

  /** Replaces the ordered MT route table; every connector a route names must exist. */
  setRoutes(routes: RouteDef[]): void {
    routes.forEach((r, i) =>
      r.connectors.forEach((id, j) => {
        if (!this.connectors.has(id))
          throw connectorChange.unknownInRoute(`routes[${i}].connectors[${j}]`, id);
      }),
    );
    this.opts.routes = [...routes];
  }

  /** The MO routes in order (first match wins). */
  moRoutes(): MoRouteDef[] {
    return [...(this.opts.moRoutes ?? [])];
  }

  /** Replaces the ordered MO route table; every connector named in `originConnectors` must exist. */
  setMoRoutes(routes: MoRouteDef[]): void {
    routes.forEach((r, i) =>
      r.originConnectors?.forEach((id, j) => {
        if (!this.connectors.has(id))
          throw connectorChange.unknownInRoute(`moRoutes[${i}].originConnectors[${j}]`, id);
      }),
    );
    this.opts.moRoutes = [...routes];
  }

  private register(c: Connector): void {
    this.connectors.set(c.id, c);
    c.onReceipt((r) => this.onReceipt(c, r));
    c.onMo((mo) => this.onMo(c, mo));
    c.onLateSubmit?.((late) => this.onLateSubmit(c, late));
  }

  /** One connector's dispatcher (it ends when the gateway stops or the connector is no longer the one under its id). */
  private runDispatcher(c: Connector): void {
    this.dispatchers.set(c.id, this.dispatch(c));
  }

  /** A connector that is no longer under its id: its dispatcher ends (in-flight submits finish), then it stops. */
  private async retire(c: Connector): Promise<void> {
    this.wake.get(c.id)?.();
    await this.dispatchers.get(c.id);
    await (c.close ? c.close() : c.stop());
  }

  /** The connectors, in the order they were added. */
  listConnectors(): Connector[] {
    return [...this.connectors.values()];
  }

  getConnector(id: string): Connector | undefined {
    return this.connectors.get(id);
  }

  /** The ordered MT route table. */
  routes(): readonly RouteDef[] {
    return this.opts.routes ?? [];
  }

  /**
   * An operator's stop: the connector unbinds (in-flight submits finish first) and its
   * dispatcher waits; its queue stays and routes prefer healthy connectors meanwhile.
   */
  async stopConnector(id: string): Promise<boolean> {
    const c = this.connectors.get(id);
    if (!c) return false;
    await c.stop();
    this.emit('connector_stopped', id);
    return true;
  }

  /** Binds a stopped connector again; its dispatcher resumes once it is bound. */
  async startConnector(id: string): Promise<boolean> {
    const c = this.connectors.get(id);
    if (!c) return false;
    await c.start();
    this.emit('connector_started', id);
    return true;
  }

  private healthy = (id: string): boolean => this.connectors.get(id)?.ready ?? false;

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  /**
   * Route and connectors for a message (or a bare destination), best first; undefined when
   * nothing routes it. `advance` = false asks without counting a message (quotes).
   */
  plan(
    target: string | RoutingContext,
    advance = true,
  ): { route: RouteDef | undefined; connectors: string[] } | undefined {
    const ctx = typeof target === 'string' ? destinationContext(target, this.now()) : target;
    const routes = this.opts.routes ?? [];
    let route: RouteDef | undefined;
    let order: string[];
    if (routes.length === 0) {
      order = [...this.connectors.keys()].slice(0, 1);
    } else {
      route = matchRoute(routes, ctx);
      if (!route) return undefined;
      const turn = this.turns.get(route.name) ?? 0;
      if (advance) this.turns.set(route.name, turn + 1);
      order = candidates(route, ctx.destination, this.healthy, turn);
    }
    // Loop guard: what came in through one of our own connectors never goes out through one.
    const selfBind = this.opts.selfBind;
    if (selfBind && ctx.user !== null && [...this.connectors.keys()].some((id) => selfBind(id) === ctx.user))
      order = order.filter((id) => selfBind(id) === undefined);
    return order.length > 0 ? { route, connectors: order } : undefined;
  }

  /** Why a message has no route: no route matches, or its only connectors lead back into us. */
  private unroutable(ctx: RoutingContext): RejectedError {
    const route = matchRoute(this.opts.routes ?? [], ctx);
    if (route)
      return reject.noRoute(
        ctx.destination,
        `route ${route.name} leads back into Hermod: ${ctx.user} binds through our own connector (loop guard)`,
      );
    return reject.noRoute(ctx.destination);
  }

  /** The routing context of a submit: who sends what to whom, now. */
  private routingContext(user: User, req: SubmitRequest, destination: string): RoutingContext {
    let text: string | undefined;
    return {
      destination,
      source: req.source,
      user: user.username,
      group: groupOf(user),
      // Decoded only when a route filters on content.
      text: () => (text ??= textOfSubmit(req)),
      tags: req.meta?.tags ?? [],
      now: this.now(),
    };
  }

  /**
   * "Which route and price for this number" (HTTP /rate, REST /v1/rates, the console's
   * test-a-number): the route the message would take now, its connectors and the
   * customer's price per part. Counts nothing and charges nothing. Unroutable or invalid
   * numbers are refused with the same RejectedError a submit would get.
   */
  async quote(q: QuoteRequest): Promise<Quote> {
    let destination: string;
    try {
      destination = normalizeMsisdn(q.destination);
    } catch (err) {
      throw reject.invalidDestination(err instanceof InvalidNumberError ? err.message : String(err));
    }
    const content = q.content
      ? { esmClass: 0, ...q.content }
      : q.text !== undefined
        ? textMessage(q.text)
        : undefined;
    const ctx: RoutingContext = {
      destination,
      source: q.source ?? '',
      user: q.user.username,
      group: groupOf(q.user),
      text: q.text ?? (content ? textOfSubmit(content) : ''),
      tags: q.tags ?? [],
      now: this.now(),
    };
    const plan = this.plan(ctx, false);
    if (!plan) throw this.unroutable(ctx);
    const rate = plan.route?.rate;
    const pricePerPartMicros = rate !== undefined ? Math.round(rate * 1_000_000) : q.user.rateMicros;
    // Counted as submit charges it: on the connector the message would be sent through first.
    const parts = content ? this.chargedParts(content, this.connectors.get(plan.connectors[0])) : undefined;
    return {
      destination,
      country: countryOf(destination) ?? null,
      route: plan.route?.name ?? null,
      type: plan.route?.type ?? null,
      connectors: plan.connectors,
      pricePerPartMicros,
      priceFrom: rate !== undefined ? 'route' : 'user',
      ...(parts !== undefined ? { parts, totalMicros: parts * pricePerPartMicros } : {}),
    };
  }

  /**
   * The parts a message is charged for on `connector` (chargedParts with its dataCoding): the
   * one count behind the charge, quotes and the /send answer. RejectedError past 255 parts.
   */
  private chargedParts(
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

  /**
   * Validates, prices and persists a message; resolves with its id only once it is
   * committed. Throws RejectedError with the reason. The user's throughput for the
   * interface the message came in through (`meta.origin`) is taken here, resends included.
   */
  submit(user: User, req: SubmitRequest): Promise<string> {
    return this.submitAccepted(user, req).then((a) => a.id);
  }

  /** As submit, resolving with the id and what the message was charged (parts, price). */
  submitAccepted(user: User, req: SubmitRequest): Promise<Accepted> {
    const origin = req.meta?.origin;
    if (origin !== undefined) {
      try {
        this.throttles.check(user, origin === 'smpp' ? 'smpp' : 'http');
      } catch (err) {
        return Promise.reject(err);
      }
    }
    const window = this.opts.dedupeWindowMs ?? 0;
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
      this.emit('duplicate', key);
      return hit.accepted;
    }
    const accepted = this.submitOnce(user, req);
    this.recent.set(key, { accepted, until: now + window });
    accepted.catch(() => this.recent.delete(key)); // a refused message may be sent again
    return accepted;
  }

  /**
   * The user as the store has it, reused for `accountCacheMs` (interfaces call this per
   * request so that settings changed at runtime apply to open binds too).
   */
  currentUser(username: string): Promise<User | undefined> {
    const now = Date.now();
    const hit = this.userCache.get(username);
    if (hit && hit.until > now) return hit.user;
    const user = this.store.getUserByName(username);
    if (this.userCache.size > 10_000) this.userCache.clear();
    this.userCache.set(username, { user, until: now + (this.opts.accountCacheMs ?? 1000) });
    user.catch(() => this.userCache.delete(username));
    return user;
  }

  /** The group as the store has it, reused for `accountCacheMs`. */
  group(id: string): Promise<Group | undefined> {
    const now = Date.now();
    const hit = this.groupCache.get(id);
    if (hit && hit.until > now) return hit.group;
    const group = this.store.getGroup(id);
    if (this.groupCache.size > 10_000) this.groupCache.clear();
    this.groupCache.set(id, { group, until: now + (this.opts.accountCacheMs ?? 1000) });
    group.catch(() => this.groupCache.delete(id));
    return group;
  }

  /** Forgets cached users and groups (after an admin change) so the next request reads the store. */
  forgetAccounts(): void {
    this.userCache.clear();
    this.groupCache.clear();
  }

  private async submitOnce(user: User, req: SubmitRequest): Promise<Accepted> {
    if (!user.enabled) throw reject.userDisabled();
    const group = user.group === null ? undefined : await this.group(user.group);
    if (group && !group.enabled) throw reject.groupDisabled(group.id);
    let destination: string;
    try {
      destination = normalizeMsisdn(req.destination);
    } catch (err) {
      throw reject.invalidDestination(err instanceof InvalidNumberError ? err.message : String(err));
    }
    const meta = req.meta ?? {};
    const priority = req.priority ?? 0;
    // Authorizations, value filters and the default source (src/gateway/accounts.ts).
    const { source } = checkSubmission(user, group, { ...req, destination, priority, meta }, Date.now());
    const ctx = this.routingContext(user, { ...req, source }, destination);
    const plan = this.plan(ctx);
    const connector = plan && this.connectors.get(plan.connectors[0]);
    if (!plan || !connector) throw this.unroutable(ctx);
    if (!req.ignoreOptOut && (await this.store.isOptedOut(destination, source)))
      throw reject.optedOut(destination, source);
    const rate = plan.route?.rate;
    // Charged per segment before queueing (row 22), as the route's first connector will send
    // it; a body the customer split with a UDH is one.
    const segments = this.chargedParts(req, connector);
    const perPart = rate !== undefined ? Math.round(rate * 1_000_000) : user.rateMicros;
    const id = newMessageId();
    const r = await this.store.accept({
      id,
      userId: user.id,
      systemId: req.systemId,
      source,
      destination,
      esmClass: req.esmClass,
      dataCoding: req.dataCoding,
      body: req.body,
      registeredDelivery: req.registeredDelivery,
      priority,
      connectorId: connector.id,
      priceMicros: perPart * segments,
      meta: { ...meta, segments, ...(plan.route ? { route: plan.route.name } : {}) },
    });
    if (!r.ok) {
      switch (r.reason) {
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
    this.emit('accepted', id, connector.id, perPart * segments);
    this.wake.get(connector.id)?.();
    return { id, segments, priceMicros: perPart * segments };
  }

  /**
   * The customer takes back a message that has not gone out (Store.cancel): `canceled`,
   * refunded, and told as after any final state (SMPP receipt stat DELETED, Jasmin DLR,
   * REST `canceled` event). `via` names the door in the message's history.
   */
  async cancel(user: User, id: string, via: string): Promise<CancelOutcome> {
    const detail = `canceled by the customer (${via})`;
    const notified: { item: boolean; systemId?: string; webhooks?: boolean } = { item: false };
    const outcome = await this.store.cancel(
      id,
      user.id,
      detail,
      this.withWebhooks(this.finalNotify(notified, '000'), notified, { error: detail }),
    );
    if (outcome !== 'canceled') return outcome;
    this.emit('canceled', id);
    if (notified.item) this.emit('outbox', notified.systemId);
    if (notified.webhooks) this.emit('webhooks');
    return outcome;
  }

  /** Starts the connectors and one dispatcher per connector. */
  async start(): Promise<void> {
    this.running = true;
    // Messages a previous process had claimed when it stopped: their resend may duplicate
    // them (row 1); each has it in its history, the count goes to the log and the metrics.
    if (this.store.restartRequeued > 0) this.emit('restart_requeued', this.store.restartRequeued);
    await Promise.all([...this.connectors.values()].map((c) => c.start()));
    for (const c of this.connectors.values()) this.runDispatcher(c);
    const timeout = this.opts.moPartTimeoutMs ?? 60_000;
    this.moSweep = setInterval(
      () => void this.releaseStaleMo(timeout),
      Math.max(50, Math.min(5000, timeout / 4)),
    );
    this.moSweep.unref();
    const parkedFor = this.opts.parkedReceiptRetentionMs ?? 3 * 86_400_000;
    this.parkedSweep = setInterval(
      () => {
        this.store.expireParkedReceipts(parkedFor).then(
          (n) => n > 0 && this.emit('parked_expired', n),
          (err) => this.emit('store_error', err),
        );
        // Receipts and MOs held for a customer who never bound again within their hold time.
        this.store.expireOutbox().then(
          (n) => n > 0 && this.emit('outbox_expired', n),
          (err) => this.emit('store_error', err),
        );
      },
      Math.max(50, Math.min(3_600_000, parkedFor / 4)),
    );
    this.parkedSweep.unref();
    this.startReceiptSweep();
  }

  /**
   * The dlrExpiry sweep, once a connector has a dlrExpiryMs (at start, or when one is added
   * or changed at runtime): every tenth of the shortest expiry (50 ms to 1 min). A connector
   * added with a shorter expiry than the running sweep's restarts it at the shorter interval.
   */
  private startReceiptSweep(): void {
    const expiries = [...this.connectors.values()].map((c) => c.dlrExpiryMs ?? 0).filter((ms) => ms > 0);
    if (expiries.length === 0) return;
    const every = Math.max(50, Math.min(60_000, Math.min(...expiries) / 10));
    if (this.receiptSweep && every >= this.receiptSweepMs) return;
    clearInterval(this.receiptSweep);
    this.receiptSweepMs = every;
    this.receiptSweep = setInterval(() => {
      if (this.sweepingReceipts) return;
      this.sweepingReceipts = true;
      this.expireAwaitingReceipts()
        .then(
          (n) => n > 0 && this.emit('dlr_expired', n),
          (err) => this.emit('store_error', err),
        )
        .finally(() => (this.sweepingReceipts = false));
    }, every);
    this.receiptSweep.unref();
  }

  /** The running dlrExpiry sweep's interval, in ms (0: none runs). */
  receiptSweepInterval(): number {
    return this.receiptSweep ? this.receiptSweepMs : 0;
  }

  private receiptSweepMs = 0;

  private sweepingReceipts = false;

  private parkedSweep: NodeJS.Timeout | undefined;

  private receiptSweep: NodeJS.Timeout | undefined;

  /**
   * Receipts that never came (Jasmin's `dlr_expiry`): every part a connector with
   * `dlrExpiryMs` got accepted upstream and that has heard nothing from the SMSC for that
   * long (since its submit_sm_resp or its last intermediate receipt) ends `expired`, with
   * the reason in its history. `expired` rather than `unknown`: `unknown` is not final, and
   * the point is that the message stops waiting and the customer hears an end state (their
   * SMPP receipt says stat EXPIRED, the HTTP callbacks `expired`), like after any final
   * receipt. The price is kept: the SMSC accepted the message, which may well have been
   * delivered. A receipt arriving later finds the part final and changes nothing. Returns
   * how many parts expired.
   */
  async expireAwaitingReceipts(): Promise<number> {
    let expired = 0;
    for (const c of this.connectors.values()) {
      const ms = c.dlrExpiryMs ?? 0;
      if (ms <= 0) continue;
      const detail = `no delivery receipt within ${ms / 1000} s (connector ${c.id} dlrExpiryS): Hermod stopped waiting; the message may still have been delivered`;
      for (;;) {
        const notified = { systemIds: new Set<string>(), webhooks: false };
        const notify: FinalNotify = (state, m, parts) => {
          const one: { item: boolean; systemId?: string; webhooks?: boolean } = { item: false };
          const n = this.withWebhooks(this.finalNotify(one, '000'), one, { error: detail })(state, m, parts);
          if (one.item) notified.systemIds.add(m.systemId);
          if (one.webhooks) notified.webhooks = true;
          return n;
        };
        const batch = await this.store.expireAwaitingReceipts(c.id, Date.now() - ms, 500, detail, notify);
        expired += batch.length;
        for (const p of batch) this.emit('receipt_expired', p.id, p.seq, c.id, p.state);
        for (const systemId of notified.systemIds) this.emit('outbox', systemId);
        if (notified.webhooks) this.emit('webhooks');
        if (batch.length < 500) break;
      }
    }
    return expired;
  }

  private moSweep: NodeJS.Timeout | undefined;

  /** The MO route of a joined MO (pure router; the loop guard skips routes back to its origin). */
  routeMo(m: Omit<InboundMessage, 'routedTo'>): MoRouteDef | undefined {
    let text: string | undefined;
    return matchMoRoute(this.opts.moRoutes ?? [], {
      source: m.source,
      destination: m.destination,
      text: () => (text ??= decodeText(m.body, m.dataCoding)),
      connector: m.connectorId,
      now: this.now(),
      originUser: this.opts.selfBind?.(m.connectorId),
    });
  }

  /**
   * How the store records an MO: routed on the joined message (in the store's
   * transaction), to a customer's bind via the outbox; a webhook route is remembered for
   * afterMo, which hands it on ('mo_webhook').
   */
  private moRecord(): MoRecord {
    const id = newMessageId();
    return {
      id,
      routedTo: (m) => {
        const route = this.routeMo(m);
        if (route?.url !== undefined) this.moDecisions.set(id, route);
        return route?.user ?? null;
      },
      // Written in the MO's own transaction, after routedTo decided the route: an MO stored
      // is an MO whose webhook is queued.
      webhooks: (m: InboundMessage) => {
        const route = this.moDecisions.get(id);
        return route?.url !== undefined
          ? [
              webhookForMo(
                m,
                { url: route.url, method: route.method ?? 'POST', format: route.format },
                this.opts.webhookRetentionMs,
              ),
            ]
          : [];
      },
      payload: (m: InboundMessage) =>
        JSON.stringify({
          kind: 'mo',
          id: m.id,
          source: m.source,
          destination: m.destination,
          dataCoding: m.dataCoding,
          body: m.body.toString('base64'),
          complete: m.complete,
        } satisfies CustomerMo),
    };
  }

  /**
   * An inbound message or part: stored before the connector acknowledges it; a
   * concatenated message is joined once all its parts are stored (or released incomplete).
   */
  private async onMo(c: Connector, pdu: InboundPdu): Promise<void> {
    let body = pdu.shortMessage;
    let concat: { ref: number; total: number; seq: number } | undefined = pdu.sar;
    if (pdu.esmClass & 0x40) {
      const udh = parseUdh(pdu.shortMessage);
      if (udh) {
        body = Buffer.from(udh.body);
        if (udh.concat) concat = udh.concat;
      }
    }
    const source = pdu.source.replace(/^\+/, '');
    const destination = pdu.destination.replace(/^\+/, '');
    const groupKey =
      concat && concat.total > 1
        ? `${c.id}|${source}|${destination}|${concat.ref}|${concat.total}`
        : `single|${newMessageId()}`;
    const record = this.moRecord();
    let mo: InboundMessage | undefined;
    try {
      mo = await this.store.addMoPart(
        {
          groupKey,
          seq: concat && concat.total > 1 ? concat.seq : 1,
          total: concat && concat.total > 1 ? concat.total : 1,
          connectorId: c.id,
          source,
          destination,
          dataCoding: pdu.dataCoding,
          body,
        },
        record,
      );
    } catch (err) {
      this.moDecisions.delete(record.id);
      throw err;
    }
    if (mo) await this.afterMo(mo);
  }

  private async releaseStaleMo(olderThanMs: number): Promise<void> {
    const released = await this.store.releaseStaleMoParts(olderThanMs, () => this.moRecord());
    for (const mo of released) await this.afterMo(mo);
  }

  /** Opt-out keywords, then the MO route's target: the customer's bind or a webhook. */
  private async afterMo(mo: InboundMessage): Promise<void> {
    const kind = this.optOut.match(mo.destination, decodeText(mo.body, mo.dataCoding));
    if (kind === 'stop') {
      await this.store.setOptOut(mo.source, mo.destination, true);
      this.emit('optout', mo.source, mo.destination);
    } else if (kind === 'start') {
      await this.store.setOptOut(mo.source, mo.destination, false);
      this.emit('optin', mo.source, mo.destination);
    }
    if (kind) void this.autoReply(mo, kind);
    this.emit('mo', mo);
    if (mo.routedTo) this.emit('outbox', mo.routedTo);
    const route = this.moDecisions.get(mo.id);
    if (route?.url !== undefined) {
      this.moDecisions.delete(mo.id);
      // The webhook item was stored with the MO (moRecord); this wakes its sender.
      this.emit('mo_webhook', mo, { url: route.url, method: route.method ?? 'POST' });
      this.emit('webhooks');
    }
  }

  /**
   * The keyword's auto-reply, from the number the handset texted, sent (routed, charged) as
   * the number's opt-out account or else the customer the MO is routed to. A STOP's
   * confirmation goes although the number just opted out. Never fails the MO: a reply that
   * cannot be sent is reported as `optout_reply_failed` (no account, a refusal).
   */
  private async autoReply(mo: InboundMessage, kind: OptOutKind): Promise<void> {
    const policy = this.optOut.policy(mo.destination);
    const text = policy.replies[kind];
    if (text === null) return;
    const account = policy.account ?? mo.routedTo ?? undefined;
    try {
      const user = account === undefined ? undefined : await this.currentUser(account);
      if (!user)
        throw reject.noReplyAccount(
          account === undefined
            ? `no account to send the ${kind.toUpperCase()} reply as (set optOut.account)`
            : `opt-out account ${account} does not exist`,
        );
      const id = await this.submit(user, {
        systemId: user.username,
        source: mo.destination,
        destination: mo.source,
        ...textMessage(text),
        registeredDelivery: 0,
        meta: { tags: [`opt-out-${kind}-reply`] },
        ignoreOptOut: kind === 'stop',
      });
      this.emit('optout_reply', mo.id, kind, id);
    } catch (err) {
      this.emit('optout_reply_failed', mo.id, kind, err);
    }
  }

  /** Stops dispatching, lets in-flight submits finish, stops the connectors. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.moSweep) clearInterval(this.moSweep);
    if (this.parkedSweep) clearInterval(this.parkedSweep);
    if (this.receiptSweep) clearInterval(this.receiptSweep);
    for (const w of this.wake.values()) w();
    await Promise.all(this.dispatchers.values());
    await Promise.all([...this.connectors.values()].map((c) => (c.close ? c.close() : c.stop())));
  }

  private sleep(connectorId: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake.set(connectorId, done);
    });
  }

  /** Queue → connector, honouring its readiness and window. */
  private async dispatch(c: Connector): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    const leaseMs = this.opts.leaseMs ?? 60_000;
    // Also ends when the connector was replaced or removed at runtime (replaceConnector).
    while (this.running && this.connectors.get(c.id) === c) {
      if (!c.ready) {
        await this.sleep(c.id, 100);
        continue;
      }
      // Claimed in batches: up to two windows ahead, topped up once a window's worth is
      // free (a claim per freed slot would cost a store round trip per message).
      const room = c.capacity * 2 - inFlight.size;
      if (room <= 0 || (inFlight.size > 0 && room < Math.max(1, c.capacity))) {
        await Promise.race(inFlight);
        continue;
      }
      const claims = await this.store.claim(c.id, room, leaseMs);
      if (claims.length === 0) {
        await this.sleep(c.id, 200);
        continue;
      }
      const now = Date.now();
      for (const { message, attempts } of claims) {
        // Past its validity period: never sent (SMPP 3.4 §5.2.15), refunded.
        const job =
          message.meta.validUntil !== undefined && message.meta.validUntil <= now
            ? this.expire(message)
            : this.send(c, message, attempts);
        const p = job.finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
    }
    await Promise.allSettled(inFlight);
  }

  /**
   * Submits a message as its connector splits it: every part not yet accepted upstream,
   * in order, within the window. A transient failure requeues the message (parts already
   * accepted are not sent again); a permanent one fails over when no part was accepted,
   * else fails the unsent parts and refunds them.
   */
  private async send(c: Connector, m: StoredMessage, attempts: number): Promise<void> {
    this.sending.add(m.id);
    try {
      await this.sendParts(c, m, attempts);
    } finally {
      this.sending.delete(m.id);
    }
  }

  private async sendParts(c: Connector, m: StoredMessage, attempts: number): Promise<void> {
    const parts = splitForSubmit(m, c.split ?? 'udh', c.dataCoding);
    const total = parts.length;
    // A first attempt of a single part has nothing recorded yet: skip the lookup.
    const accepted =
      total > 1 || attempts > 1
        ? new Set((await this.store.getParts(m.id)).filter((p) => p.upstreamId !== null).map((p) => p.seq))
        : new Set<number>();
    const todo = parts.filter((p) => !accepted.has(p.seq));
    const outcomes = await Promise.all(
      todo.map(async (part) => {
        const key = `${m.id}:${part.seq}`;
        // Checked and marked in one synchronous step: a late response (onLateSubmit) either
        // saw this submit going out, or this part is taken as sent and never resent (row 5).
        const late = this.lateAccepted.get(key);
        if (late && (await late.catch(() => false))) return undefined;
        let done!: () => void;
        this.submitting.set(key, new Promise<void>((r) => (done = r)));
        try {
          const started = performance.now();
          const { upstreamId } = await c.submit(m, part);
          // (id, part, connector, submit→resp seconds): for the metrics.
          this.emit('submitted', m.id, part.seq, c.id, (performance.now() - started) / 1000);
          await this.recordSent(c, m, part, upstreamId);
          return undefined;
        } catch (err) {
          // Its response may have come late meanwhile, and been stored as accepted.
          const accepted = this.lateAccepted.get(key);
          if (accepted && (await accepted.catch(() => false))) return undefined;
          return err;
        } finally {
          this.submitting.delete(key);
          done();
        }
      }),
    );
    const failures = outcomes.filter((e) => e !== undefined);
    if (failures.length === 0) {
      this.emit('sent', m.id, total, c.id);
      return;
    }
    const permanent = failures.find((e) => !isTransient(e));
    const first = permanent ?? failures[0];
    const detail = first instanceof Error ? first.message : String(first);
    const anyAccepted = accepted.size > 0 || failures.length < todo.length;
    if (permanent === undefined && attempts < (this.opts.maxAttempts ?? 50)) {
      const delay = backoffDelay(
        this.opts.retry ?? { initialMs: 200, maxMs: 30_000, factor: 2, jitter: 0.5 },
        attempts - 1,
      );
      await this.store.release(
        m.id,
        delay,
        total > 1 ? `${failures.length} of ${total} parts: ${detail}` : detail,
      );
      this.emit('retry', m.id, detail, c.id);
      return;
    }
    if (permanent !== undefined && !anyAccepted && (await this.failover(m, detail))) return;
    const notified: { item: boolean; systemId?: string; webhooks?: boolean } = { item: false };
    const refund = (permanent !== undefined ? this.opts.refund?.rejected : this.opts.refund?.failed) ?? true;
    const state = await this.store.failUnsent(
      m.id,
      total,
      detail,
      refund,
      this.withWebhooks(this.finalNotify(notified, '000'), notified, { error: detail }),
    );
    this.emit('failed', m.id, detail, state, c.id);
    if (notified.item) this.emit('outbox', m.systemId);
    if (notified.webhooks) this.emit('webhooks');
  }

  /** One part accepted upstream: keyed, and any receipt that beat its submit_sm_resp applied (row 7). */
  private async recordSent(
    c: Connector,
    m: StoredMessage,
    part: OutboundPart,
    upstreamId: string,
  ): Promise<void> {
    const keys = this.scopedKeys(c.id, upstreamId, false);
    // The SMSC accepted the message (Jasmin DLR level 1, REST message.sent) once its last
    // part is accepted, written in the same turn (one transaction) as that part's state.
    const hooks =
      part.seq === part.total ? this.report(m, { state: 'sent', at: Date.now(), upstreamId }) : undefined;
    await Promise.all([this.store.markPartSent(m.id, part.seq, part.total, c.id, upstreamId, keys), hooks]);
    this.emit('part_sent', m.id, part.seq, upstreamId);
    for (const payload of await this.store.takeParkedReceipts(keys))
      await this.applyReceipt(m.id, part.seq, JSON.parse(payload) as Receipt, { connectorId: c.id });
  }

  /**
   * A submit_sm_resp that came after its response timer fired (row 5); the part was then
   * taken for not sent (transient) and requeued. Accepted (ESME_ROK) and not resent yet: it
   * is stored as sent with that id, so its receipt matches and no resend goes out. Already
   * resent (and accepted): the SMSC has it twice; the duplicate is counted
   * (`duplicate_submit`), said in the history, and the late id keyed to the part too, so
   * the receipts of both ids find the message. Reported as `late_submit` with the outcome.
   */
  private async onLateSubmit(c: Connector, late: LateSubmit): Promise<void> {
    const key = `${late.messageId}:${late.seq}`;
    if (late.status !== 0) {
      // Refused after all: the requeue already treats it as not sent.
      this.emit('late_submit', late.messageId, late.seq, c.id, 'refused');
      return;
    }
    // A resend of this part that is out now: its outcome decides (duplicate or not).
    for (let out = this.submitting.get(key); out; out = this.submitting.get(key)) await out;
    if (this.lateAccepted.has(key)) return; // the same response twice
    let settle!: (stored: boolean) => void;
    const stored = new Promise<boolean>((r) => (settle = r));
    this.lateAccepted.set(key, stored);
    setTimeout(
      () => this.lateAccepted.get(key) === stored && this.lateAccepted.delete(key),
      this.opts.leaseMs ?? 60_000,
    ).unref();
    const keys = this.scopedKeys(c.id, late.upstreamId, false);
    try {
      const m = await this.store.getMessage(late.messageId);
      if (!m) return settle(false);
      const part = (await this.store.getParts(m.id)).find((p) => p.seq === late.seq);
      const detail = (what: string) =>
        `late submit_sm_resp from ${c.id} (upstream id ${late.upstreamId}): ${what}`;
      if (part?.upstreamId != null) {
        settle(true);
        if (normalizeMessageId(part.upstreamId) === normalizeMessageId(late.upstreamId)) return;
        await this.store.addUpstreamId(
          m.id,
          late.seq,
          late.total,
          keys,
          detail(`the SMSC accepted this message twice; the resend is ${part.upstreamId}, a duplicate`),
        );
        this.emit('duplicate_submit', m.id, late.seq, c.id);
        this.emit('late_submit', m.id, late.seq, c.id, 'duplicate');
      } else if (FINAL_STATES.has(m.state)) {
        settle(false);
        await this.store.addUpstreamId(
          m.id,
          late.seq,
          late.total,
          keys,
          detail(`the SMSC accepted it after the message had ended ${m.state}`),
        );
        this.emit('late_submit', m.id, late.seq, c.id, 'after_final');
      } else {
        // Not resent yet: sent now, with this id; a dispatcher about to resend takes this.
        await this.recordSent(c, m, { seq: late.seq, total: late.total } as OutboundPart, late.upstreamId);
        settle(true);
        this.emit('late_submit', m.id, late.seq, c.id, 'recorded');
        // Its last part: the message is sent (a dispatcher sending it now reports that itself).
        if (
          !this.sending.has(m.id) &&
          !['queued', 'accepted'].includes((await this.store.getMessage(m.id))?.state ?? 'queued')
        )
          this.emit('sent', m.id, late.total, c.id);
        return;
      }
      // Receipts of the late id parked before it was keyed (they overtook it) find their part now.
      for (const payload of await this.store.takeParkedReceipts(keys))
        await this.applyReceipt(m.id, late.seq, JSON.parse(payload) as Receipt, { connectorId: c.id });
    } catch (err) {
      settle(false);
      this.emit('store_error', err);
    }
  }

  /** Ends a message whose validity period passed before it was sent: `expired`, refunded (unless `refund.expired` is off), receipt if asked. */
  private async expire(m: StoredMessage): Promise<void> {
    const detail = 'validity period ended before it could be sent';
    const notified: { item: boolean; systemId?: string } = { item: false };
    const parts = { total: 1, delivered: 0 };
    const item = this.finalNotify(notified, '000')('expired', m, parts);
    // Requested in the same turn: one group commit holds the state, the refund, the receipt
    // and the HTTP callbacks.
    await Promise.all([
      this.store.fail(m.id, 'expired', detail, this.opts.refund?.expired ?? true),
      item?.systemId !== undefined && item.payload !== undefined
        ? this.store.applyReceipt(m.id, 'expired', detail, { systemId: item.systemId, payload: item.payload })
        : undefined,
      this.report(m, { state: 'expired', at: Date.now(), error: detail, parts }),
    ]);
    this.emit('expired', m.id);
    if (notified.item) this.emit('outbox', m.systemId);
  }

  /** A permanent error on one connector: try the next connector of the message's route, if any. */
  private async failover(m: StoredMessage, detail: string): Promise<boolean> {
    const routes = this.opts.routes ?? [];
    const route =
      m.meta.route !== undefined
        ? routes.find((r) => r.name === m.meta.route)
        : matchRoute(routes, m.destination);
    if (!route || route.type === 'static') return false;
    const order = route.connectors;
    const next = order[order.indexOf(m.connectorId) + 1];
    if (next === undefined || !this.connectors.has(next)) return false;
    await this.store.reassign(m.id, next, `failover from ${m.connectorId}: ${detail}`);
    this.emit('failover', m.id, m.connectorId, next);
    this.wake.get(next)?.();
    return true;
  }

  /**
   * The store keys of an upstream id, under the DLR scope of the connector it was sent or
   * reported through. A response's id: every rendering (messageIdKeys; the store keys the
   * part under the first, canonical one, and parked receipts are taken under any). A
   * receipt's id (`receipt`): the one rendering its response had when the connector knows
   * both bases, else every rendering.
   */
  private scopedKeys(connectorId: string, upstreamId: string, receipt: boolean): string[] {
    const how = this.opts.receiptMatching?.(connectorId);
    const known = receipt && how?.base ? inBase(upstreamId, how.base.receipt, how.base.response) : undefined;
    const bare = known !== undefined ? [normalizeMessageId(known)] : messageIdKeys(upstreamId);
    const scope = how?.scope ?? connectorId;
    return bare.map((k) => `${scope}\u001f${k}`);
  }

  /**
   * A receipt from an SMSC: matched to its part and applied in one store write, or parked
   * there (row 7) when its submit_sm_resp is not stored yet.
   */
  private async onReceipt(c: Connector, r: Receipt): Promise<void> {
    // An SMSC often sends a receipt right behind its submit_sm_resp, in the same read: the
    // receipt's handler runs before the response's continuation has asked the store to key
    // the part, so the receipt would be parked and taken back (two more writes). Looking up
    // after this turn's responses are handled finds the part instead.
    await this.afterTurn();
    // Parked only in its own scope; looked up there, then under the bare renderings, under
    // which parts sent before scopes existed are keyed.
    const parkKeys = this.scopedKeys(c.id, r.id, true);
    const keys = [...parkKeys, ...messageIdKeys(r.id)];
    const notified: { item: boolean; systemId?: string; webhooks?: boolean } = { item: false };
    const err = r.err ?? '000';
    const notify = this.withWebhooks(this.finalNotify(notified, err), notified, { receipt: r });
    const outcome = await this.store.applyReceiptByKeys(
      keys,
      (found) => this.ownPart(found, r.id),
      STATE_OF[r.state],
      `${r.stat} err:${err}`,
      notify,
      JSON.stringify(r),
      parkKeys,
    );
    if (!outcome.parked) {
      const m = outcome.match.message;
      this.afterReceipt(m.id, outcome.state, outcome.match.seq, notified, {
        connectorId: m.connectorId,
        sentAt: m.state === 'sent' ? m.updatedAt : undefined,
      });
      return;
    }
    this.emit('receipt_parked', r.id);
    // On a store shared by several nodes, the submit_sm_resp may have been stored by
    // another transaction between our lookup and the park: look again. Both this path and
    // the sender take parked receipts atomically, so exactly one of them applies it.
    const now = await this.store.findPartByUpstreamKeys(keys);
    if (now && this.ownPart(now, r.id))
      for (const payload of await this.store.takeParkedReceipts(keys))
        await this.applyReceipt(now.message.id, now.seq, JSON.parse(payload) as Receipt, {
          connectorId: now.message.connectorId,
        });
  }

  private turnEnd: Promise<void> | undefined;

  /** Resolves once the current turn's callbacks and microtasks have run (one setImmediate shared by the turn). */
  private afterTurn(): Promise<void> {
    this.turnEnd ??= new Promise<void>((resolve) =>
      setImmediate(() => {
        this.turnEnd = undefined;
        resolve();
      }),
    );
    return this.turnEnd;
  }

  /**
   * Whether a part found under a receipt's keys is the receipt's own. A match through
   * another rendering of the id (hex read as decimal, "00000010" as 0x10 or as 10) is taken
   * only while that part still waits for its receipt: a receipt that overtakes its own
   * submit_sm_resp (row 7) would otherwise land on an older, finished part whose id reads
   * the same in the other base, and be lost there; parked instead, it is applied when its
   * own part is stored.
   */
  private ownPart(found: PartMatch, receiptId: string): boolean {
    const part = found.part;
    // Under its own canonical form: its own, also when it is a second id of the part (row 5).
    if (
      found.exact === true ||
      !part ||
      part.upstreamId === null ||
      normalizeMessageId(part.upstreamId) === normalizeMessageId(receiptId)
    )
      return true;
    return !FINAL_STATES.has(part.state);
  }

  /** A receipt for one part; the customer hears once, when the message's aggregate state is final. */
  private async applyReceipt(
    id: string,
    seq: number,
    r: Receipt,
    via: { connectorId?: string; sentAt?: number } = {},
  ): Promise<void> {
    const notified: { item: boolean; systemId?: string; webhooks?: boolean } = { item: false };
    const err = r.err ?? '000';
    const state = await this.store.applyPartReceipt(
      id,
      seq,
      STATE_OF[r.state],
      `${r.stat} err:${err}`,
      this.withWebhooks(this.finalNotify(notified, err), notified, { receipt: r }),
    );
    this.afterReceipt(id, state, seq, notified, via);
  }

  /** The events of an applied receipt: metrics, the customer's outbox, webhooks. */
  private afterReceipt(
    id: string,
    state: MessageState | undefined,
    seq: number,
    notified: { item: boolean; systemId?: string; webhooks?: boolean },
    via: { connectorId?: string; sentAt?: number },
  ): void {
    if (state === undefined) return;
    // (id, aggregate state, part, connector, seconds since sent): the last two for the metrics.
    this.emit(
      'receipt',
      id,
      state,
      seq,
      via.connectorId,
      via.sentAt !== undefined ? Math.max(0, Date.now() - via.sentAt) / 1000 : undefined,
    );
    if (notified.item) this.emit('outbox', notified.systemId);
    if (notified.webhooks) this.emit('webhooks');
  }

  /**
   * The customer's receipt for a message whose aggregate state became final, when they
   * asked for one (registered_delivery 1: any final state, 2: failures only). Runs inside
   * the store's transaction, so it is queued exactly once.
   */
  private finalNotify(notified: { item: boolean; systemId?: string }, err: string): FinalNotify {
    return (state, m, parts) => {
      const wants = m.registeredDelivery & 0x03;
      if (!(wants === 1 || (wants === 2 && state !== 'delivered'))) return undefined;
      notified.item = true;
      notified.systemId = m.systemId;
      const payload: CustomerReceipt = {
        messageId: m.meta.smppMessageId ?? m.id,
        source: m.source,
        destination: m.destination,
        state,
        stat: RECEIPT_STAT[state] ?? 'UNKNOWN',
        err: state === 'delivered' ? '000' : err,
        submitDate: m.createdAt,
        doneDate: Date.now(),
        ...(parts.total > 1 ? { parts } : {}),
      };
      return { systemId: m.systemId, payload: JSON.stringify(payload) };
    };
  }

  /**
   * Adds the HTTP callbacks a final state owes (MessageMeta.dlr level 2, MessageMeta.callbackUrl)
   * to the customer's notification: the store writes them in the same transaction.
   */
  private withWebhooks(
    inner: FinalNotify,
    notified: { webhooks?: boolean },
    report: Omit<StateReport, 'state' | 'at'>,
  ): FinalNotify {
    return (state, m, parts) => {
      const item = inner(state, m, parts);
      const webhooks = this.webhooksFor(m, { ...report, state, at: Date.now(), parts });
      if (webhooks.length === 0) return item;
      notified.webhooks = true;
      return { ...item, webhooks };
    };
  }

  private webhooksFor(m: StoredMessage, r: StateReport): NewWebhook[] {
    if (!m.meta.dlr && !m.meta.callbackUrl) return [];
    try {
      return webhooksForState(m, r, this.opts.webhookRetentionMs);
    } catch (err) {
      // A callback we cannot build must never change what happens to the message itself.
      this.emit('webhook_error', m.id, err);
      return [];
    }
  }

  /**
   * The HTTP callbacks a non-final state change owes (the SMSC accepted the message:
   * Jasmin level 1, REST `message.sent`). Call it in the same turn as the store write of
   * that state: both stores commit the writes of one turn in one transaction.
   */
  private report(m: StoredMessage, r: StateReport): Promise<void> {
    const items = this.webhooksFor(m, r);
    if (items.length === 0) return Promise.resolve();
    return this.store.addWebhooks(items).then(() => void this.emit('webhooks'));
  }
}

/** A text as it is sent when no coding is asked: GSM-7 (unpacked) when it fits, else UCS-2. */
function textMessage(text: string): { body: Buffer; dataCoding: number; esmClass: number } {
  const encoding = isGsm7(text) ? 'gsm7' : 'ucs2';
  return { body: encodeText(text, encoding), dataCoding: dataCodingOf(encoding), esmClass: 0 };
}

/** The text of a submitted message, decoded (without its UDH); '' when it cannot be. */
function textOfSubmit(req: Pick<SubmitRequest, 'body' | 'dataCoding' | 'esmClass'>): string {
  let body = req.body;
  if (req.esmClass & 0x40) {
    const udh = parseUdh(body);
    if (udh) body = Buffer.from(udh.body);
  }
  try {
    return decodeText(body, req.dataCoding);
  } catch {
    return '';
  }
}
