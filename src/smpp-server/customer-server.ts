/**
 * The customer-facing SMPP server: customers bind with their Hermod credentials;
 * submit_sm / data_sm / submit_multi enter the gateway and are answered only after the message is
 * committed; receipts wait in the outbox until the customer has a receiving bind, and
 * leave it only when the customer acknowledges them with deliver_sm_resp.
 */
import {
  CommandStatus,
  SmppServer,
  formatReceiptText,
  messageStateOf,
  parseSmppTime,
  SmppTimeError,
  type Pdu,
  type ReceiptStat,
  type Session,
  type SmppServerOptions,
} from '../smpp/index.js';
import { allowsAddress, type MessageMeta, type MessageState, type User } from '../domain/index.js';
import {
  RejectedError,
  draftOf,
  reject,
  servicesOf,
  type CustomerNotice,
  type CustomerMo,
  type CustomerReceipt,
  type Gateway,
  type InterfaceServices,
} from '../gateway/index.js';
import { LoginGuard } from '../gateway/login-guard.js';
import { CustomerBindLeases, type BindLeaseCluster } from './bind-leases.js';

/** What the customer server reads besides the Gateway: accounts, message views, the outbox. */
export type CustomerServerServices = Pick<InterfaceServices, 'accounts' | 'messages' | 'outbox'>;

export interface CustomerServerOptions extends SmppServerOptions {
  /** A second listener over TLS, with the same rules. */
  tlsListener?: { port: number; tls: NonNullable<SmppServerOptions['tls']> };
  /** Default: over the gateway's own store. */
  services?: CustomerServerServices;
  /** Where failed deliveries and lookups are logged (warn). */
  logger?: { warn(fields: object, msg: string): void };
  /** Login attempts counted with the HTTP API's (docs/security.md); a private one when omitted. */
  loginGuard?: LoginGuard;
  /** Binds a user may hold when its account sets no `access.maxBinds` (default 10). */
  maxBindsPerUser?: number;
  /**
   * The cluster (a PostgreSQL store's nodes): `maxBinds` counts the account's binds on every
   * node, each holding a lease (bind-leases.ts). Absent: this listener's binds only.
   */
  cluster?: BindLeaseCluster;
}

type DeliverSmFields = Parameters<Session['deliverSm']>[0];

const MESSAGE_STATE: Record<MessageState, number> = {
  accepted: 6,
  queued: 1,
  sent: 1,
  delivered: 2,
  undelivered: 5,
  expired: 3,
  rejected: 8,
  failed: 5,
  unknown: 7,
  // SMPP 3.4 §5.2.28 has no "partly delivered": not every part reached the handset.
  partially_delivered: 5,
  canceled: 4, // DELETED
};

/** The command_status a refused submit is answered with. */
function statusOf(err: unknown): number {
  return err instanceof RejectedError ? err.smppStatus : CommandStatus.ESME_RSYSERR;
}

export class CustomerSmppServer {
  readonly server: SmppServer;
  /** The same server over TLS (`tls` given): customers bind on either, with the same rules. */
  readonly tlsServer: SmppServer | undefined;
  private readonly users = new WeakMap<Session, Promise<User | undefined>>();
  private readonly pumping = new Set<string>();
  private readonly again = new Set<string>();
  private sweep: NodeJS.Timeout | undefined;
  private readonly services: CustomerServerServices;
  private readonly logger: CustomerServerOptions['logger'];
  private readonly leases: CustomerBindLeases | undefined;

  constructor(
    private readonly gateway: Gateway,
    opts: CustomerServerOptions,
  ) {
    const { tlsListener, services, logger, loginGuard, maxBindsPerUser, cluster, ...given } = opts;
    const leases = cluster ? new CustomerBindLeases(cluster) : undefined;
    this.leases = leases;
    this.services = services ?? servicesOf(gateway);
    this.logger = logger;
    // The guard counts and locks out; the listener's own per-address lockout would count twice.
    const plain: SmppServerOptions = { ...given, lockout: false };
    const guard = loginGuard ?? new LoginGuard();
    const authenticate: SmppServerOptions['authenticate'] = async (r) => {
      // Unknown user, wrong password and lockout: one answer (ESME_RBINDFAIL), one scrypt.
      const { verdict, user } = await guard.login({
        door: 'smpp',
        address: r.remoteAddress,
        username: r.systemId,
        password: r.password,
        find: () => this.services.accounts.byName(r.systemId),
        hashOf: (u) => u.passwordHash,
      });
      if (verdict !== 'ok' || !user) return CommandStatus.ESME_RBINDFAIL;
      if (!user.enabled || !user.settings.authorizations.smppsBind) return CommandStatus.ESME_RBINDFAIL;
      if (user.group !== null && (await gateway.group(user.group))?.enabled === false)
        return CommandStatus.ESME_RBINDFAIL;
      // settings.access: the addresses it may bind from, and how many binds it may hold.
      if (!allowsAddress(user.settings.access, r.remoteAddress)) return CommandStatus.ESME_RBINDFAIL;
      const cap = user.settings.access.maxBinds ?? maxBindsPerUser ?? 10;
      if (cap > 0 && this.boundSessions(r.systemId).length >= cap) return CommandStatus.ESME_RBINDFAIL;
      // The same cap across the cluster's nodes: one lease per bind (a round trip per bind).
      if (cap > 0 && leases && !(await leases.acquire(r.systemId, cap))) return CommandStatus.ESME_RBINDFAIL;
      return true;
    };
    this.server = new SmppServer({ ...plain, authenticate });
    // No PROXY header on the TLS listener: Node's TLS server reads the handshake first.
    const { proxyProtocol: _proxy, ...forTls } = plain;
    this.tlsServer = tlsListener
      ? new SmppServer({ ...forTls, port: tlsListener.port, tls: tlsListener.tls, authenticate })
      : undefined;
    for (const server of this.servers()) server.on('session', (s: Session) => void this.onSession(s));
    gateway.on('outbox', (systemId: string) => void this.pump(systemId));
  }

  /** Listens on the plain port and, when configured, the TLS one; resolves with the plain port. */
  async listen(): Promise<number> {
    // Items whose retry time has come, and anything an event missed, are picked up here.
    this.sweep = setInterval(() => {
      for (const s of this.boundSessions())
        if (s.bindType !== 'transmitter' && s.systemId) void this.pump(s.systemId);
    }, 1000);
    this.sweep.unref();
    const port = await this.server.listen();
    await this.tlsServer?.listen();
    return port;
  }

  /** The plain listener's port (undefined before it listens). */
  get port(): number | undefined {
    return this.server.port;
  }

  /** The TLS listener's port (undefined without one). */
  get tlsPort(): number | undefined {
    return this.tlsServer?.port;
  }

  async close(): Promise<void> {
    if (this.sweep) clearInterval(this.sweep);
    await Promise.all(this.servers().map((s) => s.close()));
  }

  /**
   * Ends every bind of `systemId` (the admin API's "kick"): in-flight PDUs settle, unbind, the connection
   * closes. Messages it submitted are kept; receipts wait in its outbox. Resolves with how many.
   */
  async unbindUser(systemId: string): Promise<number> {
    const sessions = this.boundSessions(systemId);
    await Promise.all(sessions.map((s) => s.close(2000).catch(() => s.destroy())));
    return sessions.length;
  }

  /** The binds of `systemId` now: how it bound, from where, PDUs in flight (the admin API's list). */
  binds(systemId: string): { bindType: string; remote: string | null; inFlight: number }[] {
    return this.boundSessions(systemId).map((s) => ({
      bindType: s.bindType ?? 'unknown',
      remote: s.remoteAddress ?? null,
      inFlight: s.inFlight,
    }));
  }

  /** Customer binds on this node, every system_id (the cluster's load report). */
  bindCount(): number {
    return this.boundSessions().length;
  }

  private servers(): SmppServer[] {
    return this.tlsServer ? [this.server, this.tlsServer] : [this.server];
  }

  /** Bound sessions of a system_id (of every system_id when omitted), on either listener. */
  private boundSessions(systemId?: string): Session[] {
    return this.servers().flatMap((s) => s.boundSessions(systemId));
  }

  private async onSession(s: Session): Promise<void> {
    this.leases?.attach(s);
    // The listener goes on at once: a customer may send its first submit right after
    // bind_resp, before the account is read (a session without a listener answers RSYSERR).
    const pending = this.services.accounts.byName(s.systemId ?? '').catch((err: unknown) => {
      this.log('account lookup failed', s.systemId, err);
      return undefined;
    });
    this.users.set(s, pending);
    s.on('pdu', (pdu: Pdu) => void this.onPdu(s, pdu));
    const user = await pending;
    if (!user) return s.destroy();
    if (s.bindType !== 'transmitter') void this.pump(user.username);
  }

  /**
   * schedule_delivery_time and validity_period (SMPP 3.4 §7.1.1) as MessageMeta times;
   * data_sm has neither. A malformed field is refused with ESME_RINVSCHED / ESME_RINVEXPIRY.
   */
  private times(
    pdu: Extract<Pdu, { command: 'submit_sm' | 'data_sm' | 'submit_multi' }>,
  ): Pick<MessageMeta, 'scheduleAt' | 'validUntil'> {
    if (pdu.command === 'data_sm') return {};
    const now = Date.now();
    const out: Pick<MessageMeta, 'scheduleAt' | 'validUntil'> = {};
    try {
      const at = parseSmppTime(pdu.scheduleDeliveryTime, now);
      if (at) out.scheduleAt = at.at;
    } catch (err) {
      throw reject.invalidSchedule(err instanceof SmppTimeError ? err.message : String(err));
    }
    try {
      const until = parseSmppTime(pdu.validityPeriod, now);
      if (until) out.validUntil = until.at;
    } catch (err) {
      throw reject.invalidValidity(err instanceof SmppTimeError ? err.message : String(err));
    }
    return out;
  }

  private async onPdu(s: Session, pdu: Pdu): Promise<void> {
    const bound = await this.users.get(s);
    if (!bound) return;
    switch (pdu.command) {
      case 'submit_sm':
      case 'data_sm': {
        const body =
          pdu.command === 'submit_sm' && pdu.shortMessage.length > 0
            ? pdu.shortMessage
            : (pdu.tlvs.messagePayload ?? Buffer.alloc(0));
        try {
          const id = await this.submitTo(
            bound,
            pdu,
            pdu.destinationAddr,
            body,
            pdu.command === 'submit_sm' ? pdu.priorityFlag : 0,
          );
          s.respond(pdu, { messageId: id });
        } catch (err) {
          s.respond(pdu, { commandStatus: statusOf(err) });
        }
        return;
      }
      case 'submit_multi':
        return this.onSubmitMulti(s, bound, pdu);
      case 'query_sm': {
        const m = await this.services.messages.ofUser(bound.id, pdu.messageId);
        if (!m) return void s.respond(pdu, { commandStatus: CommandStatus.ESME_RQUERYFAIL });
        s.respond(pdu, { messageId: m.id, messageState: MESSAGE_STATE[m.state], errorCode: 0 });
        return;
      }
      case 'cancel_sm':
        return this.onCancel(s, bound, pdu);
      default:
        s.respond(pdu, { commandStatus: CommandStatus.ESME_RINVCMDID });
    }
  }

  /**
   * One message into the gateway, answered only after it is committed. Settings changed
   * since the bind apply (cached for a second); the balance and quota check and debit
   * happen in the store's transaction.
   */
  private async submitTo(
    bound: User,
    pdu: Extract<Pdu, { command: 'submit_sm' | 'data_sm' | 'submit_multi' }>,
    destination: string,
    body: Buffer,
    priority: number,
    smppMessageId?: string,
  ): Promise<string> {
    const user = (await this.gateway.currentUser(bound.username)) ?? bound;
    return this.gateway.submit(
      user,
      draftOf({
        systemId: user.username,
        origin: 'smpp',
        from: pdu.sourceAddr,
        to: destination,
        // The bytes as received (a copy: the PDU's buffer is the framer's), UDH and all.
        content: { body: Buffer.from(body), dataCoding: pdu.dataCoding },
        esmClass: pdu.esmClass,
        registeredDelivery: pdu.registeredDelivery,
        priority,
        ...this.times(pdu),
        ...(smppMessageId !== undefined ? { smppMessageId } : {}),
      }),
    );
  }

  /**
   * submit_multi (SMPP 3.4 §4.5): one message per SME address, each routed, charged and
   * tracked on its own. The response carries one message_id, that of the first destination
   * accepted; the others' receipts carry it too (told apart by their source_addr, the
   * recipient, as the spec has it), and query_sm on it answers for that first message. A
   * destination refused (bad number, no route, no balance…) is listed in unsuccess_sme with
   * its own status and does not stop the rest; distribution lists are not kept here, so a
   * list name is refused with ESME_RINVDLNAME. Nothing accepted: the first refusal's status.
   */
  private async onSubmitMulti(
    s: Session,
    bound: User,
    pdu: Extract<Pdu, { command: 'submit_multi' }>,
  ): Promise<void> {
    if (pdu.destAddresses.length === 0)
      return void s.respond(pdu, { commandStatus: CommandStatus.ESME_RINVNUMDESTS });
    const body =
      pdu.shortMessage.length > 0 ? pdu.shortMessage : (pdu.tlvs.messagePayload ?? Buffer.alloc(0));
    const unsuccess: { ton: number; npi: number; addr: string; errorStatusCode: number }[] = [];
    const refuse = (ton: number, npi: number, addr: string, status: number) =>
      unsuccess.push({ ton, npi, addr, errorStatusCode: status });
    const smes: { ton: number; npi: number; addr: string }[] = [];
    for (const d of pdu.destAddresses) {
      if (d.kind === 'sme') smes.push(d);
      else refuse(0, 0, d.name.slice(0, 20), CommandStatus.ESME_RINVDLNAME);
    }
    let first: string | undefined;
    // The first in order gives the submission its id; the rest go in together (one group commit).
    let i = 0;
    for (; i < smes.length && first === undefined; i++) {
      const d = smes[i];
      try {
        first = await this.submitTo(bound, pdu, d.addr, body, pdu.priorityFlag);
      } catch (err) {
        refuse(d.ton, d.npi, d.addr, statusOf(err));
      }
    }
    const rest = smes.slice(i);
    await Promise.all(
      rest.map((d) =>
        this.submitTo(bound, pdu, d.addr, body, pdu.priorityFlag, first).catch(
          (err: unknown) => void refuse(d.ton, d.npi, d.addr, statusOf(err)),
        ),
      ),
    );
    if (first === undefined)
      return void s.respond(pdu, {
        commandStatus: unsuccess[0]?.errorStatusCode ?? CommandStatus.ESME_RSUBMITFAIL,
      });
    s.respond(pdu, { messageId: first, unsuccessSmes: unsuccess });
  }

  /**
   * cancel_sm (SMPP 3.4 §4.9): a message not yet sent is taken back (ends `canceled`,
   * refunded, its receipt stat DELETED when one was asked for). By message_id; or, with an
   * empty message_id, every message of this account from source_addr to destination_addr
   * still waiting. ESME_RINVMSGID: no such message of this account; ESME_RCANCELFAIL: it has
   * gone out (or is going) already, or nothing matched.
   */
  private async onCancel(
    s: Session,
    bound: User,
    pdu: Extract<Pdu, { command: 'cancel_sm' }>,
  ): Promise<void> {
    try {
      if (pdu.messageId !== '') {
        const r = await this.gateway.cancel(bound, pdu.messageId, 'cancel_sm');
        return void s.respond(pdu, {
          commandStatus:
            r === 'canceled'
              ? CommandStatus.ESME_ROK
              : r === 'not_found'
                ? CommandStatus.ESME_RINVMSGID
                : CommandStatus.ESME_RCANCELFAIL,
        });
      }
      const waiting = await this.services.messages.list({
        userId: bound.id,
        source: pdu.sourceAddr,
        destination: pdu.destinationAddr,
        state: 'queued',
        limit: 1000,
      });
      const outcomes = await Promise.all(waiting.map((m) => this.gateway.cancel(bound, m.id, 'cancel_sm')));
      s.respond(pdu, {
        commandStatus: outcomes.includes('canceled')
          ? CommandStatus.ESME_ROK
          : CommandStatus.ESME_RCANCELFAIL,
      });
    } catch (err) {
      this.log('cancel_sm failed', s.systemId, err);
      s.respond(pdu, { commandStatus: CommandStatus.ESME_RSYSERR });
    }
  }

  /** Delivers held receipts and MOs to a receiving bind of `systemId`. */
  private async pump(systemId: string): Promise<void> {
    if (this.pumping.has(systemId)) {
      this.again.add(systemId); // new items arrived while we pump: look once more before stopping
      return;
    }
    this.pumping.add(systemId);
    try {
      for (;;) {
        const session = this.boundSessions(systemId).find((x) => x.bindType !== 'transmitter');
        if (!session) return;
        this.again.delete(systemId);
        const notices = await this.services.outbox.claim(systemId);
        if (notices.length === 0) {
          if (this.again.has(systemId)) continue;
          return;
        }
        await Promise.all(notices.map((n) => this.deliver(session, n)));
      }
    } catch (err) {
      // The claim failed (the store unreachable): the sweep tries again within a second.
      this.log('reading the outbox failed', systemId, err);
    } finally {
      this.pumping.delete(systemId);
    }
  }

  /**
   * One notice as deliver_sm; it leaves the outbox once acknowledged, else comes back later.
   * Settling it may fail too (the store unreachable): logged, and its lease returns it.
   */
  private async deliver(session: Session, notice: CustomerNotice): Promise<void> {
    try {
      await this.deliverOnce(session, notice);
    } catch (err) {
      this.log(
        `settling a${notice.kind === 'mo' ? 'n MO' : ' receipt'} in the outbox failed`,
        session.systemId,
        err,
      );
    }
  }

  private async deliverOnce(session: Session, notice: CustomerNotice): Promise<void> {
    try {
      await session.deliverSm(notice.kind === 'mo' ? moPdu(notice.mo) : receiptPdu(notice.receipt));
    } catch (err) {
      this.log(
        `deliver_sm of a${notice.kind === 'mo' ? 'n MO' : ' receipt'} failed; retried later`,
        session.systemId,
        err,
      );
      await this.services.outbox.failed(notice);
      return;
    }
    await this.services.outbox.delivered(notice);
  }

  private log(what: string, systemId: string | undefined, err: unknown): void {
    this.logger?.warn({ systemId, err }, `customer smpp: ${what}`);
  }
}

/** An MO as deliver_sm: the payload TLV when it does not fit short_message (SMPP 3.4 §5.3.2.32). */
function moPdu(mo: CustomerMo): DeliverSmFields {
  const body = Buffer.from(mo.body, 'base64');
  return {
    sourceAddr: mo.source,
    sourceAddrTon: 1,
    sourceAddrNpi: 1,
    destinationAddr: mo.destination,
    dataCoding: mo.dataCoding,
    shortMessage: body.length <= 254 ? body : Buffer.alloc(0),
    tlvs: body.length <= 254 ? {} : { messagePayload: body },
  };
}

/** A receipt as deliver_sm: esm_class 0x04, the receipt text and its TLVs (SMPP 3.4 Appendix B). */
function receiptPdu(r: CustomerReceipt): DeliverSmFields {
  const stat = (r.stat.length === 7 ? r.stat : 'UNDELIV') as ReceiptStat;
  return {
    sourceAddr: r.destination,
    destinationAddr: r.source,
    esmClass: 0x04,
    shortMessage: Buffer.from(
      formatReceiptText({
        id: r.messageId,
        sub: r.parts?.total ?? 1,
        dlvrd: r.parts?.delivered ?? (r.state === 'delivered' ? 1 : 0),
        submitDate: new Date(r.submitDate),
        doneDate: new Date(r.doneDate),
        stat,
        err: r.err,
        text: '',
      }),
      'latin1',
    ),
    tlvs: { receiptedMessageId: r.messageId, messageState: messageStateOf(stat) },
  };
}
