/**
 * The SMSC simulator: a standalone SMSC for development, demos and tests (ours and
 * our users'). It accepts binds, acknowledges submits with unique ids, answers
 * query_sm / cancel_sm / replace_sm from its own state, sends delivery receipts with
 * a configurable outcome mix and latency when registered_delivery asks for them,
 * generates MO traffic, and injects faults on demand (throttling, error codes,
 * dropped connections, refused binds, silence) — scripted per destination prefix so
 * routing and failover tests are deterministic.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import {
  CommandStatus,
  SmppServer,
  encodeText,
  chooseEncoding,
  formatReceiptText,
  formatSmppTime,
  messageStateOf,
  splitMessage,
  parseUdh,
  type Pdu,
  type PduOf,
  type ReceiptStat,
  type Session,
  type TlsServerOptions,
} from '../smpp/index.js';
import { systemClock, type Clock } from '../lib/clock.js';
import { HeldDeliveries } from './held-deliveries.js';

export type Outcome = 'delivered' | 'undelivered' | 'expired' | 'rejected';

export interface ScriptRule {
  /** Destination prefix the rule applies to (digits, no '+'). */
  prefix: string;
  /** Answer submit_sm with this command_status (e.g. 0x0B ESME_RINVDSTADR). */
  status?: number;
  /** Or accept and report this outcome in the receipt. */
  outcome?: Outcome;
  /** Receipt err code for the outcome. */
  err?: string;
  /**
   * Only for this part (1-based) of a concatenated message (by its UDH or sar_* TLVs),
   * e.g. to reject the second part of three; other submits fall through to later rules.
   */
  part?: number;
  /** Applies to the first `times` matching submits only, then falls through (a passing fault). */
  times?: number;
  /**
   * Accepts the submit at once (its receipt runs as usual) but sends the submit_sm_resp only
   * this many ms later: past the ESME's response timer, a late response (docs/architecture.md,
   * "Delivery contract").
   */
  respondAfterMs?: number;
}

export interface SimulatorOptions {
  host?: string;
  port?: number;
  tls?: TlsServerOptions;
  /** Accepted credentials; absent = any system_id and password. */
  credentials?: { systemId: string; password: string }[];
  /** Receipt outcome weights (default all delivered). */
  outcomes?: Partial<Record<Outcome, number>>;
  /** Receipt latency range in ms (default 0–0). */
  latencyMs?: { min: number; max: number };
  /** Submits per second per bind before ESME_RTHROTTLED. */
  throttle?: number;
  /** Answer submits with `status` at `rate` (0..1). */
  errors?: { status: number; rate: number }[];
  /** Close the TCP connection after this many inbound PDUs on a session. */
  dropAfterPdus?: number;
  /** Close the connection at random with this probability per inbound PDU. */
  dropRate?: number;
  /** Refuse every bind with ESME_RBINDFAIL. */
  refuseBinds?: boolean;
  /** Stop reading: nothing is answered, not even enquire_link (tests timeouts, half-open sockets). */
  hang?: boolean;
  /** Per-prefix behaviour (first match wins). */
  scripts?: ScriptRule[];
  /** Message id format in submit_sm_resp (default hex). */
  idFormat?: 'hex' | 'dec' | 'uuid';
  /** Render receipt ids differently from submit_sm_resp ids (to test id normalisation). */
  receiptIdFormat?: 'same' | 'hex' | 'dec';
  /**
   * Keep receipts (and MOs) until `releaseHeld()`, then send them all at once: a burst of
   * deliver_sm, as an SMSC sends after an outage on its side.
   */
  holdReceipts?: boolean;
  /**
   * Send the receipt before the submit_sm_resp (a race real SMSCs produce, the receipt's
   * deliver_sm overtaking the response on another path of the SMSC):
   * the response follows once the client has acknowledged the receipt, so the client has
   * handled a receipt for an id it has not yet been told.
   */
  receiptBeforeResponse?: boolean;
  /** Seed for the outcome and fault dice (default: random). */
  seed?: number;
  clock?: Clock;
  systemId?: string;
  /** deliver_sm (receipts, MOs) sent per session without waiting for their responses (default 100). */
  window?: number;
  /**
   * A deliver_sm answered with an error (or not answered) is sent again this long after, while
   * a receiver is bound (default 5,000 ms), as SMSCs retry; and whenever a receiver binds.
   */
  redeliverAfterMs?: number;
}

export interface SimulatorStats {
  binds: number;
  submits: number;
  receipts: number;
  receiptsPending: number;
  /** deliver_sm sent again after an earlier try got no deliver_sm_resp (or an error status). */
  redeliveries: number;
  mos: number;
  errorsInjected: number;
  drops: number;
}

interface StoredMessage {
  id: string;
  systemId: string;
  source: string;
  destination: string;
  shortMessage: Buffer;
  dataCoding: number;
  esmClass: number;
  /** sar_msg_ref_num / sar_total_segments / sar_segment_seqnum when the submit carried them. */
  sar?: { ref: number; total: number; seq: number };
  registeredDelivery: number;
  submitDate: Date;
  state: 'ENROUTE' | ReceiptStat;
  doneDate?: Date;
  err: string;
}

const STAT_OF: Record<Outcome, ReceiptStat> = {
  delivered: 'DELIVRD',
  undelivered: 'UNDELIV',
  expired: 'EXPIRED',
  rejected: 'REJECTD',
};

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class SmscSimulator extends EventEmitter {
  readonly stats: SimulatorStats = {
    binds: 0,
    submits: 0,
    receipts: 0,
    receiptsPending: 0,
    redeliveries: 0,
    mos: 0,
    errorsInjected: 0,
    drops: 0,
  };
  /** Every submit received, in order (for tests and the stats line). */
  readonly submitted: StoredMessage[] = [];
  private readonly messages = new Map<string, StoredMessage>();
  private readonly held: HeldDeliveries;
  private readonly server: SmppServer;
  private readonly random: () => number;
  private readonly clock: Clock;
  private nextId = 1;
  private moRef = 0;
  private readonly sessionPdus = new WeakMap<Session, number>();
  private closing = false;
  private holding: boolean;
  /** deliver_sm that went out once and got no deliver_sm_resp: sending one again is a redelivery. */
  private readonly unacked = new WeakSet<PduOf<'deliver_sm'>>();
  private readonly ruleHits = new Map<ScriptRule, number>();

  constructor(private readonly opts: SimulatorOptions = {}) {
    super();
    this.clock = opts.clock ?? systemClock;
    this.random = prng(opts.seed ?? Math.floor(Math.random() * 2 ** 32));
    this.holding = opts.holdReceipts ?? false;
    this.held = new HeldDeliveries(this.clock);
    this.server = new SmppServer({
      host: opts.host ?? '127.0.0.1',
      port: opts.port ?? 2775,
      tls: opts.tls,
      systemId: opts.systemId ?? 'hermod-sim',
      throughput: opts.throttle,
      lockout: false,
      enquireLinkMs: 0,
      // deliver_sm (receipts, MOs) outstanding per session before waiting for responses.
      windowSize: opts.window ?? 100,
      clock: this.clock,
      authenticate: (r) => {
        if (opts.refuseBinds) return CommandStatus.ESME_RBINDFAIL;
        if (!opts.credentials) return true;
        const c = opts.credentials.find((x) => x.systemId === r.systemId);
        if (!c) return CommandStatus.ESME_RINVSYSID;
        return c.password === r.password ? true : CommandStatus.ESME_RINVPASWD;
      },
    });
    this.server.on('session', (s: Session) => this.onSession(s));
  }

  /**
   * Adds a scripted rule at run time (after those of the options): a fault injected on
   * demand, e.g. the demo's numbers that fail.
   */
  addScript(rule: ScriptRule): void {
    this.opts.scripts = [...(this.opts.scripts ?? []), rule];
  }

  /** Starts listening; resolves with the port. */
  listen(): Promise<number> {
    return this.server.listen();
  }

  get port(): number | undefined {
    return this.server.port;
  }

  /** Bound sessions right now. */
  get sessions(): Session[] {
    return this.server.boundSessions();
  }

  private onSession(s: Session): void {
    this.stats.binds++;
    this.emit('bind', s.systemId, s.bindType);
    if (this.opts.hang) {
      s.pauseInput();
      return;
    }
    s.on('pdu', (pdu: Pdu) => this.onPdu(s, pdu));
    if (s.bindType !== 'transmitter') this.flushHeld(s);
  }

  private onPdu(s: Session, pdu: Pdu): void {
    const n = (this.sessionPdus.get(s) ?? 0) + 1;
    this.sessionPdus.set(s, n);
    if (
      (this.opts.dropAfterPdus && n >= this.opts.dropAfterPdus) ||
      (this.opts.dropRate && this.random() < this.opts.dropRate)
    ) {
      this.stats.drops++;
      this.emit('drop', s.systemId);
      // Answers already given go out first; then the line goes dead mid-window.
      s.pauseInput();
      setImmediate(() => s.destroy());
      return;
    }
    switch (pdu.command) {
      case 'submit_sm':
      case 'data_sm':
        return this.onSubmit(s, pdu);
      case 'submit_multi': {
        const ids: string[] = [];
        for (const d of pdu.destAddresses) {
          if (d.kind === 'sme')
            ids.push(
              this.accept(s, {
                ...pdu,
                command: 'submit_sm',
                destinationAddr: d.addr,
              } as unknown as PduOf<'submit_sm'>).id,
            );
        }
        s.respond(pdu, { messageId: ids[0] ?? this.newId() });
        return;
      }
      case 'query_sm': {
        const m = this.messages.get(pdu.messageId);
        if (!m) return void s.respond(pdu, { commandStatus: CommandStatus.ESME_RQUERYFAIL });
        s.respond(pdu, {
          messageId: m.id,
          // Whole seconds, as SMSCs write it (the codec's formatter keeps tenths).
          finalDate: m.doneDate ? formatSmppTime(Math.floor(m.doneDate.getTime() / 1000) * 1000) : '',
          messageState: messageStateOf(m.state as ReceiptStat),
          errorCode: 0,
        });
        return;
      }
      case 'cancel_sm': {
        const m = this.messages.get(pdu.messageId);
        if (!m || m.state !== 'ENROUTE')
          return void s.respond(pdu, { commandStatus: CommandStatus.ESME_RCANCELFAIL });
        m.state = 'DELETED';
        m.doneDate = new Date(this.clock.now());
        s.respond(pdu);
        return;
      }
      case 'replace_sm': {
        const m = this.messages.get(pdu.messageId);
        if (!m || m.state !== 'ENROUTE')
          return void s.respond(pdu, { commandStatus: CommandStatus.ESME_RREPLACEFAIL });
        m.shortMessage = Buffer.from(pdu.shortMessage);
        s.respond(pdu);
        return;
      }
      default:
        s.respond(pdu, { commandStatus: CommandStatus.ESME_RINVCMDID });
    }
  }

  private onSubmit(s: Session, pdu: PduOf<'submit_sm'> | PduOf<'data_sm'>): void {
    const dest = pdu.destinationAddr.replace(/^\+/, '');
    const rule = this.opts.scripts?.find(
      (r) =>
        dest.startsWith(r.prefix) &&
        (r.part === undefined || partSeq(pdu) === r.part) &&
        (r.times === undefined || (this.ruleHits.get(r) ?? 0) < r.times),
    );
    if (rule?.times !== undefined) this.ruleHits.set(rule, (this.ruleHits.get(rule) ?? 0) + 1);
    if (rule?.status) {
      this.stats.errorsInjected++;
      s.respond(pdu, { commandStatus: rule.status });
      return;
    }
    for (const e of this.opts.errors ?? []) {
      if (this.random() < e.rate) {
        this.stats.errorsInjected++;
        s.respond(pdu, { commandStatus: e.status });
        return;
      }
    }
    const m = this.accept(s, pdu);
    // A scripted late response waits; the receipt below does not (it may overtake the response).
    const late = rule?.respondAfterMs;
    const answer = () =>
      late === undefined
        ? s.respond(pdu, { messageId: m.id })
        : void this.clock.setTimeout(() => s.state !== 'closed' && s.respond(pdu, { messageId: m.id }), late);
    if (this.opts.receiptBeforeResponse && (pdu.registeredDelivery & 0x03) === 1) {
      void this.finish(m, rule?.outcome ?? this.pickOutcome(), rule?.err).then(() => {
        if (s.state !== 'closed') answer();
      });
      return;
    }
    answer();
    // SMPP 3.4 §5.2.17: bits 0-1 of registered_delivery: 1 = receipt on final outcome, 2 = on failure only.
    const want = pdu.registeredDelivery & 0x03;
    const outcome = rule?.outcome ?? this.pickOutcome();
    if (want === 1 || (want === 2 && outcome !== 'delivered')) {
      const { min, max } = this.opts.latencyMs ?? { min: 0, max: 0 };
      const delay = min + Math.floor(this.random() * Math.max(0, max - min + 1));
      this.stats.receiptsPending++;
      this.clock.setTimeout(() => {
        this.stats.receiptsPending--;
        void this.finish(m, outcome, rule?.err);
      }, delay);
    } else {
      m.state = STAT_OF[outcome];
      m.doneDate = new Date(this.clock.now());
    }
  }

  private accept(s: Session, pdu: PduOf<'submit_sm'> | PduOf<'data_sm'>): StoredMessage {
    const shortMessage =
      pdu.command === 'submit_sm' && pdu.shortMessage.length > 0
        ? pdu.shortMessage
        : (pdu.tlvs.messagePayload ?? Buffer.alloc(0));
    const m: StoredMessage = {
      id: this.newId(),
      systemId: s.systemId ?? '',
      source: pdu.sourceAddr,
      destination: pdu.destinationAddr,
      shortMessage: Buffer.from(shortMessage),
      dataCoding: pdu.dataCoding,
      esmClass: pdu.esmClass,
      ...(pdu.tlvs.sarTotalSegments
        ? {
            sar: {
              ref: pdu.tlvs.sarMsgRefNum ?? 0,
              total: pdu.tlvs.sarTotalSegments,
              seq: pdu.tlvs.sarSegmentSeqnum ?? 1,
            },
          }
        : {}),
      registeredDelivery: pdu.registeredDelivery,
      submitDate: new Date(this.clock.now()),
      state: 'ENROUTE',
      err: '000',
    };
    this.messages.set(m.id, m);
    this.submitted.push(m);
    this.stats.submits++;
    this.emit('submit', m);
    return m;
  }

  private newId(): string {
    const n = this.nextId++;
    switch (this.opts.idFormat ?? 'hex') {
      case 'dec':
        return String(n);
      case 'uuid':
        return randomUUID();
      default:
        return n.toString(16).padStart(8, '0');
    }
  }

  private pickOutcome(): Outcome {
    const w = this.opts.outcomes ?? { delivered: 1 };
    const entries = Object.entries(w).filter(([, v]) => (v ?? 0) > 0) as [Outcome, number][];
    const total = entries.reduce((a, [, v]) => a + v, 0);
    if (total <= 0) return 'delivered';
    let x = this.random() * total;
    for (const [k, v] of entries) {
      if ((x -= v) < 0) return k;
    }
    return entries[entries.length - 1][0];
  }

  private receiptId(id: string): string {
    switch (this.opts.receiptIdFormat ?? 'same') {
      case 'dec':
        return /^[0-9a-f]+$/i.test(id) ? BigInt('0x' + id).toString(10) : id;
      case 'hex':
        return /^\d+$/.test(id) ? BigInt(id).toString(16).toUpperCase() : id;
      default:
        return id;
    }
  }

  /** Ends a message and sends its receipt; resolves when the receipt is acknowledged (or held). */
  private finish(m: StoredMessage, outcome: Outcome, err?: string): Promise<void> {
    if (m.state !== 'ENROUTE') return Promise.resolve(); // cancelled meanwhile
    m.state = STAT_OF[outcome];
    m.doneDate = new Date(this.clock.now());
    m.err = err ?? (outcome === 'delivered' ? '000' : outcome === 'expired' ? '000' : '001');
    const rid = this.receiptId(m.id);
    const text = formatReceiptText({
      id: rid,
      sub: 1,
      dlvrd: outcome === 'delivered' ? 1 : 0,
      submitDate: m.submitDate,
      doneDate: m.doneDate,
      stat: m.state,
      err: m.err,
      text:
        m.dataCoding === 0 || m.dataCoding === 1 || m.dataCoding === 3
          ? m.shortMessage.toString('latin1').slice(0, 20)
          : '',
    });
    const receipt = {
      command: 'deliver_sm',
      sourceAddr: m.destination,
      destinationAddr: m.source,
      esmClass: 0x04, // SMPP 3.4 §5.2.12: SMSC delivery receipt
      shortMessage: Buffer.from(text, 'latin1'),
      tlvs: {
        receiptedMessageId: rid,
        messageState: messageStateOf(m.state),
        networkErrorCode: { networkType: 3, errorCode: Number(m.err) || 0 },
      },
    } as PduOf<'deliver_sm'>;
    return this.deliver(m.systemId, receipt, 'receipt');
  }

  /** Sends a deliver_sm to a receiving bind of `systemId`; held until one binds. */
  private deliver(systemId: string, pdu: PduOf<'deliver_sm'>, kind: 'receipt' | 'mo'): Promise<void> {
    const target = this.receiverOf(systemId);
    if (!target || this.closing || this.holding) {
      this.held.hold(systemId, pdu);
      return Promise.resolve();
    }
    if (this.unacked.has(pdu)) this.stats.redeliveries++;
    return target.request(pdu).then(
      () => {
        this.unacked.delete(pdu);
        if (kind === 'receipt') this.stats.receipts++;
        else this.stats.mos++;
        this.emit(kind, pdu);
      },
      () => {
        // Not acknowledged: keep it and try again later, or when a receiver binds (an SMSC retries).
        this.unacked.add(pdu);
        this.held.hold(systemId, pdu);
        this.redeliverLater(systemId);
      },
    );
  }

  /** A bound session of `systemId` that takes deliver_sm (receiver or transceiver), if any. */
  private receiverOf(systemId: string): Session | undefined {
    return this.server.boundSessions(systemId).find((s) => s.bindType !== 'transmitter');
  }

  /** Stops holding (see `holdReceipts`) and sends everything held to bound receivers; returns how many. */
  releaseHeld(): number {
    this.holding = false;
    let n = 0;
    for (const systemId of this.held.systemIds()) {
      const s = this.receiverOf(systemId);
      if (s) n += this.flushHeld(s);
    }
    return n;
  }

  /** One retry timer per systemId: what is held then goes to a bound receiver, if any. */
  private redeliverLater(systemId: string): void {
    if (this.closing) return;
    this.held.later(systemId, this.opts.redeliverAfterMs ?? 5_000, () => {
      const s = this.receiverOf(systemId);
      if (s && !this.closing) this.flushHeld(s);
    });
  }

  /** Sends what is held for the bound receiver `s` (unless holding); returns how many. */
  private flushHeld(s: Session): number {
    if (this.holding) return 0;
    const systemId = s.systemId ?? '';
    const q = this.held.take(systemId);
    for (const pdu of q) void this.deliver(systemId, pdu, pdu.esmClass & 0x04 ? 'receipt' : 'mo');
    return q.length;
  }

  /**
   * Sends an MO (mobile-originated message) to a receiving bind of `systemId`, split
   * into concatenated parts (8-bit UDH) when it does not fit one SMS.
   */
  sendMo(
    systemId: string,
    mo: { from: string; to: string; text: string; encoding?: 'gsm7' | 'ucs2' },
  ): number {
    const ref = this.moRef++ & 0xff;
    const split = splitMessage(mo.text, {
      method: 'udh8',
      reference: ref,
      encoding: mo.encoding ?? chooseEncoding(mo.text),
    });
    for (const part of split.parts) {
      void this.deliver(
        systemId,
        {
          command: 'deliver_sm',
          sourceAddr: mo.from,
          destinationAddr: mo.to,
          esmClass: split.esmClass,
          dataCoding: split.dataCoding,
          shortMessage: part.shortMessage,
        } as PduOf<'deliver_sm'>,
        'mo',
      );
    }
    return split.parts.length;
  }

  /** Generates MOs at `rate` per second until the returned stop function is called. */
  startMoTraffic(
    systemId: string,
    o: { rate: number; senders: string[]; to: string; texts: string[] },
  ): () => void {
    let i = 0;
    const t = this.clock.setInterval(
      () => {
        this.sendMo(systemId, {
          from: o.senders[i % o.senders.length],
          to: o.to,
          text: o.texts[i % o.texts.length],
        });
        i++;
      },
      Math.max(1, Math.round(1000 / o.rate)),
    );
    return () => t.cancel();
  }

  /** Encodes text the way an MO would carry it (for tests). */
  static encode(text: string): Buffer {
    return encodeText(text, chooseEncoding(text));
  }

  statsLine(): string {
    const s = this.stats;
    return `binds=${this.sessions.length} submits=${s.submits} receipts=${s.receipts} pending=${s.receiptsPending} mos=${s.mos} errors=${s.errorsInjected} drops=${s.drops}`;
  }

  async close(): Promise<void> {
    this.closing = true;
    this.held.cancel();
    await this.server.close(1000);
  }
}

/** The part number of a concatenated submit (UDH IE 0x00/0x08 or sar_segment_seqnum), else undefined. */
function partSeq(pdu: PduOf<'submit_sm'> | PduOf<'data_sm'>): number | undefined {
  if (pdu.tlvs.sarSegmentSeqnum !== undefined) return pdu.tlvs.sarSegmentSeqnum;
  const sm = pdu.command === 'submit_sm' ? pdu.shortMessage : undefined;
  if (sm && pdu.esmClass & 0x40) return parseUdh(sm)?.concat?.seq;
  return undefined;
}
