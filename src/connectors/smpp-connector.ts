/**
 * An upstream SMSC over SMPP: wraps SmppClient (bind, reconnect, window, throttling)
 * behind the gateway's Connector interface. Receipts are acknowledged to the SMSC only
 * after the gateway has stored them.
 */
import {
  CommandStatus,
  SmppClient,
  SmppError,
  SmppTimeoutError,
  formatSmppTime,
  receiptFromPdu,
  type Pdu,
  type Receipt,
  type SmppClientOptions,
} from '../smpp/index.js';
import type { OutboundPart, SplitSetting, StoredMessage } from '../domain/index.js';
import type {
  Connector,
  ConnectorFailure,
  ConnectorStatus,
  InboundPdu,
  LateSubmit,
  SubmitOutcome,
} from '../gateway/index.js';
import { RateMeter } from './rate-meter.js';

/**
 * Fixed TON/NPI per address; an absent field is detected per message (an alphanumeric
 * source → 5/0, a number → 1/1, as Jasmin does).
 */
export interface SmppAddressing {
  sourceTon?: number | undefined;
  sourceNpi?: number | undefined;
  destTon?: number | undefined;
  destNpi?: number | undefined;
}

function failure(err: unknown): ConnectorFailure {
  const e = (err instanceof Error ? err : new Error(String(err))) as ConnectorFailure;
  // Throttling, queue full, timeouts, lost connections and "not bound" are worth retrying.
  e.transient = err instanceof SmppError ? err.retriable : false;
  const status = (err as { commandStatus?: number }).commandStatus;
  if (status !== undefined) e.status = status;
  return e;
}

/**
 * How a connector binds: one transceiver (default), a transmitter only (receipts and MOs
 * must come in elsewhere), a receiver only (it never submits), or a transmitter plus a
 * separate receiver session to the same SMSC, optionally on another port (Kannel's
 * `receive-port`; SMPP 3.4 §2.2.1: an ESME may hold a TX and an RX session at once).
 */
export type ConnectorBind = 'transceiver' | 'transmitter' | 'receiver' | 'pair';

export interface SmppConnectorOptions extends SmppClientOptions {
  split?: SplitSetting;
  addressing?: SmppAddressing;
  dataCoding?: number;
  /** With a transmitter bind: a second session bound as receiver, on this port (default: `port`). */
  receiver?: { port?: number };
  /** A sent part whose receipt has not come this long after the SMSC's last word is given up (the gateway's sweep); undefined or 0 = never. */
  dlrExpiryMs?: number;
}

export class SmppConnector implements Connector {
  /** The session that submits (or, on a receiver-only connector, the one that receives). */
  readonly client: SmppClient;
  /** The separate receiver session of a transmitter + receiver pair. */
  readonly receiverClient: SmppClient | undefined;
  private handler: ((r: Receipt) => Promise<void>) | undefined;
  private moHandler: ((mo: InboundPdu) => Promise<void>) | undefined;
  private lateHandler: ((late: LateSubmit) => Promise<void>) | undefined;
  /**
   * Submits whose response timer fired, by sequence number, with the session they went out
   * on (a late response can only come on that one): a late response is matched to its part
   * instead of thrown away (docs/architecture.md, "Delivery contract"). As many as the session remembers (its LATE_MEMORY).
   */
  private readonly timedOut = new Map<
    number,
    { session: unknown; messageId: string; seq: number; total: number }
  >();
  private readonly meter = new RateMeter();
  private readonly counts = { submits: 0, submitted: 0, errors: 0, receipts: 0, mos: 0 };
  private started = false;
  /** Reported as the status `type` (the simulator connector wraps one of these). */
  type = 'smpp';

  /** How the gateway splits long messages for this SMSC. */
  readonly split: SplitSetting;
  /** The data_coding GSM-alphabet text goes out as (the gateway re-encodes it before splitting). */
  readonly dataCoding: number;
  readonly bind: ConnectorBind;
  readonly dlrExpiryMs: number | undefined;

  constructor(
    readonly id: string,
    private readonly opts: SmppConnectorOptions,
  ) {
    this.split = opts.split ?? 'udh';
    this.dataCoding = opts.dataCoding ?? 0;
    this.dlrExpiryMs = opts.dlrExpiryMs;
    const bindType = opts.receiver ? 'transmitter' : (opts.bindType ?? 'transceiver');
    this.bind = opts.receiver ? 'pair' : bindType;
    this.client = new SmppClient({ ...opts, bindType });
    // The pair's sessions reconnect independently: a lost receiver never stops submits.
    this.receiverClient = opts.receiver
      ? new SmppClient({ ...opts, bindType: 'receiver', port: opts.receiver.port ?? opts.port })
      : undefined;
    for (const client of [this.client, this.receiverClient]) {
      if (!client) continue;
      client.on('error', () => undefined);
      client.on(
        'deliver_sm',
        (pdu: Pdu, respond: (f?: Record<string, unknown>) => void) => void this.onDeliver(pdu, respond),
      );
    }
    this.client.on('late_response', (pdu: Pdu) => this.onLateResponse(pdu));
  }

  /** True while it can submit: the transmitting session is bound. A receiver-only connector never is. */
  get ready(): boolean {
    return this.bind !== 'receiver' && this.client.bound;
  }

  /** True while every session it opens is bound (metrics, alerts, readiness). */
  get up(): boolean {
    return this.client.bound && (this.receiverClient?.bound ?? true);
  }

  get capacity(): number {
    return this.opts.windowSize ?? 10;
  }

  status(): ConnectorStatus {
    const session = this.client.session;
    const c = this.client.counters;
    const rx = this.receiverClient;
    return {
      id: this.id,
      type: this.type,
      state: this.started ? this.client.status : 'stopped',
      bound: this.client.bound,
      remote: `${this.opts.host}:${this.opts.port}`,
      window: { inUse: session?.inFlight ?? 0, size: session?.windowSize ?? this.capacity },
      throughput: { perSecond: this.meter.perSecond(), limit: this.opts.throughput ?? null },
      counters: {
        ...this.counts,
        binds: c.binds + (rx?.counters.binds ?? 0),
        disconnects: c.disconnects + (rx?.counters.disconnects ?? 0),
        throttled: c.throttled,
      },
      lastError: this.client.lastError?.message ?? rx?.lastError?.message ?? null,
      ...(rx
        ? {
            receiver: {
              state: this.started ? rx.status : 'stopped',
              bound: rx.bound,
              remote: `${this.opts.host}:${this.opts.receiver?.port ?? this.opts.port}`,
              lastError: rx.lastError?.message ?? null,
            },
          }
        : {}),
      settings: {
        bindType: this.bind,
        dataCoding: this.dataCoding,
        split: this.split,
        dlrExpiryS: this.dlrExpiryMs ? this.dlrExpiryMs / 1000 : null,
      },
    };
  }

  async start(): Promise<void> {
    this.started = true;
    // Binding continues in the background (with reconnects); the dispatcher waits for `ready`.
    for (const client of [this.client, this.receiverClient])
      client?.connect().catch((err: unknown) => client.emit('start_error', err));
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all([this.client.close(), this.receiverClient?.close()]);
  }

  onReceipt(handler: (r: Receipt) => Promise<void>): void {
    this.handler = handler;
  }

  onMo(handler: (mo: InboundPdu) => Promise<void>): void {
    this.moHandler = handler;
  }

  onLateSubmit(handler: (late: LateSubmit) => Promise<void>): void {
    this.lateHandler = handler;
  }

  private onLateResponse(pdu: Pdu): void {
    const sent = this.timedOut.get(pdu.sequenceNumber);
    if (sent === undefined || sent.session !== this.client.session || pdu.command !== 'submit_sm_resp')
      return;
    this.timedOut.delete(pdu.sequenceNumber);
    if (pdu.commandStatus === 0) this.counts.submitted++;
    // The gateway's handler reports its own failures; nothing here is owed to the SMSC.
    void this.lateHandler?.({
      messageId: sent.messageId,
      seq: sent.seq,
      total: sent.total,
      status: pdu.commandStatus,
      upstreamId: pdu.messageId,
    }).catch(() => undefined);
  }

  async submit(m: StoredMessage, part?: OutboundPart): Promise<SubmitOutcome> {
    // Jasmin's defaults: an alphanumeric sender is TON 5 (alphanumeric) NPI 0, a number is
    // international/E.164 (1/1) — the destination is always E.164 after normalisation.
    const alpha = /[^0-9+]/.test(m.source);
    const a = this.opts.addressing ?? {};
    const long = m.body.length > 254;
    const tlvs = part
      ? {
          ...(part.messagePayload ? { messagePayload: part.messagePayload } : {}),
          // SMPP 3.4 §5.3.2.22–24
          ...(part.sar
            ? { sarMsgRefNum: part.sar.ref, sarTotalSegments: part.sar.total, sarSegmentSeqnum: part.sar.seq }
            : {}),
        }
      : long
        ? { messagePayload: m.body }
        : {};
    this.counts.submits++;
    this.meter.add();
    try {
      const resp = await this.client.submitSm({
        sourceAddrTon: a.sourceTon ?? (alpha ? 5 : 1),
        sourceAddrNpi: a.sourceNpi ?? (alpha ? 0 : 1),
        sourceAddr: m.source.replace(/^\+/, ''),
        destAddrTon: a.destTon ?? 1,
        destAddrNpi: a.destNpi ?? 1,
        destinationAddr: m.destination,
        esmClass: part ? part.esmClass : m.esmClass & 0x40,
        dataCoding: part?.dataCoding ?? m.dataCoding,
        priorityFlag: Math.min(3, m.priority),
        // The customer's validity goes upstream as an absolute UTC time (SMPP 3.4 §7.1.1), so
        // the SMSC stops trying when we would call the message expired anyway.
        ...(m.meta.validUntil !== undefined ? { validityPeriod: formatSmppTime(m.meta.validUntil) } : {}),
        // We always ask for receipts upstream: state is tracked whatever the customer asked.
        registeredDelivery: 1,
        shortMessage: part ? part.shortMessage : long ? Buffer.alloc(0) : m.body,
        tlvs,
      });
      this.counts.submitted++;
      return { upstreamId: resp.messageId };
    } catch (err) {
      this.counts.errors++;
      if (err instanceof SmppTimeoutError) {
        this.timedOut.set(err.sequenceNumber, {
          session: this.client.session,
          messageId: m.id,
          seq: part?.seq ?? 1,
          total: part?.total ?? 1,
        });
        if (this.timedOut.size > 10_000) this.timedOut.delete(this.timedOut.keys().next().value as number);
      }
      throw failure(err);
    }
  }

  private async onDeliver(pdu: Pdu, respond: (f?: Record<string, unknown>) => void): Promise<void> {
    if (pdu.command !== 'deliver_sm') return;
    const receipt =
      (pdu.esmClass & 0x3c) !== 0 || pdu.tlvs.receiptedMessageId ? receiptFromPdu(pdu) : undefined;
    const handle = receipt
      ? this.handler && (() => this.handler!(receipt))
      : this.moHandler &&
        (() =>
          this.moHandler!({
            source: pdu.sourceAddr,
            destination: pdu.destinationAddr,
            esmClass: pdu.esmClass,
            dataCoding: pdu.dataCoding,
            shortMessage: Buffer.from(
              pdu.shortMessage.length > 0 ? pdu.shortMessage : (pdu.tlvs.messagePayload ?? Buffer.alloc(0)),
            ),
            ...(pdu.tlvs.sarTotalSegments
              ? {
                  sar: {
                    ref: pdu.tlvs.sarMsgRefNum ?? 0,
                    total: pdu.tlvs.sarTotalSegments,
                    seq: pdu.tlvs.sarSegmentSeqnum ?? 1,
                  },
                }
              : {}),
          }));
    if (!handle) {
      // Nobody can store it yet: ask the SMSC to keep and retry it, never drop it.
      respond({ commandStatus: CommandStatus.ESME_RX_T_APPN });
      return;
    }
    try {
      await handle();
      if (receipt) this.counts.receipts++;
      else this.counts.mos++;
      respond();
    } catch {
      // Not stored (the gateway reports its store's failure): a temporary error asks the
      // SMSC to deliver it again later (SMPP 3.4 §5.1.3, ESME_RX_T_APPN), so nothing is
      // acknowledged that was not kept.
      respond({ commandStatus: CommandStatus.ESME_RX_T_APPN });
    }
  }
}
