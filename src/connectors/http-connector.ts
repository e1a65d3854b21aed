/**
 * An upstream provider that takes messages over HTTP instead of SMPP (most SMS APIs): one
 * request per message, built from templates; the provider's message id read from its
 * answer; its delivery reports received as HTTP callbacks on Hermod's REST port
 * (`/v1/hooks/connectors/{id}/dlr`) and fed to the gateway like SMPP receipts. Jasmin has
 * no HTTP upstream connector (its users ask for one); Kannel's `smsc = http` is per vendor.
 *
 * Answers: 2xx with an id → accepted; 429, 5xx, timeouts and connection errors → transient
 * (retried with back-off); any other status → permanent (failover, else failed).
 */
import { timingSafeEqual } from 'node:crypto';
import type { Receipt, ReceiptStat } from '../smpp/index.js';
import { chooseEncoding, dataCodingOf, decodeText, encodeText, stateOfStat } from '../smpp/index.js';
import type { OutboundPart, StoredMessage } from '../domain/index.js';
import type {
  Connector,
  ConnectorFailure,
  ConnectorStatus,
  InboundPdu,
  ProviderCallback,
  SubmitOutcome,
} from '../gateway/index.js';
import { RateMeter } from './rate-meter.js';
import { RequestPacer } from './request-pacer.js';

export interface HttpConnectorOptions {
  /** The provider's endpoint; `{placeholders}` in it are replaced URL-encoded. */
  url: string;
  method: 'GET' | 'POST';
  /** How POST sends `params`: an urlencoded form or a JSON object. */
  format: 'form' | 'json';
  /** Request fields: name → template of `{to}`, `{from}`, `{text}`, `{id}` (Hermod's message id). */
  params: Record<string, string>;
  headers: Record<string, string>;
  /** Where the provider's message id is in its answer: a dotted JSON path, or a regex's first group. */
  messageId: { json: string } | { regex: string };
  /** Requests in flight at most (the connector's window). */
  window: number;
  /** Requests per second at most; undefined = unlimited. */
  throughput?: number;
  timeoutMs: number;
  dlrExpiryMs?: number;
  /** The delivery-report callback: its shared token and which fields hold what. */
  dlr?: HttpDlrMapping;
  /** The inbound-message (MO) callback: its shared token and which fields hold what. */
  mo?: HttpMoMapping;
}

export interface HttpMoMapping {
  token: string;
  fromField: string;
  toField: string;
  textField: string;
}

export interface HttpDlrMapping {
  /** Required as `?token=` on the callback URL (compared in constant time). */
  token: string;
  /** Field names in the callback (query, form or JSON body). */
  idField: string;
  statusField: string;
  errField?: string;
  /** Provider status values (compared case-insensitively) per final state; others are intermediate. */
  delivered: string[];
  undelivered: string[];
  expired: string[];
  rejected: string[];
}

const TRANSIENT_STATUS = (s: number) => s === 408 || s === 429 || s >= 500;

function failure(message: string, transient: boolean, status?: number): ConnectorFailure {
  const e = new Error(message) as ConnectorFailure;
  e.transient = transient;
  if (status !== undefined) e.status = status;
  return e;
}

/** `{name}` → values[name] (through `encode`); an unknown name stays as written. */
function fill(
  template: string,
  values: Record<string, string>,
  encode: (v: string) => string = (v) => v,
): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? encode(values[name]) : whole,
  );
}

function pickJson(body: unknown, path: string): unknown {
  let v = body;
  for (const k of path.split('.')) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = Array.isArray(v) && /^\d+$/.test(k) ? v[Number(k)] : (v as Record<string, unknown>)[k];
  }
  return v;
}

export class HttpConnector implements Connector {
  readonly type = 'http';
  /** The provider takes the whole text in one request: never split into parts. */
  readonly split = 'payload' as const;
  readonly dlrExpiryMs: number | undefined;
  private started = false;
  private inFlight = 0;
  private handler: ((r: Receipt) => Promise<void>) | undefined;
  private moHandler: ((mo: InboundPdu) => Promise<void>) | undefined;
  private readonly meter = new RateMeter();
  private readonly pacer: RequestPacer;
  private readonly counts = {
    submits: 0,
    submitted: 0,
    errors: 0,
    receipts: 0,
    mos: 0,
    binds: 0,
    disconnects: 0,
    throttled: 0,
  };
  private lastError: string | null = null;
  private readonly messageIdRegex: RegExp | undefined;
  /** Where it sends (host[:port]), for status: read once, placeholders as the validator reads them. */
  private readonly remote: string;

  constructor(
    readonly id: string,
    private readonly opts: HttpConnectorOptions,
  ) {
    this.dlrExpiryMs = opts.dlrExpiryMs;
    this.pacer = new RequestPacer(opts.throughput);
    this.messageIdRegex = 'regex' in opts.messageId ? new RegExp(opts.messageId.regex) : undefined;
    this.remote = new URL(opts.url.replace(/\{\w+\}/g, 'x')).host;
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
    this.handler = handler;
  }

  onMo(handler: (mo: InboundPdu) => Promise<void>): void {
    this.moHandler = handler;
  }

  async submit(m: StoredMessage, part?: OutboundPart): Promise<SubmitOutcome> {
    if (!this.started) throw failure(`connector ${this.id} is stopped`, true);
    const values = { to: m.destination, from: m.source, text: this.textOf(m, part), id: m.id };
    await this.pacer.wait(() => this.counts.throttled++);
    this.counts.submits++;
    this.meter.add();
    this.inFlight++;
    try {
      const id = await this.request(values);
      this.counts.submitted++;
      this.lastError = null;
      return { upstreamId: id };
    } catch (err) {
      this.counts.errors++;
      this.lastError = (err as Error).message;
      throw err;
    } finally {
      this.inFlight--;
    }
  }

  /**
   * A delivery-report callback from the provider (the REST app's hook route): checked
   * against the token, mapped to a receipt and stored by the gateway before the answer.
   */
  async providerCallback(
    kind: string,
    fields: Record<string, string>,
    token: string | undefined,
  ): Promise<ProviderCallback> {
    if (kind === 'mo') return this.moCallback(fields, token);
    const dlr = this.opts.dlr;
    if (kind !== 'dlr' || !dlr)
      return { status: 404, body: `connector ${this.id} takes no ${kind} callbacks` };
    if (token === undefined || !sameSecret(token, dlr.token))
      return { status: 401, body: 'bad or missing token' };
    const id = fields[dlr.idField];
    const given = fields[dlr.statusField];
    if (!id || !given)
      return { status: 400, body: `the callback needs ${dlr.idField} and ${dlr.statusField}` };
    const stat = statOf(dlr, given);
    if (!stat) return { status: 200, body: `status "${given}" is not final: nothing changes` };
    if (!this.handler) return { status: 503, body: 'not ready: retry' };
    const err = dlr.errField ? fields[dlr.errField] : undefined;
    await this.handler({
      id,
      stat,
      state: stateOfStat(stat),
      ...(err ? { err } : {}),
      raw: JSON.stringify(fields),
    });
    this.counts.receipts++;
    return { status: 200, body: 'OK' };
  }

  /** An inbound message from the provider: stored (then routed) by the gateway before the answer. */
  private async moCallback(
    fields: Record<string, string>,
    token: string | undefined,
  ): Promise<ProviderCallback> {
    const mo = this.opts.mo;
    if (!mo) return { status: 404, body: `connector ${this.id} takes no mo callbacks` };
    if (token === undefined || !sameSecret(token, mo.token))
      return { status: 401, body: 'bad or missing token' };
    const from = fields[mo.fromField]?.replace(/^\+/, '');
    const to = fields[mo.toField]?.replace(/^\+/, '');
    const text = fields[mo.textField];
    if (!from || !to || text === undefined)
      return { status: 400, body: `the callback needs ${mo.fromField}, ${mo.toField} and ${mo.textField}` };
    if (!this.moHandler) return { status: 503, body: 'not ready: retry' };
    // As an SMSC would have sent it: GSM 03.38 when the text fits, else UCS-2.
    const encoding = chooseEncoding(text);
    await this.moHandler({
      source: from,
      destination: to,
      esmClass: 0,
      dataCoding: dataCodingOf(encoding),
      shortMessage: encodeText(text, encoding),
    });
    this.counts.mos++;
    return { status: 200, body: 'OK' };
  }

  /** The message as text (a customer's own UDH is left out: the provider splits). */
  private textOf(m: StoredMessage, part?: OutboundPart): string {
    let body = part ? (part.messagePayload ?? part.shortMessage) : m.body;
    const coding = part?.dataCoding ?? m.dataCoding;
    if ((part?.esmClass ?? m.esmClass) & 0x40 && body.length > 0) body = body.subarray(1 + body[0]);
    return decodeText(body, coding);
  }

  private async request(values: Record<string, string>): Promise<string> {
    const o = this.opts;
    const params = Object.fromEntries(Object.entries(o.params).map(([k, v]) => [k, fill(v, values)]));
    let url = fill(o.url, values, encodeURIComponent);
    const init: RequestInit = {
      method: o.method,
      headers: { ...o.headers },
      signal: AbortSignal.timeout(o.timeoutMs),
    };
    if (o.method === 'GET') {
      const q = new URLSearchParams(params).toString();
      if (q) url += (url.includes('?') ? '&' : '?') + q;
    } else if (o.format === 'json') {
      init.body = JSON.stringify(params);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    } else {
      init.body = new URLSearchParams(params).toString();
      (init.headers as Record<string, string>)['content-type'] = 'application/x-www-form-urlencoded';
    }
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, init);
      text = await res.text();
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      throw failure(
        `${o.method} ${new URL(url).host}: ${e.name === 'TimeoutError' ? `no answer within ${o.timeoutMs} ms` : (e.cause?.code ?? e.message)}`,
        true,
      );
    }
    if (res.status < 200 || res.status > 299)
      throw failure(
        `provider answered ${res.status}: ${text.slice(0, 200)}`,
        TRANSIENT_STATUS(res.status),
        res.status,
      );
    const id = this.idOf(text);
    // Accepted but no id: we cannot match its reports; resending could send twice. Permanent.
    if (id === undefined)
      throw failure(
        `provider answered ${res.status} without a message id (${'json' in o.messageId ? `JSON ${o.messageId.json}` : `regex ${o.messageId.regex}`}): ${text.slice(0, 200)}`,
        false,
        res.status,
      );
    return id;
  }

  private idOf(text: string): string | undefined {
    if (this.messageIdRegex) return this.messageIdRegex.exec(text)?.[1];
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return undefined; // an answer that is not JSON holds no id: the caller fails the submit
    }
    const v = pickJson(body, (this.opts.messageId as { json: string }).json);
    return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
  }
}

function statOf(d: HttpDlrMapping, given: string): ReceiptStat | undefined {
  const v = given.toLowerCase();
  const has = (list: string[]) => list.some((x) => x.toLowerCase() === v);
  if (has(d.delivered)) return 'DELIVRD';
  if (has(d.undelivered)) return 'UNDELIV';
  if (has(d.expired)) return 'EXPIRED';
  if (has(d.rejected)) return 'REJECTD';
  return undefined;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
