/**
 * The gateway core: accept (validate, price, persist), dispatch (queue → connector),
 * track (receipts → state → the customer). It never touches a socket: connectors and
 * interfaces do, through the narrow interfaces below.
 */
import { EventEmitter } from 'node:events';
import { createHash } from 'node:crypto';
import { decodeText, messageIdKeys, parseUdh, type Receipt } from '../smpp/index.js';
import { newMessageId, normalizeMsisdn, InvalidNumberError, type MessageMeta, type MessageState, type StoredMessage, type User } from '../domain/index.js';
import type { Store } from '../store/store.js';
import { backoffDelay, type BackoffPolicy } from '../lib/backoff.js';
import { reject } from './errors.js';
import { isTransient, type Connector, type InboundPdu } from './connector.js';
import type { InboundMessage } from '../store/store.js';
import { candidates, matchRoute, type RouteDef } from './router.js';

export interface SubmitRequest {
  systemId: string;
  source: string;
  destination: string;
  esmClass: number;
  dataCoding: number;
  body: Buffer;
  registeredDelivery: number;
  priority?: number;
  /** Optional attributes stored with the message (see MessageMeta). */
  meta?: MessageMeta;
}

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
}

const STATE_OF: Record<Receipt['state'], MessageState> = {
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

export interface GatewayOptions {
  /** Retry policy for transient connector failures. */
  retry?: BackoffPolicy;
  /** Attempts before a message that keeps failing transiently is failed. */
  maxAttempts?: number;
  leaseMs?: number;
  /** Ordered MT routes; without any, every message goes to the first connector. */
  routes?: RouteDef[];
  /** MO routes: destination prefix (our number or short code) → customer username. */
  moRoutes?: { prefixes: string[]; user: string }[];
  /** Incomplete concatenated MOs are released after this long (default 60 s). */
  moPartTimeoutMs?: number;
  /**
   * Customer resends of the same message (same account, source, destination, coding and
   * body) within this window get the first message's id instead of a second message
   * (checklist row 19). 0 = off. Kept in memory, per node.
   */
  dedupeWindowMs?: number;
  /** Keywords (upper case) that opt a number out / back in. */
  optOutKeywords?: string[];
  optInKeywords?: string[];
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

export class Gateway extends EventEmitter {
  private readonly connectors = new Map<string, Connector>();
  private readonly loops: Promise<void>[] = [];
  private readonly wake = new Map<string, () => void>();
  private running = false;
  private turn = 0;
  private readonly recent = new Map<string, { id: Promise<string>; until: number }>();

  constructor(
    readonly store: Store,
    private readonly opts: GatewayOptions = {},
  ) {
    super();
  }

  addConnector(c: Connector): void {
    this.connectors.set(c.id, c);
    c.onReceipt((r) => this.onReceipt(c, r));
    c.onMo((mo) => this.onMo(c, mo));
  }

  private healthy = (id: string): boolean => this.connectors.get(id)?.ready ?? false;

  /** Route and connectors for a destination, best first; undefined when nothing routes it. */
  plan(destination: string): { route: RouteDef | undefined; connectors: string[] } | undefined {
    const routes = this.opts.routes ?? [];
    if (routes.length === 0) {
      const first = this.connectors.keys().next().value as string | undefined;
      return first ? { route: undefined, connectors: [first] } : undefined;
    }
    const route = matchRoute(routes, destination);
    if (!route) return undefined;
    return { route, connectors: candidates(route, destination, this.healthy, this.turn++) };
  }

  /**
   * Validates, prices and persists a message; resolves with its id only once it is
   * committed. Throws RejectedError with the reason.
   */
  submit(user: User, req: SubmitRequest): Promise<string> {
    const window = this.opts.dedupeWindowMs ?? 0;
    if (window <= 0) return this.submitOnce(user, req);
    const now = Date.now();
    if (this.recent.size > 100_000) for (const [k, v] of this.recent) if (v.until <= now) this.recent.delete(k);
    const key = createHash('sha256')
      .update(`${user.id}\0${req.source}\0${req.destination}\0${req.esmClass}\0${req.dataCoding}\0`)
      .update(req.body)
      .digest('base64');
    const hit = this.recent.get(key);
    if (hit && hit.until > now) {
      this.emit('duplicate', key);
      return hit.id;
    }
    const id = this.submitOnce(user, req);
    this.recent.set(key, { id, until: now + window });
    id.catch(() => this.recent.delete(key)); // a refused message may be sent again
    return id;
  }

  private async submitOnce(user: User, req: SubmitRequest): Promise<string> {
    if (!user.enabled) throw reject.userDisabled();
    let destination: string;
    try {
      destination = normalizeMsisdn(req.destination);
    } catch (err) {
      throw reject.invalidDestination(err instanceof InvalidNumberError ? err.message : String(err));
    }
    const plan = this.plan(destination);
    const connector = plan && this.connectors.get(plan.connectors[0]);
    if (!plan || !connector) throw reject.noRoute(destination);
    if (await this.store.isOptedOut(destination, req.source)) throw reject.optedOut(destination, req.source);
    const rate = plan.route?.rate;
    const id = newMessageId();
    const r = await this.store.accept({
      id,
      userId: user.id,
      systemId: req.systemId,
      source: req.source,
      destination,
      esmClass: req.esmClass,
      dataCoding: req.dataCoding,
      body: req.body,
      registeredDelivery: req.registeredDelivery,
      priority: req.priority ?? 0,
      connectorId: connector.id,
      priceMicros: rate !== undefined ? Math.round(rate * 1_000_000) : user.rateMicros,
      meta: req.meta ?? {},
    });
    if (!r.ok) throw r.reason === 'insufficient_balance' ? reject.noBalance() : reject.userDisabled();
    this.wake.get(connector.id)?.();
    return id;
  }

  /** Starts the connectors and one dispatcher per connector. */
  async start(): Promise<void> {
    this.running = true;
    await Promise.all([...this.connectors.values()].map((c) => c.start()));
    for (const c of this.connectors.values()) this.loops.push(this.dispatch(c));
    const timeout = this.opts.moPartTimeoutMs ?? 60_000;
    this.moSweep = setInterval(() => void this.releaseStaleMo(timeout), Math.max(50, Math.min(5000, timeout / 4)));
    this.moSweep.unref();
  }

  private moSweep: NodeJS.Timeout | undefined;

  private moTarget(destination: string): string | null {
    return (this.opts.moRoutes ?? []).find((r) => r.prefixes.length === 0 || r.prefixes.some((p) => destination.startsWith(p)))?.user ?? null;
  }

  private moRecord(destination: string) {
    return {
      id: newMessageId(),
      routedTo: this.moTarget(destination),
      payload: (m: InboundMessage) =>
        JSON.stringify({ kind: 'mo', id: m.id, source: m.source, destination: m.destination, dataCoding: m.dataCoding, body: m.body.toString('base64'), complete: m.complete } satisfies CustomerMo),
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
    const groupKey = concat && concat.total > 1 ? `${c.id}|${source}|${destination}|${concat.ref}|${concat.total}` : `single|${newMessageId()}`;
    const mo = await this.store.addMoPart(
      { groupKey, seq: concat && concat.total > 1 ? concat.seq : 1, total: concat && concat.total > 1 ? concat.total : 1, connectorId: c.id, source, destination, dataCoding: pdu.dataCoding, body },
      this.moRecord(destination),
    );
    if (mo) await this.afterMo(mo);
  }

  private async releaseStaleMo(olderThanMs: number): Promise<void> {
    const released = await this.store.releaseStaleMoParts(olderThanMs, (key) => this.moRecord(key.split('|')[2] ?? ''));
    for (const mo of released) await this.afterMo(mo);
  }

  /** Opt-out keywords, then the customer's bind. */
  private async afterMo(mo: InboundMessage): Promise<void> {
    const word = decodeText(mo.body, mo.dataCoding).trim().toUpperCase();
    if ((this.opts.optOutKeywords ?? ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT']).includes(word)) {
      await this.store.setOptOut(mo.source, mo.destination, true);
      this.emit('optout', mo.source, mo.destination);
    } else if ((this.opts.optInKeywords ?? ['START', 'UNSTOP', 'YES']).includes(word)) {
      await this.store.setOptOut(mo.source, mo.destination, false);
      this.emit('optin', mo.source, mo.destination);
    }
    this.emit('mo', mo);
    if (mo.routedTo) this.emit('outbox', mo.routedTo);
  }

  /** Stops dispatching, lets in-flight submits finish, stops the connectors. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.moSweep) clearInterval(this.moSweep);
    for (const w of this.wake.values()) w();
    await Promise.all(this.loops);
    await Promise.all([...this.connectors.values()].map((c) => c.stop()));
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
    while (this.running) {
      if (!c.ready) {
        await this.sleep(c.id, 100);
        continue;
      }
      const room = c.capacity * 2 - inFlight.size;
      if (room <= 0) {
        await Promise.race(inFlight);
        continue;
      }
      const claims = await this.store.claim(c.id, room, leaseMs);
      if (claims.length === 0) {
        await this.sleep(c.id, 200);
        continue;
      }
      for (const { message, attempts } of claims) {
        const p = this.send(c, message, attempts).finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
    }
    await Promise.allSettled(inFlight);
  }

  private async send(c: Connector, m: StoredMessage, attempts: number): Promise<void> {
    try {
      const { upstreamId } = await c.submit(m);
      const keys = messageIdKeys(upstreamId);
      await this.store.markSent(m.id, upstreamId, keys);
      this.emit('sent', m.id, upstreamId);
      // Receipts that arrived before this submit_sm_resp was stored (row 7).
      for (const payload of await this.store.takeParkedReceipts(keys)) await this.applyReceipt(m.id, JSON.parse(payload) as Receipt);
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      if (isTransient(err) && attempts < (this.opts.maxAttempts ?? 50)) {
        const delay = backoffDelay(this.opts.retry ?? { initialMs: 200, maxMs: 30_000, factor: 2, jitter: 0.5 }, attempts - 1);
        await this.store.release(m.id, delay, detail);
        this.emit('retry', m.id, detail);
      } else if (!isTransient(err) && (await this.failover(m, detail))) {
        return;
      } else {
        await this.store.fail(m.id, 'failed', detail, true);
        this.emit('failed', m.id, detail);
        await this.notifyCustomer(m, 'failed', 'UNDELIV', '000', detail);
      }
    }
  }

  /** A permanent error on one connector: try the route's next connector, if any. */
  private async failover(m: StoredMessage, detail: string): Promise<boolean> {
    const plan = this.plan(m.destination);
    if (!plan?.route || plan.route.type === 'static') return false;
    const order = plan.route.connectors;
    const next = order[order.indexOf(m.connectorId) + 1];
    if (next === undefined || !this.connectors.has(next)) return false;
    await this.store.reassign(m.id, next, `failover from ${m.connectorId}: ${detail}`);
    this.emit('failover', m.id, m.connectorId, next);
    this.wake.get(next)?.();
    return true;
  }

  private async onReceipt(_c: Connector, r: Receipt): Promise<void> {
    const keys = messageIdKeys(r.id);
    const m = await this.store.findByUpstreamKeys(keys);
    if (!m) {
      await this.store.parkReceipt(keys, JSON.stringify(r));
      this.emit('receipt_parked', r.id);
      // The submit_sm_resp may have been stored between our lookup and the park: look
      // again. Both this path and the sender take parked receipts atomically, so exactly
      // one of them applies it.
      const now = await this.store.findByUpstreamKeys(keys);
      if (now) for (const payload of await this.store.takeParkedReceipts(keys)) await this.applyReceipt(now.id, JSON.parse(payload) as Receipt);
      return;
    }
    await this.applyReceipt(m.id, r);
  }

  private async applyReceipt(id: string, r: Receipt): Promise<void> {
    const m = await this.store.getMessage(id);
    if (!m) return;
    const state = STATE_OF[r.state];
    await this.notifyCustomer(m, state, r.stat, r.err ?? '000');
    this.emit('receipt', id, state);
  }

  /** Stores the new state and, when the customer asked for receipts, queues one for them. */
  private async notifyCustomer(m: StoredMessage, state: MessageState, stat: string, err: string, failure?: string): Promise<void> {
    const wants = m.registeredDelivery & 0x03;
    const final = state !== 'sent' && state !== 'unknown';
    const notify = (wants === 1 && final) || (wants === 2 && final && state !== 'delivered');
    const payload: CustomerReceipt = {
      messageId: m.id,
      source: m.source,
      destination: m.destination,
      state,
      stat,
      err,
      submitDate: m.createdAt,
      doneDate: Date.now(),
    };
    if (state === 'failed') {
      // store.fail() has recorded the state; only the customer's receipt is left to queue.
      if (notify) await this.store.applyReceipt(m.id, state, failure ?? 'failed upstream', { systemId: m.systemId, payload: JSON.stringify(payload) });
    } else {
      await this.store.applyReceipt(m.id, state, `${stat} err:${err}`, notify ? { systemId: m.systemId, payload: JSON.stringify(payload) } : undefined);
    }
    if (notify) this.emit('outbox', m.systemId);
  }
}
