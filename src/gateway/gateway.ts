/**
 * The gateway core as a facade over its pipeline services: accept (validate, route, price,
 * persist), dispatcher (queue → connector), receipts (→ state → the customer), mo
 * (inbound, opt-out, MO routes) and notify (what a state change owes the customer). It
 * never touches a socket: connectors and interfaces do, through the narrow interfaces of
 * connector.ts. Its events are typed (events.ts).
 */
import type { MediaLibrary } from './media.js';
import type { Group, User } from '../domain/index.js';
import type { CancelOutcome, InboundMessage, Store } from '../store/store.js';
import { connectorChange } from './errors.js';
import type { Connector, InboundPdu } from './connector.js';
import type { MoRouteDef, RouteDef, RoutingContext } from './router.js';
import type { SubmitDraft } from './draft.js';
import { TypedEmitter, type GatewayEvents } from './events.js';
import { interfaceServices, type InterfaceServices } from './views.js';
import type { GatewayContext, GatewayOptions } from './options.js';
import { AccountCache } from './account-cache.js';
import { AcceptService, type Accepted, type Plan, type Quote, type QuoteRequest } from './accept.js';
import { DispatchService } from './dispatcher.js';
import { ReceiptService } from './receipts.js';
import { MoService } from './mo.js';
import { Notifier } from './notify.js';
import { QueuedFailover } from './failover.js';
import { MoneyService, RateCards } from './money.js';

export type { SubmitDraft as SubmitRequest } from './draft.js';
export type { GatewayOptions } from './options.js';
export type { Accepted, Quote, QuoteRequest } from './accept.js';
export type { CustomerReceipt, CustomerMo } from './notify.js';
export type { GatewayEvents } from './events.js';

export class Gateway extends TypedEmitter<GatewayEvents> {
  private readonly connectors = new Map<string, Connector>();
  private readonly accounts: AccountCache;
  private readonly notifier: Notifier;
  private readonly accept: AcceptService;
  private readonly receipts: ReceiptService;
  private readonly dispatch: DispatchService;
  private readonly mo: MoService;
  private readonly queuedFailover: QueuedFailover;
  /** What the interfaces read and change instead of the store (views, records, the outbox). */
  readonly services: InterfaceServices;
  /** The ledger, rate cards, low-balance setting and reports (money.ts). */
  readonly money: MoneyService;
  /** MMS media (docs/mms.md); undefined when the gateway was built without it. */
  readonly media: MediaLibrary | undefined;
  private readonly rates: RateCards;
  /** The media retention sweep (opts.mms.retentionMs), while started. */
  private mediaSweep: NodeJS.Timeout | undefined;
  private mediaSweepSoon: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly opts: GatewayOptions = {},
  ) {
    super();
    this.services = interfaceServices(store);
    const ctx: GatewayContext = {
      store,
      opts,
      connectors: this.connectors,
      emit: (event, ...args) => void this.emit(event, ...args),
      now: () => opts.now?.() ?? Date.now(),
    };
    this.accounts = new AccountCache(store, () => opts.accountCacheMs ?? 1000);
    this.notifier = new Notifier(ctx);
    this.receipts = new ReceiptService(ctx, this.notifier);
    this.dispatch = new DispatchService(ctx, this.receipts, this.notifier, (m, by, why) =>
      this.accept.resendAsSms(m, by, why),
    );
    this.rates = new RateCards(store, () => opts.accountCacheMs ?? 1000);
    this.money = new MoneyService(store, this.rates);
    this.accept = new AcceptService(ctx, this.accounts, (id) => this.dispatch.wake(id), this.rates);
    this.mo = new MoService(ctx, this);
    this.queuedFailover = new QueuedFailover(ctx, (id) => this.dispatch.wake(id));
    this.media = opts.media;
  }

  /**
   * Adds a connector. Before start() it is started by start(); while the gateway runs (the
   * admin API) it starts at once, with its own dispatcher. An id in use is refused.
   */
  async addConnector(c: Connector): Promise<void> {
    if (this.connectors.has(c.id)) throw connectorChange.exists(c.id);
    this.register(c);
    if (!this.dispatch.running) return;
    this.dispatch.run(c);
    this.receipts.startExpirySweep();
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
    if (!this.dispatch.running) return;
    await this.dispatch.retire(old);
    this.dispatch.run(next);
    this.receipts.startExpirySweep();
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
    if (this.dispatch.running) await this.dispatch.retire(c);
    else await c.stop();
    this.dispatch.forget(id);
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

  /** The ordered MT route table. */
  routes(): readonly RouteDef[] {
    return this.opts.routes ?? [];
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
    c.onReceipt((r) => this.receipts.onReceipt(c, r));
    c.onMo((pdu) => this.onMo(c, pdu));
    c.onLateSubmit?.((late) => this.dispatch.onLateSubmit(c, late));
  }

  /** The connectors, in the order they were added. */
  listConnectors(): Connector[] {
    return [...this.connectors.values()];
  }

  getConnector(id: string): Connector | undefined {
    return this.connectors.get(id);
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

  /** Route and connectors for a message, best first (AcceptService.plan). */
  plan(target: string | RoutingContext, advance = true): Plan | undefined {
    return this.accept.plan(target, advance);
  }

  /** "Which route and price for this number" (AcceptService.quote): counts and charges nothing. */
  async quote(q: QuoteRequest): Promise<Quote> {
    return this.accept.quote(q);
  }

  /** Validates, prices and persists a message; resolves with its id once it is committed. */
  submit(user: User, req: SubmitDraft): Promise<string> {
    return this.submitAccepted(user, req).then((a) => a.id);
  }

  /** As submit, resolving with the id and what the message was charged (parts, price). */
  submitAccepted(user: User, req: SubmitDraft): Promise<Accepted> {
    return this.accept.submit(user, req);
  }

  /**
   * The user as the store has it, reused for `accountCacheMs` (interfaces call this per
   * request so that settings changed at runtime apply to open binds too).
   */
  currentUser(username: string): Promise<User | undefined> {
    return this.accounts.user(username);
  }

  /** The group as the store has it, reused for `accountCacheMs`. */
  group(id: string): Promise<Group | undefined> {
    return this.accounts.group(id);
  }

  /** Forgets cached users and groups (after an admin change) so the next request reads the store. */
  forgetAccounts(): void {
    this.accounts.clear();
  }

  /**
   * The customer takes back a message that has not gone out (Store.cancel): `canceled`,
   * refunded, and told as after any final state (SMPP receipt stat DELETED, Jasmin DLR,
   * REST `canceled` event). `via` names the door in the message's history.
   */
  async cancel(user: User, id: string, via: string): Promise<CancelOutcome> {
    const detail = `canceled by the customer (${via})`;
    const notice = this.notifier.forFinal('000', { error: detail });
    const { outcome, notified } = await this.store.cancel({ id, userId: user.id, detail, notice });
    if (outcome !== 'canceled') return outcome;
    this.emit('canceled', id);
    this.notifier.announce([{ id, notified }]);
    return outcome;
  }

  /** Starts the connectors, one dispatcher per connector, and the sweeps. */
  async start(): Promise<void> {
    this.dispatch.running = true;
    // Messages a previous process had claimed when it stopped: their resend may duplicate
    // them; each has it in its history, the count goes to the log and the metrics.
    if (this.store.restartRequeued > 0) this.emit('restart_requeued', this.store.restartRequeued);
    await Promise.all([...this.connectors.values()].map((c) => c.start()));
    for (const c of this.connectors.values()) this.dispatch.run(c);
    this.mo.start();
    this.receipts.start();
    this.queuedFailover.start();
    this.startMediaSweep();
  }

  /** Media older than `mms.retentionMs` go, hourly (and once soon after start). */
  private startMediaSweep(): void {
    const maxAge = this.opts.mms?.retentionMs ?? 0;
    const media = this.media;
    if (!media || !(maxAge > 0) || this.mediaSweep) return;
    const sweep = () => {
      // Once per cluster: on the leader (options.singletons).
      if (!(this.opts.singletons?.() ?? true)) return;
      void media.purge(maxAge).then(
        (n) => n > 0 && this.emit('media_purged', n),
        (err: unknown) => this.emit('store_error', err),
      );
    };
    this.mediaSweep = setInterval(sweep, this.opts.mms?.sweepEveryMs ?? 3_600_000);
    this.mediaSweep.unref();
    this.mediaSweepSoon = setTimeout(sweep, 5_000).unref();
  }

  /** Stops dispatching, lets in-flight submits finish, stops the connectors. */
  async stop(): Promise<void> {
    clearInterval(this.mediaSweep);
    clearTimeout(this.mediaSweepSoon);
    this.mediaSweep = undefined;
    this.mo.stop();
    this.receipts.stop();
    await this.queuedFailover.stop();
    await this.dispatch.stop();
    await Promise.all([...this.connectors.values()].map((c) => (c.close ? c.close() : c.stop())));
  }

  /**
   * One look of the queued-failover sweep (QueuedFailover.tick): the queues of connectors
   * down longer than the grace move along their routes. Returns how many messages moved.
   */
  moveQueuedOfDownConnectors(): Promise<number> {
    return this.queuedFailover.tick();
  }

  /** Ends the parts whose receipt did not come within their connector's dlrExpiry (ReceiptService.expireAwaiting). */
  expireAwaitingReceipts(): Promise<number> {
    return this.receipts.expireAwaiting();
  }

  /** The running dlrExpiry sweep's interval, in ms (0: none runs). */
  receiptSweepInterval(): number {
    return this.receipts.expirySweepInterval();
  }

  /** The MO route of a joined MO (pure router; the loop guard skips routes back to its origin). */
  routeMo(m: Omit<InboundMessage, 'routedTo'>): MoRouteDef | undefined {
    return this.mo.route(m);
  }

  private onMo(c: Pick<Connector, 'id'>, pdu: InboundPdu): Promise<void> {
    return this.mo.onMo(c.id, pdu);
  }

  /** Incomplete concatenated MOs older than `olderThanMs`, released (the sweep's step; tests call it). */
  private releaseStaleMo(olderThanMs: number): Promise<void> {
    return this.mo.releaseStale(olderThanMs);
  }
}
