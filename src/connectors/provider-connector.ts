/**
 * What the Telnyx and Twilio connectors share (docs/providers.md): a window and a
 * throughput cap, counters for status, the provider's answers mapped to retry or fail like
 * the http connector (429, 5xx, timeouts and connection errors transient; other 4xx
 * permanent), media handed out as signed URLs of the media library, and inbound messages
 * (with media fetched into the library) handed to the gateway. Each subclass speaks its
 * provider's request, answer and webhook shapes and checks its signature.
 */
import type { Receipt } from '../smpp/index.js';
import { chooseEncoding, dataCodingOf, decodeText, encodeText } from '../smpp/index.js';
import type { Capability, MediaRef, OutboundPart, StoredMessage } from '../domain/index.js';
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
import { RateMeter } from './rate-meter.js';
import { RequestPacer } from './request-pacer.js';

export interface ProviderConnectorOptions {
  /** Total media bytes of one MMS it takes (Connector.mmsMaxBytes). */
  mmsMaxBytes?: number;
  /** The provider's API origin (tests and the simulator: http://127.0.0.1:port). */
  baseUrl: string;
  /** Requests in flight at most (the connector's window). */
  window: number;
  /** Requests per second at most; undefined = unlimited. */
  throughput?: number;
  timeoutMs: number;
  dlrExpiryMs?: number;
  /**
   * Where the provider reaches this Hermod's REST port (scheme, host, port and any path
   * prefix a proxy strips): the connector's webhook URL is
   * `<hookBaseUrl>/v1/hooks/connectors/<id>/<type>`.
   */
  hookBaseUrl?: string;
  /** How long the signed media URLs handed to the provider stay valid (seconds). */
  mediaUrlTtlS: number;
  /** The media library: signs the URLs of an MMS's media and keeps inbound media. */
  media?: MediaLibrary | undefined;
  /** The clock (ms), for tests of the timestamp window. */
  now?: () => number;
}

const TRANSIENT_STATUS = (s: number) => s === 408 || s === 429 || s >= 500;

export function failure(message: string, transient: boolean, status?: number): ConnectorFailure {
  const e = new Error(message) as ConnectorFailure;
  e.transient = transient;
  if (status !== undefined) e.status = status;
  return e;
}

/** A number as providers want it (+E.164); an alphanumeric sender or a short code as written. */
export function e164(address: string): string {
  return /^\d{7,15}$/.test(address) ? `+${address}` : address;
}

/** A provider's address as Hermod keeps it (digits without `+`). */
export function plain(address: string): string {
  return address.replace(/^\+/, '');
}

export function answer(status: number, body: string, contentType = 'text/plain'): InboundHttpAnswer {
  return { status, contentType, body };
}

export abstract class ProviderConnector implements Connector {
  abstract readonly type: string;
  readonly capabilities: readonly Capability[] = ['sms', 'mms'];
  readonly mmsMaxBytes: number | undefined;
  /** The provider takes the whole text in one request: never split into parts. */
  readonly split = 'payload' as const;
  /** Room for an inbound webhook's JSON or form (media come by URL, not in the body). */
  readonly inboundBodyLimit = 256 * 1024;
  readonly dlrExpiryMs: number | undefined;
  protected started = false;
  protected receiptHandler: ((r: Receipt) => Promise<void>) | undefined;
  protected moHandler: ((mo: InboundPdu) => Promise<void>) | undefined;
  protected readonly counts = {
    submits: 0,
    submitted: 0,
    errors: 0,
    receipts: 0,
    mos: 0,
    binds: 0,
    disconnects: 0,
    throttled: 0,
  };
  protected lastError: string | null = null;
  protected readonly now: () => number;
  private inFlight = 0;
  private readonly meter = new RateMeter();
  private readonly pacer: RequestPacer;

  constructor(
    readonly id: string,
    protected readonly base: ProviderConnectorOptions,
  ) {
    this.dlrExpiryMs = base.dlrExpiryMs;
    this.mmsMaxBytes = base.mmsMaxBytes;
    this.pacer = new RequestPacer(base.throughput);
    this.now = base.now ?? Date.now;
  }

  get ready(): boolean {
    return this.started;
  }

  get capacity(): number {
    return this.base.window;
  }

  /** Where the provider sends this connector's webhooks; undefined without `hookBaseUrl`. */
  get hookUrl(): string | undefined {
    const b = this.base.hookBaseUrl;
    return b === undefined
      ? undefined
      : `${b.replace(/\/+$/, '')}/v1/hooks/connectors/${encodeURIComponent(this.id)}/${this.type}`;
  }

  status(): ConnectorStatus {
    return {
      id: this.id,
      type: this.type,
      state: this.started ? 'bound' : 'stopped',
      bound: this.started,
      remote: new URL(this.base.baseUrl).host,
      window: { inUse: this.inFlight, size: this.base.window },
      throughput: { perSecond: this.meter.perSecond(), limit: this.base.throughput ?? null },
      counters: { ...this.counts },
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
    this.receiptHandler = handler;
  }

  onMo(handler: (mo: InboundPdu) => Promise<void>): void {
    this.moHandler = handler;
  }

  async submit(m: StoredMessage, part?: OutboundPart): Promise<SubmitOutcome> {
    if (!this.started) throw failure(`connector ${this.id} is stopped`, true);
    const mediaUrls = this.mediaUrls(m.meta.media ?? []);
    await this.pacer.wait(() => this.counts.throttled++);
    this.counts.submits++;
    this.meter.add();
    this.inFlight++;
    try {
      const upstreamId = await this.send(m, this.textOf(m, part), mediaUrls);
      this.counts.submitted++;
      this.lastError = null;
      return { upstreamId };
    } catch (err) {
      this.counts.errors++;
      this.lastError = (err as Error).message;
      throw err;
    } finally {
      this.inFlight--;
    }
  }

  abstract inboundHttp(req: InboundHttpRequest): Promise<InboundHttpAnswer>;

  /** One request to the provider for `m`; resolves to the provider's id for it. */
  protected abstract send(m: StoredMessage, text: string, mediaUrls: string[]): Promise<string>;

  /** The provider's answer body as JSON; its status mapped to a failure when not 2xx. */
  protected async call(
    path: string,
    init: RequestInit,
    what: string,
  ): Promise<{ status: number; body: unknown }> {
    const url = `${this.base.baseUrl.replace(/\/+$/, '')}${path}`;
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, { ...init, signal: AbortSignal.timeout(this.base.timeoutMs) });
      text = await res.text();
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      throw failure(
        `${what}: ${e.name === 'TimeoutError' ? `no answer within ${this.base.timeoutMs} ms` : (e.cause?.code ?? e.message)}`,
        true,
      );
    }
    if (res.status < 200 || res.status > 299)
      throw failure(
        `${what}: the provider answered ${res.status}: ${text.slice(0, 300)}`,
        TRANSIENT_STATUS(res.status),
        res.status,
      );
    try {
      return { status: res.status, body: JSON.parse(text) as unknown };
    } catch {
      // Accepted but unreadable: no id to match its reports; resending could send twice.
      throw failure(
        `${what}: the provider answered ${res.status} with no JSON: ${text.slice(0, 200)}`,
        false,
        res.status,
      );
    }
  }

  /** Hands a receipt to the gateway (stored before the provider gets its 2xx). */
  protected async receipt(r: Receipt): Promise<InboundHttpAnswer | undefined> {
    if (!this.receiptHandler) return answer(503, 'not ready: retry');
    await this.receiptHandler(r);
    this.counts.receipts++;
    return undefined;
  }

  /**
   * An inbound SMS or MMS: its media downloaded (through the library's SSRF guard) and
   * stored with no owner, then the MO handed to the gateway. A URL that cannot be fetched
   * now is answered 503 (the provider retries); bytes an MMS may not carry are left out.
   */
  protected async inbound(
    from: string,
    to: string,
    text: string,
    urls: readonly string[],
    /** An inbound MMS's subject, when the provider gives one. */
    subject?: string,
  ): Promise<InboundHttpAnswer | undefined> {
    if (!this.moHandler) return answer(503, 'not ready: retry');
    const media: MediaRef[] = [];
    if (urls.length > 0) {
      if (!this.base.media) return answer(503, 'this connector keeps no media: retry');
      for (const url of urls) {
        try {
          media.push(await this.base.media.fetch(url, { userId: null }));
        } catch (err) {
          const code = (err as { code?: string }).code;
          if (code === 'HERMOD_ERR_MEDIA_TYPE' || code === 'HERMOD_ERR_MEDIA_TOO_LARGE') continue;
          return answer(503, `a media URL could not be fetched: retry (${(err as Error).message})`);
        }
      }
    }
    // As an SMSC would have sent it: GSM 03.38 when the text fits, else UCS-2; an MMS's text UCS-2.
    const encoding = media.length > 0 ? 'ucs2' : chooseEncoding(text);
    await this.moHandler({
      source: plain(from),
      destination: plain(to),
      esmClass: 0,
      dataCoding: dataCodingOf(encoding),
      shortMessage: encodeText(text, encoding),
      ...(media.length > 0 ? { media } : {}),
      ...(subject ? { subject } : {}),
    });
    this.counts.mos++;
    return undefined;
  }

  /** The message as text (a customer's own UDH is left out: the provider splits). */
  private textOf(m: StoredMessage, part?: OutboundPart): string {
    let body = part ? (part.messagePayload ?? part.shortMessage) : m.body;
    const coding = part?.dataCoding ?? m.dataCoding;
    if ((part?.esmClass ?? m.esmClass) & 0x40 && body.length > 0) body = body.subarray(1 + body[0]);
    return decodeText(body, coding);
  }

  /** Signed URLs the provider fetches the media from; a library that cannot sign fails the message. */
  private mediaUrls(refs: readonly MediaRef[]): string[] {
    if (refs.length === 0) return [];
    const lib = this.base.media;
    try {
      if (!lib) throw new Error('no media library');
      return refs.map((r) => lib.signedUrl(r.id, this.base.mediaUrlTtlS));
    } catch (err) {
      throw failure(
        `connector ${this.id} cannot hand media to the provider: ${(err as Error).message} (set media.publicUrl and its signing key)`,
        false,
      );
    }
  }
}
