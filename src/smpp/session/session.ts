/**
 * One SMPP session over one byte stream, for either side (ESME or SMSC role).
 *
 * - State is an explicit union changed only by `setState()` (SMPP 3.4 §2.2, §2.3).
 * - Outbound requests get sequence numbers, wait for window credit, and resolve with
 *   their response or reject with a typed error (status, timeout, connection lost).
 * - Inbound requests are checked against the state (ESME_RINVBNDSTS / ESME_RALYBND)
 *   and handed to the owner as 'pdu' events; the owner answers with `respond()`.
 *   enquire_link and unbind are answered here.
 * - Writes are batched: encoded PDUs queue and are flushed once per microtask (BatchedWriter).
 * - Backpressure: reading pauses while `inboundWindow` requests await the owner's
 *   answer; requests wait for 'drain' when the socket buffer is full.
 * - `close()` drains in-flight requests and unbinds; `destroy(err)` cuts the line.
 */
import { EventEmitter } from 'node:events';
import {
  CommandStatus,
  PduFramer,
  SequenceNumbers,
  SmppDecodeError,
  commandName,
  decodePdu,
  encodePdu,
  isResponse,
  responseCommandOf,
  type CommandName,
  type Pdu,
  type PduInit,
  type PduOf,
} from '../codec/index.js';
import { systemClock, type Clock, type Timer } from '../../lib/clock.js';
import {
  SmppConnectionLostError,
  SmppError,
  SmppStateError,
  SmppStatusError,
  SmppTimeoutError,
} from './errors.js';
import { Window } from './window.js';
import { BatchedWriter } from './batched-writer.js';
import type { SessionSocket } from './socket.js';
import {
  BIND_COMMAND,
  BOUND_STATE,
  allowed,
  bindTypeOf,
  type BindType,
  type Role,
  type SessionState,
} from './states.js';
import type { BindCredentials, SessionOptions, SessionStats } from './options.js';

export { bindTypeOf, type BindType, type Role, type SessionState } from './states.js';
export type { BindCredentials, SessionOptions, SessionStats } from './options.js';

interface Pending {
  command: CommandName;
  expect: CommandName | undefined;
  resolve: (pdu: Pdu) => void;
  reject: (err: unknown) => void;
  deadline: number;
  usesWindow: boolean;
}

const LATE_MEMORY = 10_000;

export class Session extends EventEmitter {
  readonly role: Role;
  readonly stats: SessionStats = {
    requestsSent: 0,
    responsesReceived: 0,
    requestsReceived: 0,
    timeouts: 0,
    lateResponses: 0,
    unexpectedResponses: 0,
    decodeErrors: 0,
  };
  /** system_id of the bind (ours as ESME, the peer's as SMSC). */
  systemId: string | undefined;
  bindType: BindType | undefined;

  private stateValue: SessionState = 'open';
  private readonly socket: SessionSocket;
  private readonly framer: PduFramer;
  private readonly seq = new SequenceNumbers();
  private readonly window: Window;
  private readonly pending = new Map<number, Pending>();
  private readonly timedOut = new Map<number, CommandName>();
  private readonly clock: Clock;
  private readonly responseTimeoutMs: number;
  private readonly inboundWindow: number;
  private inboundPending = 0;
  private paused = false;
  /** Reading paused because the peer does not read what we write (see maxWriteBuffer). */
  private writePaused = false;
  /** A bind request is with the owner: a second one is answered ESME_RALYBND. */
  private bindPending = false;
  private unboundRequests = 0;
  private readonly writer: BatchedWriter;
  private lastReceived: number;
  private readonly timers: Timer[] = [];
  private sweepTimer: Timer | undefined;
  private enquirePending = false;
  private drainWaiters: (() => void)[] = [];
  private closedPromise: Promise<void>;
  private resolveClosed!: () => void;

  constructor(
    socket: SessionSocket,
    private readonly opts: SessionOptions,
  ) {
    super();
    this.socket = socket;
    this.role = opts.role;
    this.clock = opts.clock ?? systemClock;
    this.window = new Window(opts.windowSize ?? 10);
    this.responseTimeoutMs = opts.responseTimeoutMs ?? 10_000;
    this.inboundWindow = opts.inboundWindow ?? 1000;
    this.framer = new PduFramer({ maxLength: opts.maxPduLength });
    this.writer = new BatchedWriter(socket, () => this.checkWriteBuffer());
    this.lastReceived = this.clock.now();
    this.closedPromise = new Promise((r) => (this.resolveClosed = r));

    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('drain', () => {
      if (this.writePaused) {
        this.writePaused = false;
        if (!this.paused) this.socket.resume();
      }
      for (const w of this.drainWaiters.splice(0)) w();
    });
    socket.on('error', (err) => this.finalize(err));
    socket.on('close', () => this.finalize(undefined));

    const enquireMs = opts.enquireLinkMs ?? 30_000;
    if (enquireMs > 0)
      this.timers.push(this.clock.setInterval(() => this.onEnquireTimer(enquireMs), enquireMs));
    const idleMs = opts.inactivityMs ?? 0;
    if (idleMs > 0) {
      this.timers.push(
        this.clock.setInterval(
          () => {
            if (this.clock.now() - this.lastReceived >= idleMs) {
              this.event('inactivity_timeout', { ms: idleMs });
              void this.close();
            }
          },
          Math.max(10, Math.floor(idleMs / 4)),
        ),
      );
    }
    const initMs = opts.sessionInitMs ?? 0;
    if (initMs > 0) {
      this.timers.push(
        this.clock.setTimeout(() => {
          if (this.stateValue === 'open') {
            this.event('session_init_timeout', { ms: initMs });
            this.destroy(new SmppStateError(`not bound within ${initMs} ms`));
          }
        }, initMs),
      );
    }
  }

  get state(): SessionState {
    return this.stateValue;
  }

  private isClosed(): boolean {
    return this.stateValue === 'closed';
  }

  get bound(): boolean {
    return (
      this.stateValue === 'bound_tx' || this.stateValue === 'bound_rx' || this.stateValue === 'bound_trx'
    );
  }

  /** Stops reading from the peer (nothing is answered, not even enquire_link) until `resumeInput()`. */
  pauseInput(): void {
    this.socket.pause();
  }

  resumeInput(): void {
    this.socket.resume();
  }

  /** Requests awaiting their response (the window in use). */
  get inFlight(): number {
    return this.pending.size;
  }

  get windowSize(): number {
    return this.window.size;
  }

  get remoteAddress(): string | undefined {
    return this.opts.remoteAddress ?? this.socket.remoteAddress;
  }

  /** Resolves when the session has closed. */
  get closed(): Promise<void> {
    return this.closedPromise;
  }

  private event(event: string, fields: Record<string, unknown> = {}): void {
    this.opts.onEvent?.(event, { role: this.role, systemId: this.systemId, ...fields });
  }

  private setState(next: SessionState): void {
    const prev = this.stateValue;
    if (prev === next) return;
    this.stateValue = next;
    this.event('state', { from: prev, to: next });
    this.emit('state', next, prev);
    if (next === 'bound_tx' || next === 'bound_rx' || next === 'bound_trx') this.emit('bound', this.bindType);
  }

  // ---- outbound -------------------------------------------------------------

  /**
   * Sends a request and resolves with its response. Rejects with SmppStatusError
   * (non-zero command_status or generic_nack), SmppTimeoutError, SmppConnectionLostError
   * or SmppStateError (the state does not allow this request).
   */
  request<C extends CommandName>(init: PduInit<C>, opts: { bypassWindow?: boolean } = {}): Promise<Pdu> {
    const command = init.command as CommandName;
    if (!allowed(this.role, command, this.stateValue)) {
      return Promise.reject(
        new SmppStateError(`${command} is not allowed for the ${this.role} in state ${this.stateValue}`),
      );
    }
    const usesWindow = !opts.bypassWindow;
    // Fast path: a free window slot and a writable socket send synchronously.
    if (usesWindow && !this.window.tryAcquire())
      return this.window.acquire().then(() => this.dispatch(init, command, usesWindow));
    return this.dispatch(init, command, usesWindow);
  }

  private dispatch(init: PduInit, command: CommandName, usesWindow: boolean): Promise<Pdu> {
    if (this.stateValue === 'closed') {
      if (usesWindow) this.window.release();
      return Promise.reject(new SmppConnectionLostError(`session closed before ${command} was sent`));
    }
    if (this.socket.writableNeedDrain) {
      return new Promise<void>((r) => this.drainWaiters.push(r)).then(() =>
        this.write(init, command, usesWindow),
      );
    }
    return this.write(init, command, usesWindow);
  }

  private write(init: PduInit, command: CommandName, usesWindow: boolean): Promise<Pdu> {
    if (this.stateValue === 'closed') {
      if (usesWindow) this.window.release();
      return Promise.reject(new SmppConnectionLostError(`session closed before ${command} was sent`));
    }
    const sequenceNumber = this.seq.next();
    let bytes: Buffer;
    try {
      bytes = encodePdu(init, sequenceNumber);
    } catch (err) {
      if (usesWindow) this.window.release();
      return Promise.reject(err);
    }
    return new Promise<Pdu>((resolve, reject) => {
      const deadline = this.clock.now() + this.responseTimeoutMs;
      this.pending.set(sequenceNumber, {
        command,
        expect: responseCommandOf(command),
        resolve,
        reject,
        deadline,
        usesWindow,
      });
      if (this.sweepTimer === undefined)
        this.sweepTimer = this.clock.setTimeout(this.sweep, this.responseTimeoutMs);
      this.stats.requestsSent++;
      this.send(bytes);
    });
  }

  /**
   * One timer for all response timeouts: every request has the same timeout, so the
   * pending map (in insertion order) is also in deadline order.
   */
  private readonly sweep = (): void => {
    this.sweepTimer = undefined;
    const now = this.clock.now();
    for (const [seq, p] of this.pending) {
      if (p.deadline > now) {
        this.sweepTimer = this.clock.setTimeout(this.sweep, p.deadline - now);
        return;
      }
      this.onTimeout(seq);
    }
  };

  submitSm(fields: Omit<PduInit<'submit_sm'>, 'command'>): Promise<PduOf<'submit_sm_resp'>> {
    return this.request({ command: 'submit_sm', ...fields }) as Promise<PduOf<'submit_sm_resp'>>;
  }

  deliverSm(fields: Omit<PduInit<'deliver_sm'>, 'command'>): Promise<PduOf<'deliver_sm_resp'>> {
    return this.request({ command: 'deliver_sm', ...fields }) as Promise<PduOf<'deliver_sm_resp'>>;
  }

  dataSm(fields: Omit<PduInit<'data_sm'>, 'command'>): Promise<PduOf<'data_sm_resp'>> {
    return this.request({ command: 'data_sm', ...fields }) as Promise<PduOf<'data_sm_resp'>>;
  }

  enquireLink(): Promise<Pdu> {
    return this.request({ command: 'enquire_link' }, { bypassWindow: true });
  }

  /** ESME side: bind (SMPP 3.4 §4.1). Resolves with the bind response once bound. */
  async bind(type: BindType, creds: BindCredentials): Promise<Pdu> {
    if (this.stateValue !== 'open') throw new SmppStateError(`cannot bind in state ${this.stateValue}`);
    this.systemId = creds.systemId;
    const resp = await this.request({
      command: BIND_COMMAND[type],
      interfaceVersion: 0x34,
      ...creds,
    } as PduInit);
    this.systemId = creds.systemId;
    this.bindType = type;
    this.setState(BOUND_STATE[type]); // usually already done in onResponse
    return resp;
  }

  /** Answers an inbound request with its `_resp` (same sequence number). */
  respond(request: Pdu, fields: Record<string, unknown> = {}): boolean {
    const resp = responseCommandOf(request.command);
    if (resp === undefined) return false;
    if (this.inboundPending > 0) this.inboundPending--;
    if (this.paused && this.inboundPending <= this.inboundWindow / 2) {
      this.paused = false;
      if (!this.writePaused) this.socket.resume();
    }
    if (this.stateValue === 'closed') return false;
    this.send(encodePdu({ command: resp, sequenceNumber: request.sequenceNumber, ...fields } as PduInit));
    return true;
  }

  /** SMSC side: accept a bind request the owner has authenticated. */
  acceptBind(request: Pdu, fields: { systemId?: string; scInterfaceVersion?: number } = {}): void {
    const type = bindTypeOf(request.command);
    if (!type || this.stateValue !== 'open') return;
    this.systemId = (request as PduOf<'bind_transmitter'>).systemId;
    this.bindType = type;
    this.bindPending = false;
    this.respond(request, {
      systemId: fields.systemId ?? 'hermod',
      tlvs: { scInterfaceVersion: fields.scInterfaceVersion ?? 0x34 },
    });
    this.setState(BOUND_STATE[type]);
  }

  /** SMSC side: refuse a bind with a status (ESME_RINVPASWD, ESME_RBINDFAIL, ...). */
  rejectBind(request: Pdu, commandStatus: number): void {
    this.bindPending = false;
    this.respond(request, { commandStatus });
  }

  private send(bytes: Buffer): void {
    this.writer.write(bytes);
  }

  private flush(): void {
    this.writer.flush();
  }

  /** Backpressure on a peer that writes without reading: stop reading until our answers drain. */
  private checkWriteBuffer(): void {
    const max = this.opts.maxWriteBuffer ?? 0;
    if (max <= 0 || this.writePaused || (this.socket.writableLength ?? 0) <= max) return;
    this.writePaused = true;
    this.event('write_backpressure', { buffered: this.socket.writableLength });
    this.socket.pause();
  }

  // ---- inbound --------------------------------------------------------------

  private onData(chunk: Buffer): void {
    if (this.stateValue === 'closed') return; // ended by us: what still arrives is not read
    this.lastReceived = this.clock.now();
    this.framer.push(chunk);
    for (;;) {
      let frame: Buffer | undefined;
      try {
        frame = this.framer.next();
      } catch (err) {
        this.onDecodeError(err);
        return;
      }
      if (frame === undefined) return;
      let pdu: Pdu;
      try {
        pdu = decodePdu(frame);
      } catch (err) {
        this.onDecodeError(err);
        if (this.isClosed()) return;
        continue;
      }
      this.onPdu(pdu);
      if (this.isClosed()) return;
    }
  }

  private onDecodeError(err: unknown): void {
    if (!(err instanceof SmppDecodeError)) {
      this.destroy(err instanceof Error ? err : new SmppError('HERMOD_ERR_SMPP', String(err), true));
      return;
    }
    this.stats.decodeErrors++;
    this.event('decode_error', { message: err.message, status: err.commandStatus, fatal: err.fatal });
    this.emit('decode_error', err);
    const seq = err.sequenceNumber ?? 0;
    const id = err.commandId;
    if (id !== undefined && isResponse(id)) {
      // A malformed response: fail its request (the outcome at the peer is unknown).
      const p = this.pending.get(seq);
      if (p)
        this.settle(
          seq,
          p,
          undefined,
          new SmppError(
            'HERMOD_ERR_SMPP_BAD_RESPONSE',
            `malformed ${commandName(id) ?? 'response'}: ${err.message}`,
            true,
          ),
        );
    } else {
      const name = id !== undefined ? commandName(id) : undefined;
      const resp = name ? responseCommandOf(name) : undefined;
      // SMPP 3.4 §3.3: a known request with a bad body gets its own _resp with the status. An
      // invalid command_length (fatal: the stream cannot be resynchronised) or an unknown
      // command gets generic_nack with the sequence echoed, and then the connection closes.
      const answer: PduInit =
        resp && !err.fatal
          ? ({ command: resp, commandStatus: err.commandStatus, sequenceNumber: seq } as PduInit)
          : { command: 'generic_nack', commandStatus: err.commandStatus, sequenceNumber: seq };
      this.send(encodePdu(answer));
    }
    if (err.fatal) {
      this.flush();
      this.socket.end();
      this.finalize(err);
    }
  }

  private onPdu(pdu: Pdu): void {
    if (isResponse(commandIdOf(pdu))) {
      this.onResponse(pdu);
      return;
    }
    this.stats.requestsReceived++;
    const maxUnbound = this.opts.maxUnboundRequests ?? 0;
    if (maxUnbound > 0 && this.stateValue === 'open' && ++this.unboundRequests > maxUnbound) {
      // Before bind a peer has nothing to say beyond a bind and a few enquire_links.
      this.event('unbound_flood', { requests: this.unboundRequests });
      // The answers already queued go out first; then the connection ends.
      this.flush();
      this.socket.end();
      this.finalize(new SmppStateError(`more than ${maxUnbound} requests before bind`));
      this.clock.setTimeout(() => this.socket.destroy(), 1000);
      return;
    }
    switch (pdu.command) {
      case 'enquire_link':
        this.send(encodePdu({ command: 'enquire_link_resp', sequenceNumber: pdu.sequenceNumber }));
        return;
      case 'unbind':
        if (!this.bound && this.stateValue !== 'unbinding') {
          this.send(
            encodePdu({
              command: 'unbind_resp',
              commandStatus: CommandStatus.ESME_RINVBNDSTS,
              sequenceNumber: pdu.sequenceNumber,
            }),
          );
          return;
        }
        this.send(encodePdu({ command: 'unbind_resp', sequenceNumber: pdu.sequenceNumber }));
        this.setState('unbinding');
        this.emit('unbind');
        this.flush();
        this.socket.end();
        return;
      case 'bind_transmitter':
      case 'bind_receiver':
      case 'bind_transceiver':
        if (this.role !== 'smsc') return this.refuse(pdu, CommandStatus.ESME_RINVBNDSTS);
        // One bind in progress per session: the ones behind it are not checked (issue 13 item 1).
        if (this.stateValue !== 'open' || this.bindPending)
          return this.refuse(pdu, CommandStatus.ESME_RALYBND);
        this.inboundPending++;
        if (this.listenerCount('bind_request') === 0) return this.refuse(pdu, CommandStatus.ESME_RBINDFAIL);
        this.bindPending = true;
        this.emit('bind_request', pdu);
        return;
      case 'outbind':
        if (this.role === 'esme' && this.stateValue === 'open') this.emit('outbind', pdu);
        return;
      default: {
        const sender: Role = this.role === 'esme' ? 'smsc' : 'esme';
        if (!allowed(sender, pdu.command, this.stateValue)) {
          this.event('request_refused', { command: pdu.command, state: this.stateValue });
          if (responseCommandOf(pdu.command)) this.refuse(pdu, CommandStatus.ESME_RINVBNDSTS);
          return;
        }
        const refusal = this.opts.gate?.(pdu) ?? 0;
        if (refusal !== 0) {
          this.refuse(pdu, refusal);
          return;
        }
        if (responseCommandOf(pdu.command)) {
          this.inboundPending++;
          if (!this.paused && this.inboundPending >= this.inboundWindow) {
            this.paused = true;
            this.socket.pause();
          }
        }
        if (this.listenerCount('pdu') === 0) {
          // Nobody owns requests on this session: say so rather than leave the peer waiting.
          if (responseCommandOf(pdu.command))
            this.respond(pdu, { commandStatus: CommandStatus.ESME_RSYSERR });
          return;
        }
        this.emit('pdu', pdu);
      }
    }
  }

  private refuse(pdu: Pdu, status: number): void {
    const resp = responseCommandOf(pdu.command);
    if (resp)
      this.send(
        encodePdu({ command: resp, commandStatus: status, sequenceNumber: pdu.sequenceNumber } as PduInit),
      );
  }

  private onResponse(pdu: Pdu): void {
    this.stats.responsesReceived++;
    const p = this.pending.get(pdu.sequenceNumber);
    if (p === undefined) {
      const late = this.timedOut.get(pdu.sequenceNumber);
      if (late !== undefined) {
        this.timedOut.delete(pdu.sequenceNumber);
        this.stats.lateResponses++;
        this.event('late_response', {
          command: pdu.command,
          request: late,
          sequenceNumber: pdu.sequenceNumber,
        });
        this.emit('late_response', pdu, late);
      } else {
        this.unexpected(pdu, 'no request with this sequence number (duplicate or unknown)');
      }
      return;
    }
    if (pdu.command !== p.expect && pdu.command !== 'generic_nack') {
      this.unexpected(pdu, `expected ${p.expect} for ${p.command}`);
      return;
    }
    // A successful bind_resp changes state before anything after it in the same chunk
    // is processed (an SMSC may send deliver_sm right behind the bind_resp).
    const bound = bindTypeOf(pdu.command);
    if (bound && pdu.commandStatus === 0 && this.role === 'esme' && this.stateValue === 'open') {
      this.bindType = bound;
      this.setState(BOUND_STATE[bound]);
    }
    this.settle(pdu.sequenceNumber, p, pdu, undefined);
  }

  private unexpected(pdu: Pdu, why: string): void {
    this.stats.unexpectedResponses++;
    this.event('unexpected_response', { command: pdu.command, sequenceNumber: pdu.sequenceNumber, why });
    this.emit('unexpected_response', pdu, why);
  }

  private settle(seq: number, p: Pending, pdu: Pdu | undefined, err: unknown): void {
    this.pending.delete(seq);
    if (p.usesWindow) this.window.release();
    if (err !== undefined) p.reject(err);
    else if (pdu!.commandStatus !== 0 || pdu!.command === 'generic_nack')
      p.reject(new SmppStatusError(p.command, pdu!.commandStatus));
    else p.resolve(pdu!);
  }

  private onTimeout(seq: number): void {
    const p = this.pending.get(seq);
    if (p === undefined) return;
    this.stats.timeouts++;
    this.timedOut.set(seq, p.command);
    if (this.timedOut.size > LATE_MEMORY) this.timedOut.delete(this.timedOut.keys().next().value as number);
    this.event('response_timeout', { command: p.command, sequenceNumber: seq });
    this.settle(seq, p, undefined, new SmppTimeoutError(p.command, seq, this.responseTimeoutMs));
  }

  private onEnquireTimer(intervalMs: number): void {
    if (!this.bound || this.enquirePending) return;
    if (this.clock.now() - this.lastReceived < intervalMs) return;
    this.enquirePending = true;
    this.enquireLink().then(
      () => (this.enquirePending = false),
      (err: unknown) => {
        this.enquirePending = false;
        if (err instanceof SmppTimeoutError) {
          // §7.2: an unanswered enquire_link means the peer (or the path) is gone: a half-open socket.
          this.event('enquire_link_timeout', {});
          this.destroy(err);
        }
      },
    );
  }

  // ---- closing --------------------------------------------------------------

  /**
   * Graceful close: no new requests, wait (up to `timeoutMs`) for in-flight
   * requests, unbind, then end the connection.
   */
  async close(timeoutMs = this.responseTimeoutMs): Promise<void> {
    if (this.stateValue === 'closed') return;
    const wasBound = this.bound;
    this.window.rejectWaiters(new SmppStateError('session is closing'));
    if (wasBound) {
      const deadline = this.clock.now() + timeoutMs;
      while (this.pending.size > 0 && this.clock.now() < deadline && !this.isClosed()) {
        await new Promise<void>((r) => this.clock.setTimeout(r, 5));
      }
      if (!this.isClosed()) {
        try {
          await this.request({ command: 'unbind' }, { bypassWindow: true });
        } catch {
          // The peer may close without answering; we close anyway.
        }
      }
    }
    if (!this.isClosed()) this.setState('unbinding');
    this.flush();
    this.socket.end();
    const t = this.clock.setTimeout(() => this.destroy(), timeoutMs);
    await this.closedPromise;
    t.cancel();
  }

  /** Closes at once; every pending request rejects with SmppConnectionLostError. */
  destroy(err?: Error): void {
    this.finalize(err);
    this.socket.destroy();
  }

  private finalize(err: Error | undefined): void {
    if (this.stateValue === 'closed') return;
    for (const t of this.timers) t.cancel();
    this.sweepTimer?.cancel();
    this.setState('closed');
    const lost = new SmppConnectionLostError(
      err ? `SMPP connection lost: ${err.message}` : 'SMPP connection closed',
      { cause: err },
    );
    for (const [seq, p] of [...this.pending]) this.settle(seq, p, undefined, lost);
    this.window.rejectWaiters(lost);
    for (const w of this.drainWaiters.splice(0)) w();
    this.writer.discard();
    this.resolveClosed();
    this.emit('close', err);
  }
}

function commandIdOf(pdu: Pdu): number {
  return pdu.command === 'generic_nack' || pdu.command.endsWith('_resp') ? 0x80000000 : 0;
}
