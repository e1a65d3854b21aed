/**
 * The MMSC simulator: an MMS relay/server speaking MM7 for development, demos and tests. It
 * accepts SubmitReq (basic auth checked, envelope parsed and limited), answers SubmitRsp with a
 * MessageID and 1000, or a scripted status, Fault or delay; then, when the submit asked for
 * one, POSTs a DeliveryReportReq per recipient to the VASP's URL (Retrieved unless a script
 * says otherwise); and sends a DeliverReq (an inbound MMS) to the VASP on demand. Scripts go
 * by recipient prefix, first match wins, as the SMSC simulator's (src/simulator/simulator.ts).
 *
 * It lives in mm7/ rather than simulator/: simulator/ is part of the dependency-free
 * @hermod/smpp package, and this one needs mm7's XML and MIME dependencies.
 */
import { EventEmitter } from 'node:events';
import { Mm7Client } from './client.js';
import { errorResponse, responseTo, status, type Mm7Request } from './answer.js';
import type { Mm7Limits } from './envelope.js';
import { Mm7Status, type MmStatus } from './status.js';
import type {
  Attachment,
  DeliverRsp,
  DeliveryReportRsp,
  Mm7Address,
  Mm7Message,
  SubmitReq,
} from './types.js';
import { startMm7Server, type Credentials, type Mm7Server } from './server.js';

export interface MmscScriptRule {
  /** Recipient prefix the rule applies to (digits, no '+'). */
  readonly prefix: string;
  /** Answer the SubmitRsp with this status; outside 1xxx the message is refused (no report). */
  readonly status?: number;
  /** Answer with a SOAP Fault (RSErrorRsp) carrying `status` (default 3000) instead. */
  readonly fault?: boolean;
  /** MMStatus of the delivery report (default Retrieved). */
  readonly outcome?: MmStatus;
  /** Wait this long before answering the submit (past the client's deadline, to test it). */
  readonly delayMs?: number;
  /** Applies to the first `times` matching submits only, then falls through. */
  readonly times?: number;
}

export interface MmscSimulatorOptions {
  readonly host?: string;
  readonly port?: number;
  /** VASPs allowed to submit; absent: anyone. */
  readonly credentials?: readonly Credentials[];
  /** The VASP's MM7 URL, for delivery reports and DeliverReq. */
  readonly vaspUrl?: string;
  /** How the simulator authenticates to the VASP. */
  readonly vaspCredentials?: Credentials;
  /** Delay before each delivery report, ms (default 0). */
  readonly reportDelayMs?: number;
  readonly scripts?: readonly MmscScriptRule[];
  readonly limits?: Mm7Limits;
  /** MM7 namespace of what it sends (default REL-6-MM7-1-4); answers use the request's. */
  readonly namespace?: string;
  /** MMSRelayServerID it writes (default hermod-mmsc). */
  readonly relayServerId?: string;
  /** Deadline of its own requests to the VASP, ms (default 10 000). */
  readonly timeoutMs?: number;
}

export interface SubmittedMms {
  readonly messageId: string | undefined;
  readonly request: SubmitReq;
  /** The status the submit was answered with. */
  readonly status: number;
}

export interface SentReport {
  readonly messageId: string;
  readonly recipient: Mm7Address;
  readonly mmStatus: MmStatus;
  readonly response?: DeliveryReportRsp;
  readonly error?: Error;
}

export interface MmscStats {
  submits: number;
  refused: number;
  reports: number;
  reportErrors: number;
  delivers: number;
}

interface MmscEvents {
  submit: [SubmittedMms];
  report: [SentReport];
}

/** A recipient's digits: no '+', no `/TYPE=PLMN` suffix. */
function digits(a: Mm7Address): string {
  return a.value.replace(/\/TYPE=.*$/i, '').replace(/^\+/, '');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class MmscSimulator extends EventEmitter<MmscEvents> {
  readonly stats: MmscStats = { submits: 0, refused: 0, reports: 0, reportErrors: 0, delivers: 0 };
  /** Every submit received, in order. */
  readonly submitted: SubmittedMms[] = [];
  /** Every delivery report sent, in order, with the VASP's answer. */
  readonly reports: SentReport[] = [];
  private server: Mm7Server | undefined;
  private vasp: Mm7Client | undefined;
  private readonly ruleHits = new Map<MmscScriptRule, number>();
  private readonly pending = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private nextId = 1;
  private closing = false;

  private constructor(private readonly opts: MmscSimulatorOptions) {
    super();
    if (opts.vaspUrl !== undefined) this.setVasp(opts.vaspUrl, opts.vaspCredentials);
  }

  /**
   * Where reports and inbound MMS go from now on: a VASP that listens after the simulator
   * (Hermod's demo learns its own port once started).
   */
  setVasp(url: string, credentials?: Credentials): void {
    this.vasp = new Mm7Client({
      url,
      username: credentials?.username,
      password: credentials?.password,
      namespace: this.opts.namespace,
      timeoutMs: this.opts.timeoutMs ?? 10_000,
    });
  }

  static async start(opts: MmscSimulatorOptions = {}): Promise<MmscSimulator> {
    const sim = new MmscSimulator(opts);
    sim.server = await startMm7Server({
      host: opts.host,
      port: opts.port,
      role: 'relay',
      credentials: opts.credentials,
      limits: opts.limits,
      handle: (req) => sim.handle(req),
    });
    return sim;
  }

  /** The URL VASPs submit to. */
  get url(): string {
    if (!this.server) throw new Error('MmscSimulator: not started');
    return this.server.url;
  }

  private ruleFor(req: SubmitReq): MmscScriptRule | undefined {
    const all = [...req.recipients.to, ...(req.recipients.cc ?? []), ...(req.recipients.bcc ?? [])];
    const rule = this.opts.scripts?.find(
      (r) =>
        all.some((a) => digits(a).startsWith(r.prefix)) &&
        (r.times === undefined || (this.ruleHits.get(r) ?? 0) < r.times),
    );
    if (rule) this.ruleHits.set(rule, (this.ruleHits.get(rule) ?? 0) + 1);
    return rule;
  }

  private async handle(req: Mm7Request): Promise<Mm7Message> {
    if (req.kind !== 'SubmitReq')
      return errorResponse(
        'relay',
        req.transactionId,
        Mm7Status.UNSUPPORTED_OPERATION,
        `an MMSC does not take ${req.kind}`,
      );
    this.stats.submits++;
    const rule = this.ruleFor(req);
    if (rule?.delayMs) await sleep(rule.delayMs);
    const code = rule?.status ?? (rule?.fault ? Mm7Status.SERVER_ERROR : Mm7Status.SUCCESS);
    if (rule?.fault || Math.floor(code / 1000) !== 1) {
      this.stats.refused++;
      this.record({ messageId: undefined, request: req, status: code });
      return rule?.fault
        ? errorResponse('relay', req.transactionId, code, 'scripted fault', req.version)
        : responseTo(req, status(code));
    }
    const messageId = `mmsc-${(this.nextId++).toString(16).padStart(8, '0')}`;
    this.record({ messageId, request: req, status: code });
    if (req.deliveryReport) this.scheduleReports(req, messageId, rule?.outcome ?? 'Retrieved');
    return responseTo(req, status(code), { messageId });
  }

  private record(s: SubmittedMms): void {
    this.submitted.push(s);
    this.emit('submit', s);
  }

  private scheduleReports(req: SubmitReq, messageId: string, mmStatus: MmStatus): void {
    if (!this.vasp) return;
    const all = [...req.recipients.to, ...(req.recipients.cc ?? []), ...(req.recipients.bcc ?? [])];
    for (const recipient of all) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.track(this.sendReport(req, messageId, recipient, mmStatus));
      }, this.opts.reportDelayMs ?? 0);
      this.timers.add(timer);
    }
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private async sendReport(
    req: SubmitReq,
    messageId: string,
    recipient: Mm7Address,
    mmStatus: MmStatus,
  ): Promise<void> {
    if (this.closing || !this.vasp) return;
    let report: SentReport;
    try {
      const response = await this.vasp.deliveryReport({
        mmsRelayServerId: this.opts.relayServerId ?? 'hermod-mmsc',
        messageId,
        recipient,
        sender: req.sender ?? { kind: 'shortCode', value: req.vasId ?? req.vaspId ?? 'vasp' },
        date: new Date().toISOString(),
        mmStatus,
      });
      this.stats.reports++;
      report = { messageId, recipient, mmStatus, response };
    } catch (err) {
      this.stats.reportErrors++;
      report = { messageId, recipient, mmStatus, error: err as Error };
    }
    this.reports.push(report);
    this.emit('report', report);
  }

  /** Sends an inbound MMS (DeliverReq) to the VASP; resolves with its DeliverRsp. */
  async deliver(mms: {
    from: Mm7Address;
    to: Mm7Address[];
    subject?: string;
    parts: Attachment[];
    /** Content-ID of a SMIL part among `parts`, making the content multipart/related. */
    start?: string;
    linkedId?: string;
  }): Promise<DeliverRsp> {
    if (!this.vasp) throw new Error('MmscSimulator: no vaspUrl to deliver to');
    const rsp = await this.vasp.deliver({
      mmsRelayServerId: this.opts.relayServerId ?? 'hermod-mmsc',
      sender: mms.from,
      recipients: { to: mms.to },
      timeStamp: new Date().toISOString(),
      ...(mms.linkedId !== undefined && { linkedId: mms.linkedId }),
      ...(mms.subject !== undefined && { subject: mms.subject }),
      content: { parts: mms.parts, ...(mms.start !== undefined && { start: mms.start }) },
    });
    this.stats.delivers++;
    return rsp;
  }

  /** Stops listening, drops reports not yet due, and waits for those under way. */
  async close(): Promise<void> {
    this.closing = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.pending]);
    await this.server?.close();
  }
}
