/**
 * Delivery receipts: matched to the part they report on (under the DLR scope of the
 * connector they came through), parked when their submit_sm_resp is not stored yet,
 * applied to the part and aggregated into the message's state; and the sweeps that stop
 * waiting for receipts that never come (dlrExpiry) or drop parked ones nobody claims.
 */
import { messageIdKeys, normalizeMessageId, type Receipt } from '../smpp/index.js';
import { isOwnPart, type MessageState, type PartState, type StoredMessage } from '../domain/index.js';
import type { Connector } from './connector.js';
import type { Notifier } from './notify.js';
import type { GatewayContext } from './options.js';
import { whileStoreAway } from './store-retry.js';

/** The part state a receipt's state moves its part to. */
export const STATE_OF: Record<Receipt['state'], PartState> = {
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

/** Parts the dlrExpiry sweep ends per store write. */
const EXPIRY_BATCH = 500;

/** `id` written in base `from` (hex or decimal digits), rewritten in base `to`; undefined when it is not such a number. */
export function inBase(id: string, from: 'hex' | 'dec', to: 'hex' | 'dec'): string | undefined {
  const t = id.trim();
  if (!(from === 'hex' ? /^[0-9a-f]{1,32}$/i : /^[0-9]{1,40}$/).test(t)) return undefined;
  const n = BigInt(from === 'hex' ? `0x${t}` : t);
  return to === 'hex' ? n.toString(16) : n.toString(10);
}

/**
 * Whether receipt id `receiptId`, matched to the part accepted as `upstreamId`, shows that
 * its SMSC writes receipt ids as it wrote the response's: the same id, with a hex letter in
 * it (only a hex id has one). An all-digit id proves nothing: "16" may be a decimal
 * receipt's 0x10 that met another part's hex "16" by chance.
 */
export function writtenAsResponse(receiptId: string, upstreamId: string): boolean {
  const id = normalizeMessageId(receiptId);
  return /[a-f]/.test(id) && id === normalizeMessageId(upstreamId);
}

/** Whether a part found under a receipt's keys is the receipt's own (domain/receipt-match.ts). */
export { isOwnPart as ownPart } from '../domain/index.js';

/** Where an applied receipt came through, for the metrics: its connector and when the message was sent. */
interface Via {
  connectorId?: string;
  sentAt?: number;
}

export class ReceiptService {
  private turnEnd: Promise<void> | undefined;
  private stopped = false;
  private receiptSweep: NodeJS.Timeout | undefined;
  private receiptSweepMs = 0;
  private sweepingReceipts = false;
  private parkedSweep: NodeJS.Timeout | undefined;
  /**
   * Upstream ids an SMSC accepted whose part is not stored as sent yet (their scoped
   * canonical key, and how many submits hold it): a receipt under such an id is that
   * part's, however long the store takes.
   */
  private readonly recording = new Map<string, number>();
  /**
   * DLR scopes whose SMSC writes a receipt's id as it wrote the response's (a receipt was
   * seen under its response's exact id, `writtenAsResponse`): their receipts are read that
   * way only from then on, since "12" read as decimal is another part's id "c".
   */
  private readonly sameRendering = new Set<string>();

  constructor(
    private readonly ctx: GatewayContext,
    private readonly notifier: Notifier,
  ) {}

  /**
   * The store keys of an upstream id, under the DLR scope of the connector it was sent or
   * reported through. A response's id: every rendering (messageIdKeys; the store keys the
   * part under the first, canonical one, and parked receipts are taken under any). A
   * receipt's id (`receipt`): the one rendering its response had when the connector knows
   * both bases, else every rendering.
   */
  scopedKeys(connectorId: string, upstreamId: string, receipt: boolean): string[] {
    const scope = this.scopeOf(connectorId);
    const known = receipt ? this.asResponse(connectorId, upstreamId) : undefined;
    const bare = known !== undefined ? [known] : messageIdKeys(upstreamId);
    return bare.map((k) => `${scope}\u001f${k}`);
  }

  /**
   * A receipt's id as its response had it (canonical form), when that is known: the
   * connector's bases are configured, or its SMSC was seen writing both the same way.
   */
  private asResponse(connectorId: string, receiptId: string): string | undefined {
    const how = this.ctx.opts.receiptMatching?.(connectorId);
    const known = how?.base ? inBase(receiptId, how.base.receipt, how.base.response) : undefined;
    if (known !== undefined) return normalizeMessageId(known);
    return this.sameRendering.has(this.scopeOf(connectorId)) ? normalizeMessageId(receiptId) : undefined;
  }

  /** The DLR scope of a connector (its `dlrScope`, default its id): what its message ids are unique in. */
  private scopeOf(connectorId: string): string {
    return this.ctx.opts.receiptMatching?.(connectorId)?.scope ?? connectorId;
  }

  /** Whether a parked receipt is part `upstreamId`'s own: the same id when the renderings are known, else any rendering of it. */
  private ownParked(connectorId: string, upstreamId: string, receiptId: string): boolean {
    const known = this.asResponse(connectorId, receiptId);
    return known === undefined || known === normalizeMessageId(upstreamId);
  }

  /**
   * Marks an upstream id as accepted by the SMSC but not stored yet, until the returned
   * function is called (its part is stored as sent, or given up).
   */
  recordingSent(connectorId: string, upstreamId: string): () => void {
    const [key] = this.scopedKeys(connectorId, upstreamId, false);
    this.recording.set(key, (this.recording.get(key) ?? 0) + 1);
    return () => {
      const n = (this.recording.get(key) ?? 1) - 1;
      if (n > 0) this.recording.set(key, n);
      else this.recording.delete(key);
    };
  }

  /**
   * A receipt from an SMSC: matched to its part and applied in one store write, or parked
   * there when its submit_sm_resp is not stored yet (it overtook the response).
   */
  async onReceipt(c: Connector, r: Receipt): Promise<void> {
    // An SMSC often sends a receipt right behind its submit_sm_resp, in the same read: the
    // receipt's handler runs before the response's continuation has asked the store to key
    // the part, so the receipt would be parked and taken back (two more writes). Looking up
    // after this turn's responses are handled finds the part instead.
    await this.afterTurn();
    // Parked only in its own scope; looked up there, then under the bare renderings, under
    // which parts sent before scopes existed are keyed.
    const parkKeys = this.scopedKeys(c.id, r.id, true);
    // Its own submit_sm_resp came and its part is being stored (slowly: the store is busy or
    // away): it waits for that part under its own rendering. Another rendering of its id
    // (hex read as decimal) would find another part still waiting, and land there.
    const keys = this.recording.has(parkKeys[0])
      ? parkKeys.slice(0, 1)
      : [...parkKeys, ...messageIdKeys(r.id)];
    const err = r.err ?? '000';
    const outcome = await this.ctx.store.applyReceiptByKeys({
      keys,
      receiptId: r.id,
      state: STATE_OF[r.state],
      detail: `${r.stat} err:${err}`,
      notice: this.notifier.forFinal(err, { receipt: r }),
      park: { payload: JSON.stringify(r), keys: parkKeys },
    });
    if (!outcome.parked) {
      const m = outcome.match.message;
      const up = outcome.match.part?.upstreamId;
      if (up && writtenAsResponse(r.id, up)) this.sameRendering.add(this.scopeOf(c.id));
      if (outcome.state === undefined) return;
      this.applied(m.id, outcome.state, outcome.match.seq, {
        connectorId: m.connectorId,
        sentAt: m.state === 'sent' ? m.updatedAt : undefined,
      });
      this.notifier.announce([{ id: m.id, notified: outcome.notified }]);
      if (outcome.state === 'sent') await this.intermediate(m, r);
      return;
    }
    this.ctx.emit('receipt_parked', r.id);
    // On a store shared by several nodes, the submit_sm_resp may have been stored by
    // another transaction between our lookup and the park: look again. Both this path and
    // the sender take parked receipts atomically, so exactly one of them applies it.
    const now = await this.ctx.store.findPartByUpstreamKeys(keys);
    if (now && isOwnPart(now, r.id))
      await this.applyParked(keys, {
        id: now.message.id,
        seq: now.seq,
        connectorId: c.id,
        upstreamId: now.part?.upstreamId ?? r.id,
      });
  }

  /**
   * The receipts parked under `keys` (they overtook the response of part `seq`, accepted
   * under `upstreamId` by connector `connectorId`), applied to it; one parked under another
   * rendering of the id that is, as far as is known, another part's is left parked.
   */
  async applyParked(
    keys: string[],
    part: { id: string; seq: number; connectorId: string; upstreamId: string },
  ): Promise<void> {
    // Each stays parked until its apply commits (which unparks it): a failed apply is
    // retried while the store is away, and one that committed unseen is not applied twice.
    for (const payload of await this.ctx.store.parkedReceipts(keys)) {
      const r = JSON.parse(payload) as Receipt;
      if (!this.ownParked(part.connectorId, part.upstreamId, r.id)) continue;
      await whileStoreAway(
        () => this.apply(part.id, part.seq, r, { connectorId: part.connectorId }, { keys, payload }),
        { running: () => !this.stopped, failed: (err) => this.ctx.emit('store_error', err) },
      );
    }
  }

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

  /** A receipt for one part; the customer hears once, when the message's aggregate state is final. */
  private async apply(
    id: string,
    seq: number,
    r: Receipt,
    via: Via,
    parked?: { keys: string[]; payload: string },
  ): Promise<void> {
    const err = r.err ?? '000';
    const { state, notified } = await this.ctx.store.applyPartReceipt({
      id,
      seq,
      state: STATE_OF[r.state],
      detail: `${r.stat} err:${err}`,
      notice: this.notifier.forFinal(err, { receipt: r }),
      ...(parked ? { parked } : {}),
    });
    if (state === undefined) return;
    this.applied(id, state, seq, via);
    this.notifier.announce([{ id, notified }]);
    if (state === 'sent') {
      const m = await this.ctx.store.getMessage(id);
      if (m) await this.intermediate(m, r);
    }
  }

  /**
   * The callbacks an intermediate receipt (ENROUTE, ACCEPTD: the message stays `sent`) owes:
   * Jasmin dlr-level 3, Kannel dlr-mask 4. Written right after the receipt's own write (a
   * final receipt's callbacks are written in its transaction; docs/kannel-http-api.md).
   */
  private intermediate(m: StoredMessage, r: Receipt): Promise<void> {
    if (r.state !== 'accepted' && r.state !== 'enroute') return Promise.resolve();
    if (!m.meta.kannel && m.meta.dlr?.level !== 3) return Promise.resolve();
    return this.notifier.report(m, { state: 'sent', at: Date.now(), receipt: r });
  }

  /** The event of an applied receipt (for the metrics: connector and seconds since sent). */
  private applied(id: string, state: MessageState, seq: number, via: Via): void {
    this.ctx.emit(
      'receipt',
      id,
      state,
      seq,
      via.connectorId,
      via.sentAt !== undefined ? Math.max(0, Date.now() - via.sentAt) / 1000 : undefined,
    );
  }

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
  async expireAwaiting(): Promise<number> {
    let expired = 0;
    for (const c of this.ctx.connectors.values()) {
      const ms = c.dlrExpiryMs ?? 0;
      if (ms <= 0) continue;
      const detail = `no delivery receipt within ${ms / 1000} s (connector ${c.id} dlrExpiryS): Hermod stopped waiting; the message may still have been delivered`;
      for (;;) {
        const batch = await this.ctx.store.expireAwaitingReceipts({
          connectorId: c.id,
          before: Date.now() - ms,
          limit: EXPIRY_BATCH,
          detail,
          notice: this.notifier.forFinal('000', { error: detail }),
        });
        expired += batch.length;
        for (const p of batch) this.ctx.emit('receipt_expired', p.id, p.seq, c.id, p.state);
        this.notifier.announce(batch);
        if (batch.length < EXPIRY_BATCH) break;
      }
    }
    return expired;
  }

  /** Starts the sweeps of parked receipts and of the customer outbox (items held past their time). */
  start(): void {
    const parkedFor = this.ctx.opts.parkedReceiptRetentionMs ?? 3 * 86_400_000;
    const { store, emit } = this.ctx;
    this.parkedSweep = setInterval(
      () => {
        // Once per cluster: on the leader (options.singletons).
        if (!(this.ctx.opts.singletons?.() ?? true)) return;
        store.expireParkedReceipts(parkedFor).then(
          (n) => n > 0 && emit('parked_expired', n),
          (err) => emit('store_error', err),
        );
        // Receipts and MOs held for a customer who never bound again within their hold time.
        store.expireOutbox().then(
          (n) => n > 0 && emit('outbox_expired', n),
          (err) => emit('store_error', err),
        );
      },
      Math.max(50, Math.min(3_600_000, parkedFor / 4)),
    );
    this.parkedSweep.unref();
    this.startExpirySweep();
  }

  /**
   * The dlrExpiry sweep, once a connector has a dlrExpiryMs (at start, or when one is added
   * or changed at runtime): every tenth of the shortest expiry (50 ms to 1 min). A connector
   * added with a shorter expiry than the running sweep's restarts it at the shorter interval.
   */
  startExpirySweep(): void {
    const expiries = [...this.ctx.connectors.values()].map((c) => c.dlrExpiryMs ?? 0).filter((ms) => ms > 0);
    if (expiries.length === 0) return;
    const every = Math.max(50, Math.min(60_000, Math.min(...expiries) / 10));
    if (this.receiptSweep && every >= this.receiptSweepMs) return;
    clearInterval(this.receiptSweep);
    this.receiptSweepMs = every;
    this.receiptSweep = setInterval(() => {
      if (this.sweepingReceipts || !(this.ctx.opts.singletons?.() ?? true)) return;
      this.sweepingReceipts = true;
      this.expireAwaiting()
        .then(
          (n) => n > 0 && this.ctx.emit('dlr_expired', n),
          (err) => this.ctx.emit('store_error', err),
        )
        .finally(() => (this.sweepingReceipts = false));
    }, every);
    this.receiptSweep.unref();
  }

  /** The running dlrExpiry sweep's interval, in ms (0: none runs). */
  expirySweepInterval(): number {
    return this.receiptSweep ? this.receiptSweepMs : 0;
  }

  stop(): void {
    this.stopped = true;
    if (this.parkedSweep) clearInterval(this.parkedSweep);
    if (this.receiptSweep) clearInterval(this.receiptSweep);
  }
}
