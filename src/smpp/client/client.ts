/**
 * The ESME side: connects, binds, keeps the bind alive, and reconnects with
 * exponential backoff and jitter when the connection drops. Requests on a dropped
 * connection fail with retriable errors so the caller can resubmit. An optional
 * throughput limit paces submits; ESME_RTHROTTLED lowers the pace and retries the
 * same request (additive increase, multiplicative decrease), so a throttling SMSC
 * slows us down instead of failing messages.
 */
import { EventEmitter } from 'node:events';
import {
  CommandStatus,
  SmppEncodeError,
  type CommandName,
  type Pdu,
  type PduInit,
  type PduOf,
} from '../codec/index.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from '../../lib/backoff.js';
import { systemClock, type Clock } from '../../lib/clock.js';
import { Session, type BindType, type SessionOptions } from '../session/session.js';
import { SmppStateError, SmppStatusError } from '../session/errors.js';
import { AdaptivePace } from './adaptive-pace.js';
import { connectSocket, type TlsClientOptions } from '../transport/index.js';

export type ClientStatus = 'idle' | 'connecting' | 'bound' | 'reconnecting' | 'closed';

export interface SmppClientOptions extends Omit<SessionOptions, 'role' | 'clock'> {
  host: string;
  port: number;
  tls?: boolean | TlsClientOptions;
  bindType?: BindType;
  systemId: string;
  password?: string;
  systemType?: string;
  interfaceVersion?: number;
  addrTon?: number;
  addrNpi?: number;
  addressRange?: string;
  /** Reconnect policy, or false to stay down after a drop. Default: 0.5 s doubling to 30 s, jittered. */
  reconnect?: BackoffPolicy | false;
  /** Submits per second at most (submit_sm, data_sm, submit_multi). Default: unlimited. */
  throughput?: number;
  /** On ESME_RTHROTTLED, slow down and retry instead of failing (default true). */
  adaptiveThrottle?: boolean;
  /** Throttled retries of one request before its error is surfaced (default: no limit; throttling is not failure). */
  maxThrottleRetries?: number;
  connectTimeoutMs?: number;
  clock?: Clock;
}

const PACED = new Set<CommandName>(['submit_sm', 'data_sm', 'submit_multi']);

export class SmppClient extends EventEmitter {
  private statusValue: ClientStatus = 'idle';
  private sessionValue: Session | undefined;
  private attempt = 0;
  private stopping = false;
  private readonly clock: Clock;
  /** The pace of submits: the configured throughput, adapted to ESME_RTHROTTLED (adaptive-pace.ts). */
  private readonly pace: AdaptivePace;
  private firstBind: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  /** Counters for status pages and metrics. */
  readonly counters = { binds: 0, disconnects: 0, throttled: 0, bindFailures: 0 };
  lastError: Error | undefined;

  constructor(private readonly opts: SmppClientOptions) {
    super();
    this.clock = opts.clock ?? systemClock;
    this.pace = new AdaptivePace(this.clock, opts.throughput || Infinity);
  }

  get status(): ClientStatus {
    return this.statusValue;
  }

  /** The live session, when connected. */
  get session(): Session | undefined {
    return this.sessionValue;
  }

  get bound(): boolean {
    return this.sessionValue?.bound ?? false;
  }

  /** The current pace in submits per second (Infinity when unlimited and never throttled). */
  get rate(): number {
    return this.pace.rate;
  }

  private setStatus(s: ClientStatus): void {
    if (this.statusValue === s) return;
    this.statusValue = s;
    this.emit('status', s);
  }

  /**
   * Connects and binds. Resolves on the first successful bind; rejects if the SMSC
   * refuses the bind (wrong credentials are not retried). Connection failures are
   * retried per the reconnect policy while this promise waits.
   */
  connect(): Promise<void> {
    if (this.statusValue === 'bound') return Promise.resolve();
    const p = new Promise<void>((resolve, reject) => (this.firstBind = { resolve, reject }));
    this.stopping = false;
    if (this.statusValue === 'idle' || this.statusValue === 'closed') void this.run();
    return p;
  }

  private async run(): Promise<void> {
    this.setStatus(this.attempt === 0 ? 'connecting' : 'reconnecting');
    let session: Session;
    try {
      const socket = await connectSocket({
        host: this.opts.host,
        port: this.opts.port,
        tls: this.opts.tls,
        connectTimeoutMs: this.opts.connectTimeoutMs,
      });
      session = new Session(socket, { ...this.opts, role: 'esme', clock: this.clock });
    } catch (err) {
      this.lastError = err as Error;
      this.emit('connect_error', err);
      return this.scheduleReconnect();
    }
    if (this.stopping) {
      session.destroy();
      return;
    }
    this.sessionValue = session;
    session.on('pdu', (pdu: Pdu) => this.onInbound(session, pdu));
    session.on('close', (err?: Error) => this.onSessionClose(session, err));
    for (const ev of ['late_response', 'unexpected_response', 'decode_error'])
      session.on(ev, (...a: unknown[]) => this.emit(ev, ...a));
    try {
      await session.bind(this.opts.bindType ?? 'transceiver', {
        systemId: this.opts.systemId,
        password: this.opts.password ?? '',
        systemType: this.opts.systemType ?? '',
        interfaceVersion: this.opts.interfaceVersion ?? 0x34,
        addrTon: this.opts.addrTon ?? 0,
        addrNpi: this.opts.addrNpi ?? 0,
        addressRange: this.opts.addressRange ?? '',
      });
    } catch (err) {
      this.lastError = err as Error;
      // A refused bind (bad password, unknown system_id) or credentials that cannot even be
      // encoded (too long) will not fix themselves by retrying.
      if (err instanceof SmppStatusError || err instanceof SmppEncodeError) {
        this.counters.bindFailures++;
        this.emit('bind_error', err);
        if (this.firstBind) {
          this.firstBind.reject(err);
          this.firstBind = undefined;
          this.stopping = true;
          session.destroy();
          this.setStatus('closed');
          return;
        }
      }
      session.destroy();
      return;
    }
    this.attempt = 0;
    this.counters.binds++;
    this.setStatus('bound');
    this.emit('bound', session);
    this.firstBind?.resolve();
    this.firstBind = undefined;
  }

  private onSessionClose(session: Session, err: Error | undefined): void {
    if (this.sessionValue !== session) return;
    this.sessionValue = undefined;
    this.counters.disconnects++;
    if (err) this.lastError = err;
    this.emit('disconnected', err);
    if (this.stopping) {
      this.setStatus('closed');
      return;
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopping || this.opts.reconnect === false) {
      this.setStatus('closed');
      if (this.firstBind) {
        this.firstBind.reject(this.lastError ?? new SmppStateError('connection closed'));
        this.firstBind = undefined;
      }
      return;
    }
    this.setStatus('reconnecting');
    const delay = backoffDelay(this.opts.reconnect ?? DEFAULT_BACKOFF, this.attempt++);
    this.emit('reconnecting', delay);
    this.clock.setTimeout(() => {
      if (!this.stopping) void this.run();
    }, delay);
  }

  private onInbound(session: Session, pdu: Pdu): void {
    const listeners =
      this.listenerCount('pdu') + (pdu.command === 'deliver_sm' ? this.listenerCount('deliver_sm') : 0);
    if (listeners === 0) {
      // Nobody will store it: ask the SMSC to retry later rather than acknowledge and lose it.
      session.respond(pdu, { commandStatus: CommandStatus.ESME_RX_T_APPN });
      return;
    }
    const respond = (fields: Record<string, unknown> = {}) => session.respond(pdu, fields);
    if (pdu.command === 'deliver_sm' && this.listenerCount('deliver_sm') > 0)
      this.emit('deliver_sm', pdu, respond);
    else this.emit('pdu', pdu, respond);
  }

  /**
   * Sends a request on the live bind. Rejects with SmppStateError (retriable) when
   * not bound, and with the session's typed errors otherwise.
   */
  async request(init: PduInit): Promise<Pdu> {
    const paced = PACED.has(init.command);
    for (let tries = 0; ; tries++) {
      if (paced) await this.pace.take();
      const session = this.sessionValue;
      if (!session || !session.bound) throw new SmppStateError(`not bound (client is ${this.statusValue})`);
      const sentAt = this.clock.now();
      try {
        const resp = await session.request(init);
        if (paced) this.pace.accepted();
        return resp;
      } catch (err) {
        if (!(err instanceof SmppStatusError) || !err.throttled || !paced) throw err;
        this.counters.throttled++;
        if (this.opts.adaptiveThrottle === false || tries >= (this.opts.maxThrottleRetries ?? Infinity))
          throw err;
        const cut = this.pace.throttled(sentAt);
        if (cut !== undefined) this.emit('throttled', cut);
        else await new Promise<void>((r) => this.clock.setTimeout(r, this.pace.delayMs()));
      }
    }
  }

  submitSm(fields: Omit<PduInit<'submit_sm'>, 'command'>): Promise<PduOf<'submit_sm_resp'>> {
    return this.request({ command: 'submit_sm', ...fields }) as Promise<PduOf<'submit_sm_resp'>>;
  }

  dataSm(fields: Omit<PduInit<'data_sm'>, 'command'>): Promise<PduOf<'data_sm_resp'>> {
    return this.request({ command: 'data_sm', ...fields }) as Promise<PduOf<'data_sm_resp'>>;
  }

  querySm(fields: Omit<PduInit<'query_sm'>, 'command'>): Promise<PduOf<'query_sm_resp'>> {
    return this.request({ command: 'query_sm', ...fields }) as Promise<PduOf<'query_sm_resp'>>;
  }

  /** Stops reconnecting and unbinds gracefully (draining in-flight requests). */
  async close(): Promise<void> {
    this.stopping = true;
    const s = this.sessionValue;
    if (s) await s.close();
    this.setStatus('closed');
  }
}
