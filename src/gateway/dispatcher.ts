/**
 * Queue → connector. One Dispatcher per connector claims its queue entries in batches within
 * its window; the DispatchService they share splits and submits each message, retries
 * transient failures with back-off, fails over permanent ones to the route's next
 * connector, ends messages whose validity passed, and reconciles submit_sm_resp that came
 * after their timer fired (late responses).
 */
import { normalizeMessageId } from '../smpp/index.js';
import { whileStoreAway } from './store-retry.js';
import {
  FINAL_STATES,
  canCarry,
  isMms,
  mediaBytes,
  takesMms,
  splitForSubmit,
  type OutboundPart,
  type StoredMessage,
} from '../domain/index.js';

/** The one "part" of an MMS: the connector is handed the whole message (`submit(m)`). */
const wholeMms: OutboundPart = Object.freeze({
  seq: 1,
  total: 1,
  esmClass: 0,
  shortMessage: Buffer.alloc(0),
});
import { backoffDelay, type BackoffPolicy } from '../lib/backoff.js';
import { isHealthy, isTransient, type Connector, type LateSubmit } from './connector.js';
import { candidates, matchRoute } from './router.js';
import { receiptItem, type Notifier } from './notify.js';
import type { ReceiptService } from './receipts.js';
import type { GatewayContext } from './options.js';

const DEFAULT_RETRY: BackoffPolicy = { initialMs: 200, maxMs: 30_000, factor: 2, jitter: 0.5 };

/** What to do with a message some of whose parts failed (pure: decided from the failures and the settings). */
export type FailureDecision =
  | { kind: 'retry'; delayMs: number; detail: string }
  /** `retryMs` (transient failures on a connector that is down): retry after it when no healthy connector takes the message. */
  | { kind: 'failover'; detail: string; retryMs?: number }
  | { kind: 'fail'; detail: string; refund: boolean; permanent: boolean };

/**
 * Retry (every failure transient, attempts left), fail over (a permanent error before any
 * part was accepted upstream; or `failover.afterTransient` transient failures with the
 * connector down now and no part accepted: a healthy connector takes it rather than the
 * dead one's back-off), else fail the unsent parts, refunded per the refund policy.
 */
export function decideFailure(f: {
  failures: unknown[];
  total: number;
  attempts: number;
  anyAccepted: boolean;
  /** The connector is not ready as the failures are looked at (its bind is gone). */
  connectorDown?: boolean;
  opts: {
    retry?: BackoffPolicy;
    maxAttempts?: number;
    refund?: { rejected?: boolean; failed?: boolean };
    failover?: { afterTransient?: number };
  };
}): FailureDecision {
  const permanent = f.failures.find((e) => !isTransient(e));
  const first = permanent ?? f.failures[0];
  const detail = first instanceof Error ? first.message : String(first);
  if (permanent === undefined && f.attempts < (f.opts.maxAttempts ?? 50)) {
    const delayMs = backoffDelay(f.opts.retry ?? DEFAULT_RETRY, f.attempts - 1);
    const after = f.opts.failover?.afterTransient ?? 3;
    if (f.connectorDown === true && !f.anyAccepted && after > 0 && f.attempts >= after)
      return {
        kind: 'failover',
        detail: `${detail} (${f.attempts} transient failures, the connector is down)`,
        retryMs: delayMs,
      };
    return {
      kind: 'retry',
      delayMs,
      detail: f.total > 1 ? `${f.failures.length} of ${f.total} parts: ${detail}` : detail,
    };
  }
  if (permanent !== undefined && !f.anyAccepted) return { kind: 'failover', detail };
  const refund = (permanent !== undefined ? f.opts.refund?.rejected : f.opts.refund?.failed) ?? true;
  return { kind: 'fail', detail, refund, permanent: permanent !== undefined };
}

/** One connector's dispatcher: it ends when the gateway stops or the connector is no longer the one under its id. */
class Dispatcher {
  readonly done: Promise<void>;
  private waker: (() => void) | undefined;

  constructor(
    private readonly c: Connector,
    private readonly service: DispatchService,
    private readonly ctx: GatewayContext,
  ) {
    this.done = this.run();
  }

  /** Ends its current sleep (a message is queued for it, or it should stop). */
  wake(): void {
    this.waker?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.waker = done;
    });
  }

  /** Queue → connector, honouring its readiness and window. */
  private async run(): Promise<void> {
    const c = this.c;
    const inFlight = new Set<Promise<void>>();
    const leaseMs = this.ctx.opts.leaseMs ?? 60_000;
    // Also ends when the connector was replaced or removed at runtime (replaceConnector).
    while (this.service.running && this.ctx.connectors.get(c.id) === c) {
      if (!c.ready) {
        await this.sleep(100);
        continue;
      }
      // Claimed in batches: up to two windows ahead, topped up once a window's worth is
      // free (a claim per freed slot would cost a store round trip per message).
      const room = c.capacity * 2 - inFlight.size;
      if (room <= 0 || (inFlight.size > 0 && room < Math.max(1, c.capacity))) {
        await Promise.race(inFlight);
        continue;
      }
      const claims = await this.ctx.store.claim(c.id, room, leaseMs).catch((err: unknown) => {
        // The store unreachable (PostgreSQL restarting, a connection ended): the loop must
        // outlive it; claims resume once the store answers again.
        this.ctx.emit('store_error', err);
        return undefined;
      });
      if (claims === undefined) {
        await this.sleep(1000);
        continue;
      }
      if (claims.length === 0) {
        await this.sleep(200);
        continue;
      }
      const now = Date.now();
      for (const { message, attempts } of claims) {
        // Past its validity period: never sent (SMPP 3.4 §5.2.15), refunded.
        const job =
          message.meta.validUntil !== undefined && message.meta.validUntil <= now
            ? this.service.expire(message)
            : this.service.send(c, message, attempts);
        // A send whose store write failed leaves its message leased: claimed again when the
        // lease ends (at least once), not lost; the failure is logged, not thrown.
        const p = job
          .catch((err: unknown) => this.ctx.emit('store_error', err))
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
    }
    await Promise.allSettled(inFlight);
  }
}

export class DispatchService {
  running = false;
  private readonly dispatchers = new Map<string, Dispatcher>();
  /**
   * Parts whose submit is out now (`${id}:${seq}` → settles when its outcome is recorded):
   * a late response for one of them waits for it.
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
    private readonly ctx: GatewayContext,
    private readonly receipts: ReceiptService,
    private readonly notifier: Notifier,
    /** An MMS refused for good with no failover: re-sent as an SMS with links when its fallback says so (AcceptService.resendAsSms). */
    private readonly smsFallback?: (m: StoredMessage, refusedBy: string, why: string) => Promise<boolean>,
  ) {}

  /** Starts a dispatcher for `c` (replacing the record of an earlier one under its id). */
  run(c: Connector): void {
    this.dispatchers.set(c.id, new Dispatcher(c, this, this.ctx));
  }

  /** Wakes the dispatcher of a connector: a message is queued for it. */
  wake(connectorId: string): void {
    this.dispatchers.get(connectorId)?.wake();
  }

  /** A connector that is no longer under its id: its dispatcher ends (in-flight submits finish), then it stops. */
  async retire(c: Connector): Promise<void> {
    const d = this.dispatchers.get(c.id);
    d?.wake();
    await d?.done;
    await (c.close ? c.close() : c.stop());
  }

  /** Forgets a removed connector's dispatcher. */
  forget(connectorId: string): void {
    this.dispatchers.delete(connectorId);
  }

  /** Stops claiming; resolves once every dispatcher's in-flight submits finished. */
  async stop(): Promise<void> {
    this.running = false;
    for (const d of this.dispatchers.values()) d.wake();
    await Promise.all([...this.dispatchers.values()].map((d) => d.done));
  }

  /**
   * Submits a message as its connector splits it: every part not yet accepted upstream,
   * in order, within the window. A transient failure requeues the message (parts already
   * accepted are not sent again); a permanent one fails over when no part was accepted,
   * else fails the unsent parts and refunds them.
   */
  async send(c: Connector, m: StoredMessage, attempts: number): Promise<void> {
    this.sending.add(m.id);
    try {
      await this.sendParts(c, m, attempts);
    } finally {
      this.sending.delete(m.id);
    }
  }

  private async sendParts(c: Connector, m: StoredMessage, attempts: number): Promise<void> {
    // An MMS goes whole, once (docs/mms.md): one "part", submitted without a part.
    const parts = isMms(m) ? [wholeMms] : splitForSubmit(m, c.split ?? 'udh', c.dataCoding);
    const total = parts.length;
    // A first attempt of a single part has nothing recorded yet: skip the lookup.
    const accepted =
      total > 1 || attempts > 1
        ? new Set(
            (await this.ctx.store.getParts(m.id)).filter((p) => p.upstreamId !== null).map((p) => p.seq),
          )
        : new Set<number>();
    const todo = parts.filter((p) => !accepted.has(p.seq));
    const outcomes = await Promise.all(todo.map((part) => this.submitPart(c, m, part)));
    const failures = outcomes.filter((e) => e !== undefined);
    if (failures.length === 0) {
      this.ctx.emit('sent', m.id, total, c.id);
      return;
    }
    const anyAccepted = accepted.size > 0 || failures.length < todo.length;
    const decision = decideFailure({
      failures,
      total,
      attempts,
      anyAccepted,
      connectorDown: !c.ready,
      opts: this.ctx.opts,
    });
    if (decision.kind === 'failover' && decision.retryMs !== undefined) {
      // Transient on a connector that is down: a healthy connector of the route, else wait here.
      if (await this.failover(m, decision.detail, true)) return;
      await this.ctx.store.release(m.id, decision.retryMs, decision.detail);
      this.ctx.emit('retry', m.id, decision.detail, c.id);
      return;
    }
    if (decision.kind === 'retry') {
      await this.ctx.store.release(m.id, decision.delayMs, decision.detail);
      this.ctx.emit('retry', m.id, decision.detail, c.id);
      return;
    }
    if (decision.kind === 'failover' && (await this.failover(m, decision.detail))) return;
    // An MMS no connector of its route takes: its fallback may send it as an SMS with links.
    if (decision.kind === 'failover' && isMms(m) && (await this.smsFallback?.(m, c.id, decision.detail)))
      return;
    const refund = decision.kind === 'fail' ? decision.refund : (this.ctx.opts.refund?.rejected ?? true);
    const notice = this.notifier.forFinal('000', { error: decision.detail });
    const { state, notified } = await this.ctx.store.failUnsent({
      id: m.id,
      total,
      detail: decision.detail,
      refund,
      notice,
    });
    this.ctx.emit('failed', m.id, decision.detail, state, c.id);
    this.notifier.announce([{ id: m.id, notified }]);
  }

  /** One part's submit: undefined once it is accepted upstream and recorded, else the error. */
  private async submitPart(c: Connector, m: StoredMessage, part: OutboundPart): Promise<unknown> {
    const key = `${m.id}:${part.seq}`;
    // Checked and marked in one synchronous step: a late response (onLateSubmit) either
    // saw this submit going out, or this part is taken as sent and never resent.
    const late = this.lateAccepted.get(key);
    if (late && (await late.catch(() => false))) return undefined;
    let done!: () => void;
    this.submitting.set(key, new Promise<void>((r) => (done = r)));
    try {
      const started = performance.now();
      let upstreamId: string;
      try {
        ({ upstreamId } = await (part === wholeMms ? c.submit(m) : c.submit(m, part)));
      } catch (err) {
        // Its response may have come late meanwhile, and been stored as accepted.
        const accepted = this.lateAccepted.get(key);
        if (accepted && (await accepted.catch(() => false))) return undefined;
        return err;
      }
      this.ctx.emit('submitted', m.id, part.seq, c.id, (performance.now() - started) / 1000);
      // Accepted upstream: a store error now is not the submit's failure (failing or
      // resending it would be wrong), so the write is retried while the store is away.
      let tries = 0;
      const stored = this.receipts.recordingSent(c.id, upstreamId);
      await whileStoreAway(
        async () =>
          // A retry after a write whose answer was lost with its connection may find it
          // committed: redoing it would undo a receipt applied since, so only parked ones are taken.
          tries++ > 0 && (await this.recorded(m.id, part.seq))
            ? this.receipts.applyParked(this.receipts.scopedKeys(c.id, upstreamId, false), {
                id: m.id,
                seq: part.seq,
                connectorId: c.id,
                upstreamId,
              })
            : this.recordSent(c, m, part, upstreamId),
        {
          running: () => this.running,
          failed: (err) => this.ctx.emit('store_error', err),
        },
      ).finally(stored);
      return undefined;
    } finally {
      this.submitting.delete(key);
      done();
    }
  }

  /** Whether a part is stored as accepted upstream. */
  private async recorded(id: string, seq: number): Promise<boolean> {
    return (await this.ctx.store.getParts(id)).some((p) => p.seq === seq && p.upstreamId !== null);
  }

  /** One part accepted upstream: keyed, and any receipt that beat its submit_sm_resp applied. */
  private async recordSent(
    c: Connector,
    m: StoredMessage,
    part: OutboundPart,
    upstreamId: string,
  ): Promise<void> {
    const keys = this.receipts.scopedKeys(c.id, upstreamId, false);
    // The SMSC accepted the message (Jasmin DLR level 1, REST message.sent) once its last
    // part is accepted, written in the same turn (one transaction) as that part's state.
    const hooks =
      part.seq === part.total
        ? this.notifier.report(m, { state: 'sent', at: Date.now(), upstreamId })
        : undefined;
    await Promise.all([
      this.ctx.store.markPartSent({
        id: m.id,
        seq: part.seq,
        total: part.total,
        connectorId: c.id,
        upstreamId,
        keys,
      }),
      hooks,
    ]);
    this.ctx.emit('part_sent', m.id, part.seq, upstreamId);
    await this.receipts.applyParked(keys, { id: m.id, seq: part.seq, connectorId: c.id, upstreamId });
  }

  /**
   * A submit_sm_resp that came after its response timer fired; the part was then taken for
   * not sent (transient) and requeued. Accepted (ESME_ROK) and not resent yet: it is stored
   * as sent with that id, so its receipt matches and no resend goes out. Already resent
   * (and accepted): the SMSC has it twice; the duplicate is counted (`duplicate_submit`),
   * said in the history, and the late id keyed to the part too, so the receipts of both
   * ids find the message. Reported as `late_submit` with the outcome.
   */
  async onLateSubmit(c: Connector, late: LateSubmit): Promise<void> {
    const key = `${late.messageId}:${late.seq}`;
    if (late.status !== 0) {
      // Refused after all: the requeue already treats it as not sent.
      this.ctx.emit('late_submit', late.messageId, late.seq, c.id, 'refused');
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
      this.ctx.opts.leaseMs ?? 60_000,
    ).unref();
    try {
      await this.reconcileLate(c, late, settle);
    } catch (err) {
      settle(false);
      this.ctx.emit('store_error', err);
    }
  }

  /** The store side of an accepted late response: a duplicate, after the end, or the part's sent record. */
  private async reconcileLate(
    c: Connector,
    late: LateSubmit,
    settle: (stored: boolean) => void,
  ): Promise<void> {
    const { store, emit } = this.ctx;
    const keys = this.receipts.scopedKeys(c.id, late.upstreamId, false);
    const m = await store.getMessage(late.messageId);
    if (!m) return settle(false);
    const part = (await store.getParts(m.id)).find((p) => p.seq === late.seq);
    const detail = (what: string) =>
      `late submit_sm_resp from ${c.id} (upstream id ${late.upstreamId}): ${what}`;
    if (part?.upstreamId != null) {
      settle(true);
      if (normalizeMessageId(part.upstreamId) === normalizeMessageId(late.upstreamId)) return;
      await store.addUpstreamId({
        id: m.id,
        seq: late.seq,
        total: late.total,
        keys,
        detail: detail(`the SMSC accepted this message twice; the resend is ${part.upstreamId}, a duplicate`),
      });
      emit('duplicate_submit', m.id, late.seq, c.id);
      emit('late_submit', m.id, late.seq, c.id, 'duplicate');
    } else if (FINAL_STATES.has(m.state)) {
      settle(false);
      await store.addUpstreamId({
        id: m.id,
        seq: late.seq,
        total: late.total,
        keys,
        detail: detail(`the SMSC accepted it after the message had ended ${m.state}`),
      });
      emit('late_submit', m.id, late.seq, c.id, 'after_final');
    } else {
      // Not resent yet: sent now, with this id; a dispatcher about to resend takes this.
      await this.recordSent(c, m, { seq: late.seq, total: late.total } as OutboundPart, late.upstreamId);
      settle(true);
      emit('late_submit', m.id, late.seq, c.id, 'recorded');
      // Its last part: the message is sent (a dispatcher sending it now reports that itself).
      if (
        !this.sending.has(m.id) &&
        !['queued', 'accepted'].includes((await store.getMessage(m.id))?.state ?? 'queued')
      )
        emit('sent', m.id, late.total, c.id);
      return;
    }
    // Receipts of the late id parked before it was keyed (they overtook it) find their part now.
    await this.receipts.applyParked(keys, {
      id: m.id,
      seq: late.seq,
      connectorId: c.id,
      upstreamId: late.upstreamId,
    });
  }

  /** Ends a message whose validity period passed before it was sent: `expired`, refunded (unless `refund.expired` is off), receipt if asked. */
  async expire(m: StoredMessage): Promise<void> {
    const detail = 'validity period ended before it could be sent';
    const parts = { total: 1, delivered: 0 };
    const item = receiptItem('expired', m, parts, '000');
    // Requested in the same turn: one group commit holds the state, the refund, the receipt
    // and the HTTP callbacks.
    await Promise.all([
      this.ctx.store.fail({
        id: m.id,
        state: 'expired',
        detail,
        refund: this.ctx.opts.refund?.expired ?? true,
      }),
      item ? this.ctx.store.applyReceipt({ id: m.id, state: 'expired', detail, item }) : undefined,
      this.notifier.report(m, { state: 'expired', at: Date.now(), error: detail, parts }),
    ]);
    this.ctx.emit('expired', m.id);
    if (item) this.ctx.emit('outbox', m.systemId);
  }

  /**
   * A permanent error on one connector: try the next connector of the message's route, if
   * any. `healthyOnly` (its connector is down): the first ready connector of the route
   * other than this one, in the order accept would try them now.
   */
  private async failover(m: StoredMessage, detail: string, healthyOnly = false): Promise<boolean> {
    const { connectors, opts } = this.ctx;
    const routes = opts.routes ?? [];
    const route =
      m.meta.route !== undefined
        ? routes.find((r) => r.name === m.meta.route)
        : matchRoute(routes, m.destination);
    if (!route || route.type === 'static') return false;
    const ready = (id: string) => isHealthy(connectors.get(id));
    // An MMS fails over only to another connector that carries MMS, an SMS to one that carries SMS.
    const bytes = mediaBytes(m);
    const carries = (id: string) =>
      isMms(m) ? takesMms(connectors.get(id) ?? {}, bytes) : canCarry(connectors.get(id) ?? {}, 'sms');
    const next = healthyOnly
      ? candidates(route, m.destination, ready).find(
          (id) => id !== m.connectorId && ready(id) && carries(id) && opts.selfBind?.(id) === undefined,
        )
      : route.connectors.slice(route.connectors.indexOf(m.connectorId) + 1).find(carries);
    if (next === undefined || !connectors.has(next)) return false;
    await this.ctx.store.reassign(m.id, next, `failover from ${m.connectorId}: ${detail}`);
    this.ctx.emit('failover', m.id, m.connectorId, next);
    this.wake(next);
    return true;
  }
}
