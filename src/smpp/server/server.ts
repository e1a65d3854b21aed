/**
 * The SMSC side: TCP and TLS listeners, an async bind-authentication hook, and the
 * limits a public SMPP port needs (docs/security.md): a connection cap with
 * room kept for bound sessions, unbound connections per address, a bind timeout, a few
 * requests at most before bind, backpressure on a peer that does not read, binds per
 * system_id, a per-session throughput limit answered with ESME_RTHROTTLED, an idle
 * timeout, and bad binds from one address slowed down then locked out (checked one at a
 * time per address, each counted before it is verified). Non-SMPP bytes close only their
 * own socket. `close()` unbinds every session.
 */
import { EventEmitter } from 'node:events';
import { CommandStatus, type Pdu, type PduOf } from '../codec/index.js';
import { systemClock, type Clock } from '../../lib/clock.js';
import { Session, bindTypeOf, type BindType, type SessionOptions } from '../session/session.js';
import { TokenBucket } from '../session/token-bucket.js';
import {
  createListener,
  listen,
  type Listener,
  type Socket,
  type TlsServerOptions,
} from '../transport/index.js';
import { readProxyHeader } from '../transport/proxy-protocol.js';
import { AddressList } from '../../lib/address-list.js';

export interface BindRequest {
  systemId: string;
  password: string;
  systemType: string;
  bindType: BindType;
  interfaceVersion: number;
  addressRange: string;
  remoteAddress: string;
}

/** true accepts the bind; a number refuses it with that command_status. */
export type Authenticate = (req: BindRequest) => Promise<true | number> | true | number;

export interface LockoutPolicy {
  /** Failed binds from one address within `windowMs` before it is locked out. */
  maxFailures: number;
  windowMs: number;
  lockMs: number;
  /** Each failure's answer is delayed by this times the failures so far (capped at 5 s). */
  delayMs: number;
}

export interface SmppServerOptions extends Omit<SessionOptions, 'role' | 'gate' | 'clock'> {
  host?: string;
  port?: number;
  tls?: TlsServerOptions;
  /** system_id we answer binds with (default "hermod"). */
  systemId?: string;
  authenticate?: Authenticate;
  /** Submits per second per session before ESME_RTHROTTLED (default unlimited). */
  throughput?: number | ((session: Session) => number | undefined);
  /** Connections at most, bound or not (default 1000). */
  maxConnections?: number;
  /** Connections not yet bound at most, all addresses together (default 80% of maxConnections: the rest is kept for bound sessions). */
  maxUnbound?: number;
  /** Connections not yet bound from one address (default 10). */
  maxUnboundPerAddress?: number;
  maxBindsPerSystemId?: number;
  lockout?: Partial<LockoutPolicy> | false;
  clock?: Clock;
  /**
   * PROXY protocol v1 from these balancer addresses (and CIDR ranges): a connection from one
   * of them must start with the header, and the session's address is the one it names.
   */
  proxyProtocol?: { trusted: readonly string[]; headerTimeoutMs?: number };
}

const SUBMITS = new Set(['submit_sm', 'data_sm', 'submit_multi']);

export class SmppServer extends EventEmitter {
  readonly sessions = new Set<Session>();
  private server: Listener | undefined;
  private readonly clock: Clock;
  private readonly failures = new Map<string, { count: number; first: number; lockedUntil: number }>();
  /** Binds of one address are checked one after the other (the tail of each address's chain). */
  private readonly bindQueue = new Map<string, Promise<unknown>>();
  private unbound = 0;
  private readonly unboundByAddress = new Map<string, number>();
  private readonly lockout: LockoutPolicy | undefined;
  /** The balancers a PROXY header is believed from; other peers are served as they are. */
  private readonly proxyTrust: AddressList | undefined;
  readonly counters = { connections: 0, refusedConnections: 0, bindFailures: 0, lockouts: 0, throttled: 0 };

  constructor(private readonly opts: SmppServerOptions = {}) {
    super();
    this.clock = opts.clock ?? systemClock;
    this.proxyTrust = opts.proxyProtocol ? new AddressList(opts.proxyProtocol.trusted) : undefined;
    this.lockout =
      opts.lockout === false
        ? undefined
        : { maxFailures: 5, windowMs: 60_000, lockMs: 300_000, delayMs: 200, ...opts.lockout };
  }

  /** Starts listening; resolves with the port (useful with port 0). */
  async listen(): Promise<number> {
    this.server = createListener({ port: this.opts.port ?? 2775, tls: this.opts.tls }, (socket) =>
      this.onSocket(socket),
    );
    return listen(this.server, this.opts.port ?? 2775, this.opts.host);
  }

  get port(): number | undefined {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : undefined;
  }

  /** Bound sessions of a system_id. */
  boundSessions(systemId?: string): Session[] {
    return [...this.sessions].filter((s) => s.bound && (systemId === undefined || s.systemId === systemId));
  }

  private onSocket(socket: Socket): void {
    const max = this.opts.maxConnections ?? 1000;
    if (this.sessions.size >= max) {
      this.counters.refusedConnections++;
      this.emit('connection_refused', { reason: 'max_connections', remoteAddress: socket.remoteAddress });
      socket.destroy();
      return;
    }
    this.counters.connections++;
    if (this.proxyTrust?.has(socket.remoteAddress)) {
      socket.on('error', () => undefined);
      readProxyHeader(socket, this.opts.proxyProtocol?.headerTimeoutMs ?? 5000).then(
        (source) => {
          this.startSession(socket, source);
          socket.resume();
        },
        (err: Error) => {
          this.emit('connection_refused', {
            reason: 'proxy_header',
            remoteAddress: socket.remoteAddress,
            detail: err.message,
          });
          socket.destroy();
        },
      );
      return;
    }
    this.startSession(socket, undefined);
  }

  private startSession(socket: Socket, remoteAddress: string | undefined): void {
    // Unbound connections are capped per address and in all, so that idle sockets from one
    // place cannot take the slots bound customers need (issue 13 item 3).
    const addr = remoteAddress ?? socket.remoteAddress ?? 'unknown';
    const maxConnections = this.opts.maxConnections ?? 1000;
    const maxUnbound = this.opts.maxUnbound ?? Math.max(1, Math.floor(maxConnections * 0.8));
    const perAddress = this.opts.maxUnboundPerAddress ?? 10;
    const fromHere = this.unboundByAddress.get(addr) ?? 0;
    if (this.unbound >= maxUnbound || fromHere >= perAddress) {
      this.counters.refusedConnections++;
      this.emit('connection_refused', {
        reason: fromHere >= perAddress ? 'max_unbound_per_address' : 'max_unbound',
        remoteAddress: addr,
      });
      socket.on('error', () => undefined);
      socket.destroy();
      return;
    }
    this.unbound++;
    this.unboundByAddress.set(addr, fromHere + 1);
    let counted = true;
    const uncount = () => {
      if (!counted) return;
      counted = false;
      this.unbound--;
      const n = (this.unboundByAddress.get(addr) ?? 1) - 1;
      if (n <= 0) this.unboundByAddress.delete(addr);
      else this.unboundByAddress.set(addr, n);
    };
    let bucket: TokenBucket | undefined;
    const session: Session = new Session(socket, {
      ...this.opts,
      ...(remoteAddress !== undefined ? { remoteAddress } : {}),
      role: 'smsc',
      clock: this.clock,
      // SMPP 3.4 §7.2 session_init_timer: 10 s to bind (issue 13 item 2).
      sessionInitMs: this.opts.sessionInitMs ?? 10_000,
      maxUnboundRequests: this.opts.maxUnboundRequests ?? 10,
      maxWriteBuffer: this.opts.maxWriteBuffer ?? 256 * 1024,
      gate: (pdu) => {
        if (!bucket || !SUBMITS.has(pdu.command)) return 0;
        if (bucket.tryTake()) return 0;
        this.counters.throttled++;
        return CommandStatus.ESME_RTHROTTLED;
      },
    });
    socket.on('error', () => undefined); // the session handles it; keep the process up
    this.sessions.add(session);
    session.on('close', () => {
      uncount();
      this.sessions.delete(session);
    });
    session.on('bound', uncount);
    session.on('decode_error', (err: Error) => this.emit('decode_error', err, session));
    session.on('bind_request', (pdu: Pdu) => {
      void this.onBind(session, pdu).then((ok) => {
        if (!ok) return;
        const t =
          typeof this.opts.throughput === 'function' ? this.opts.throughput(session) : this.opts.throughput;
        if (t && t > 0) bucket = new TokenBucket(t, Math.max(1, Math.ceil(t / 10)), this.clock);
      });
    });
  }

  /** One bind checked at a time per address: a burst of binds meets the lockout, not the scrypt. */
  private onBind(session: Session, pdu: Pdu): Promise<boolean> {
    const addr = session.remoteAddress ?? 'unknown';
    const before = this.bindQueue.get(addr) ?? Promise.resolve();
    const mine = before.then(() => this.checkBind(session, pdu));
    const tail = mine.catch(() => undefined);
    this.bindQueue.set(addr, tail);
    void tail.then(() => {
      if (this.bindQueue.get(addr) === tail) this.bindQueue.delete(addr);
    });
    return mine;
  }

  private async checkBind(session: Session, pdu: Pdu): Promise<boolean> {
    const b = pdu as PduOf<'bind_transmitter'>;
    const remoteAddress = session.remoteAddress ?? 'unknown';
    const now = this.clock.now();
    if (session.state !== 'open') return false; // gone while waiting its turn
    const f = this.failures.get(remoteAddress);
    if (f && f.lockedUntil > now) {
      this.counters.bindFailures++;
      this.emit('bind_refused', { systemId: b.systemId, remoteAddress, reason: 'locked_out' });
      session.rejectBind(pdu, CommandStatus.ESME_RBINDFAIL);
      return false;
    }
    const req: BindRequest = {
      systemId: b.systemId,
      password: b.password,
      systemType: b.systemType,
      bindType: bindTypeOf(pdu.command)!,
      interfaceVersion: b.interfaceVersion,
      addressRange: b.addressRange,
      remoteAddress,
    };
    let verdict: true | number;
    try {
      verdict = this.opts.authenticate ? await this.opts.authenticate(req) : true;
    } catch {
      // A hook that throws (its store down) refuses the bind with a system error instead of
      // taking the listener down; the hook's owner logs its own failure.
      verdict = CommandStatus.ESME_RSYSERR;
    }
    if (verdict === true) {
      const maxBinds = this.opts.maxBindsPerSystemId ?? 0;
      if (maxBinds > 0 && this.boundSessions(req.systemId).length >= maxBinds)
        verdict = CommandStatus.ESME_RBINDFAIL;
    }
    if (session.state !== 'open') return false; // closed while we were checking
    if (verdict !== true) {
      await this.recordFailure(remoteAddress, req.systemId);
      this.counters.bindFailures++;
      this.emit('bind_refused', { systemId: req.systemId, remoteAddress, status: verdict });
      if (session.state === 'open') session.rejectBind(pdu, verdict);
      return false;
    }
    this.failures.delete(remoteAddress);
    session.acceptBind(pdu, { systemId: this.opts.systemId ?? 'hermod' });
    this.emit('session', session, req);
    return true;
  }

  /** Counts a failed bind and delays its answer (slowing password guessing). */
  private async recordFailure(addr: string, systemId: string): Promise<void> {
    const p = this.lockout;
    if (!p) return;
    const now = this.clock.now();
    let f = this.failures.get(addr);
    if (!f || now - f.first > p.windowMs) f = { count: 0, first: now, lockedUntil: 0 };
    f.count++;
    if (f.count >= p.maxFailures) {
      f.lockedUntil = now + p.lockMs;
      this.counters.lockouts++;
      this.emit('lockout', { remoteAddress: addr, systemId, until: f.lockedUntil });
    }
    this.failures.set(addr, f);
    if (this.failures.size > 100_000) this.failures.delete(this.failures.keys().next().value as string);
    const delay = Math.min(5000, p.delayMs * f.count);
    if (delay > 0) await new Promise<void>((r) => this.clock.setTimeout(r, delay));
  }

  /** Stops listening and unbinds every session (destroying any that do not answer in time). */
  async close(timeoutMs = 5000): Promise<void> {
    const server = this.server;
    this.server = undefined;
    const closing = server ? new Promise<void>((r) => server.close(() => r())) : Promise.resolve();
    await Promise.all([...this.sessions].map((s) => s.close(timeoutMs)));
    await closing;
  }
}
