/**
 * An operator's MMSC over MM7 (3GPP TS 23.140, SOAP over HTTP): Hermod is the VASP. An MMS
 * (a message with media) goes out whole as one SubmitReq built from its media (bytes from
 * the media library), its text and a SMIL presentation; the SubmitRsp's MessageID is the
 * upstream id its delivery reports name. The MMSC calls back on Hermod's REST port at
 * `/v1/hooks/connectors/{id}/mm7` (basic auth): DeliveryReportReq → a receipt,
 * ReadReplyReq → acknowledged, DeliverReq → an inbound MMS stored with its media.
 *
 * Outcomes: a 1xxx status → accepted; the status table's temporary codes (3000, 3001, 4000,
 * 4005, 4006…), HTTP 408/429/5xx without a SOAP answer, timeouts and connection errors →
 * transient (retried); every other status → permanent (failover, else failed).
 */
import {
  DEFAULT_LIMITS,
  MM7_NAMESPACES,
  Mm7Client,
  Mm7RequestError,
  answerMm7,
  authorised,
  errorResponse,
  faultAnswer,
  Mm7Status,
  type Mm7Limits,
  type Mm7Schema,
  type SubmitReq,
} from '../mm7/index.js';
import type { Receipt } from '../smpp/index.js';
import { bodyText, isMms, type Capability, type StoredMessage } from '../domain/index.js';
import type {
  Connector,
  ConnectorFailure,
  ConnectorStatus,
  InboundHttpAnswer,
  InboundHttpRequest,
  InboundPdu,
  MediaLibrary,
  SubmitOutcome,
} from '../gateway/index.js';
import { HermodError } from '../lib/errors.js';
import { RateMeter } from './rate-meter.js';
import { RequestPacer } from './request-pacer.js';
import { mm7Address, submitContent, type MediaPart } from './mm7-content.js';
import { VaspEndpoint, type VaspCounters } from './mm7-vasp.js';

export interface Mm7ConnectorOptions {
  /** Total media bytes of one MMS it takes (Connector.mmsMaxBytes). */
  mmsMaxBytes?: number;
  /** The MMSC's MM7 URL. */
  url: string;
  /** HTTP basic authentication towards the MMSC. */
  username?: string;
  password?: string;
  vaspId?: string;
  vasId?: string;
  serviceCode?: string;
  /** The MM7 schema spoken (default REL-6-MM7-1-4). */
  version: Mm7Schema;
  /** SOAPAction header (default `""`). */
  soapAction?: string;
  timeoutMs: number;
  /** Submits in flight at most. */
  window: number;
  /** Submits per second at most; undefined = unlimited. */
  throughput?: number;
  /** Ask the MMSC for delivery reports (default true). */
  deliveryReport: boolean;
  /** What the MMSC must send to call Hermod back (basic auth); absent: nothing is taken. */
  inbound?: { username: string; password: string };
  /** The largest MM7 body taken or read, bytes (default 8 MiB). */
  maxBytes: number;
  dlrExpiryMs?: number;
}

/** Why a message cannot go over MM7 before anything is sent (permanent). */
export class Mm7SubmitError extends HermodError implements ConnectorFailure {
  readonly transient = false;
}

/** A failure the dispatcher reads: the MM7 error's text, retried when the MMSC may take it later. */
function failureOf(err: unknown, url: string): ConnectorFailure {
  if (err instanceof Mm7RequestError) {
    const f = new Error(err.message, { cause: err }) as ConnectorFailure & { code: string };
    f.code = err.code;
    f.transient = err.outcome === 'temporary';
    if (err.mm7Status !== undefined) f.status = err.mm7Status;
    return f;
  }
  const f = new Error(`MM7 ${new URL(url).host}: ${(err as Error).message}`, {
    cause: err,
  }) as ConnectorFailure;
  f.transient = true;
  return f;
}

export class Mm7Connector implements Connector {
  readonly type = 'mm7';
  readonly capabilities: readonly Capability[] = ['mms'];
  readonly mmsMaxBytes: number | undefined;
  /** An MMS goes out whole: never split. */
  readonly split = 'payload' as const;
  readonly dlrExpiryMs: number | undefined;
  readonly inboundBodyLimit: number;
  private started = false;
  private inFlight = 0;
  private readonly client: Mm7Client;
  private readonly limits: Mm7Limits;
  private readonly meter = new RateMeter();
  private readonly pacer: RequestPacer;
  private readonly counts: ConnectorStatus['counters'] & VaspCounters = {
    submits: 0,
    submitted: 0,
    errors: 0,
    receipts: 0,
    mos: 0,
    binds: 0,
    disconnects: 0,
    throttled: 0,
    readReplies: 0,
  };
  private lastError: string | null = null;
  private readonly remote: string;
  private readonly vasp: VaspEndpoint;

  constructor(
    readonly id: string,
    private readonly opts: Mm7ConnectorOptions,
    private readonly deps: { media?: MediaLibrary | undefined } = {},
  ) {
    this.dlrExpiryMs = opts.dlrExpiryMs;
    this.mmsMaxBytes = opts.mmsMaxBytes;
    this.pacer = new RequestPacer(opts.throughput);
    this.inboundBodyLimit = opts.maxBytes;
    this.limits = { ...DEFAULT_LIMITS, maxBytes: opts.maxBytes };
    this.remote = new URL(opts.url).host;
    this.client = new Mm7Client({
      url: opts.url,
      ...(opts.username !== undefined ? { username: opts.username, password: opts.password ?? '' } : {}),
      timeoutMs: opts.timeoutMs,
      namespace: MM7_NAMESPACES[opts.version].uri,
      ...(opts.soapAction !== undefined ? { soapAction: opts.soapAction } : {}),
      limits: this.limits,
    });
    this.vasp = new VaspEndpoint(id, this.counts, deps.media);
  }

  get ready(): boolean {
    return this.started;
  }

  get capacity(): number {
    return this.opts.window;
  }

  status(): ConnectorStatus {
    return {
      id: this.id,
      type: this.type,
      state: this.started ? 'bound' : 'stopped',
      bound: this.started,
      remote: this.remote,
      window: { inUse: this.inFlight, size: this.opts.window },
      throughput: { perSecond: this.meter.perSecond(), limit: this.opts.throughput ?? null },
      counters: {
        submits: this.counts.submits,
        submitted: this.counts.submitted,
        errors: this.counts.errors,
        receipts: this.counts.receipts,
        mos: this.counts.mos,
        binds: this.counts.binds,
        disconnects: this.counts.disconnects,
        throttled: this.counts.throttled,
      },
      lastError: this.lastError,
    };
  }

  async start(): Promise<void> {
    this.started = true;
  }

  async stop(): Promise<void> {
    this.started = false;
  }

  onReceipt(handler: (r: Receipt) => Promise<void>): void {
    this.vasp.onReceipt = handler;
  }

  onMo(handler: (mo: InboundPdu) => Promise<void>): void {
    this.vasp.onMo = handler;
  }

  /** Submits the whole MMS as one SubmitReq; resolves with the MMSC's MessageID. */
  async submit(m: StoredMessage): Promise<SubmitOutcome> {
    if (!this.started) throw failureOf(new Error(`connector ${this.id} is stopped`), this.opts.url);
    const req = await this.requestOf(m);
    await this.pacer.wait(() => this.counts.throttled++);
    this.counts.submits++;
    this.meter.add();
    this.inFlight++;
    try {
      const rsp = await this.client.submit(req);
      if (!rsp.messageId)
        // Accepted without an id: its reports cannot be matched; resending could send twice.
        throw new Mm7SubmitError(
          'HERMOD_ERR_MM7_NO_MESSAGE_ID',
          `MM7: SubmitRsp ${rsp.status.code} without a MessageID`,
        );
      this.counts.submitted++;
      this.lastError = null;
      return { upstreamId: rsp.messageId };
    } catch (err) {
      this.counts.errors++;
      const f = err instanceof Mm7SubmitError ? err : failureOf(err, this.opts.url);
      this.lastError = f.message;
      throw f;
    } finally {
      this.inFlight--;
    }
  }

  /** The SubmitReq of a message: its recipient, sender, subject, media, text and the VASP's ids. */
  private async requestOf(m: StoredMessage): Promise<Omit<SubmitReq, 'kind' | 'transactionId' | 'version'>> {
    if (!isMms(m))
      throw new Mm7SubmitError(
        'HERMOD_ERR_MM7_NOT_MMS',
        `connector ${this.id} (MM7) carries MMS only: message ${m.id} has no media`,
      );
    const media = this.deps.media;
    if (!media)
      throw new Mm7SubmitError(
        'HERMOD_ERR_MM7_NO_MEDIA',
        `connector ${this.id} was built without a media library`,
      );
    const items: MediaPart[] = [];
    for (const ref of m.meta.media ?? []) {
      let bytes: Buffer;
      try {
        ({ bytes } = await media.get(ref.id));
      } catch (err) {
        // A disk that fails to read now may read later; an item that is gone never will.
        if ((err as { code?: string }).code !== 'HERMOD_ERR_MEDIA_NOT_FOUND')
          throw failureOf(err, this.opts.url);
        throw new Mm7SubmitError(
          'HERMOD_ERR_MM7_NO_MEDIA',
          `MM7: media ${ref.id} of message ${m.id}: ${(err as Error).message}`,
          {
            cause: err,
          },
        );
      }
      items.push({
        contentType: ref.contentType,
        bytes,
        ...(ref.filename ? { filename: ref.filename } : {}),
      });
    }
    const o = this.opts;
    return {
      ...(o.vaspId !== undefined ? { vaspId: o.vaspId } : {}),
      ...(o.vasId !== undefined ? { vasId: o.vasId } : {}),
      ...(m.source ? { sender: mm7Address(m.source) } : {}),
      recipients: { to: [mm7Address(m.destination)] },
      ...(o.serviceCode !== undefined ? { serviceCode: o.serviceCode } : {}),
      ...(m.meta.validUntil !== undefined ? { expiryDate: new Date(m.meta.validUntil).toISOString() } : {}),
      deliveryReport: o.deliveryReport,
      ...(m.meta.subject ? { subject: m.meta.subject } : {}),
      content: submitContent(items, bodyText(m) ?? ''),
    };
  }

  /** The MMSC's requests to Hermod (`/v1/hooks/connectors/{id}/mm7`): basic auth, then answerMm7. */
  async inboundHttp(req: InboundHttpRequest): Promise<InboundHttpAnswer> {
    if (req.kind !== 'mm7')
      return {
        status: 404,
        contentType: 'text/plain',
        body: `connector ${this.id} takes mm7, not "${req.kind}"`,
      };
    if (req.method !== 'POST')
      return { status: 405, contentType: 'text/plain', body: 'MM7 is POST only', headers: { allow: 'POST' } };
    const auth = req.headers.authorization;
    const inbound = this.opts.inbound;
    if (!inbound || !authorised(typeof auth === 'string' ? auth : undefined, [inbound])) {
      const why = inbound
        ? 'basic authentication refused'
        : `connector ${this.id} has no inbound credentials`;
      const fault = faultAnswer(
        errorResponse('vasp', 'unknown', Mm7Status.IMPROPER_IDENTIFICATION, why),
        undefined,
        401,
      );
      return { ...fault, headers: { 'www-authenticate': 'Basic realm="mm7"' } };
    }
    const contentType = req.headers['content-type'];
    const answer = await answerMm7(
      { contentType: typeof contentType === 'string' ? contentType : '', body: req.body },
      (r) => this.vasp.handle(r),
      { role: 'vasp', limits: this.limits },
    );
    return answer;
  }
}
