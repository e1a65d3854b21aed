/**
 * The MM7 client: POSTs a request to the other side's MM7 URL and returns its response
 * (3GPP TS 23.140 annex: SOAP over HTTP POST, `SOAPAction: ""`). Hermod as the VASP submits
 * with it; the MMSC simulator uses the same to send delivery reports and DeliverReq to a VASP.
 * With server.ts, the only place in mm7/ that touches the network (Node's fetch).
 */
import { Buffer } from 'node:buffer';
import { DEFAULT_LIMITS, encodeMm7, parseMm7, type Mm7Limits } from './envelope.js';
import { Mm7ParseError, Mm7RequestError } from './errors.js';
import { MM7_NAMESPACES } from './namespaces.js';
import { statusOutcome } from './status.js';
import type { Mm7Request } from './answer.js';
import type {
  DeliverReq,
  DeliverRsp,
  DeliveryReportReq,
  DeliveryReportRsp,
  Mm7Message,
  ReadReplyReq,
  ReadReplyRsp,
  SubmitReq,
  SubmitRsp,
} from './types.js';

export interface Mm7ClientOptions {
  /** The peer's MM7 URL. */
  readonly url: string;
  /** HTTP basic authentication (most relays ask for it). */
  readonly username?: string;
  readonly password?: string;
  /** Deadline of one request, ms (default 30 000). */
  readonly timeoutMs?: number;
  /** The MM7 namespace URI to write (default REL-6-MM7-1-4). */
  readonly namespace?: string;
  /** MM7Version of requests built without one (default the namespace's: 6.8.0 or 5.3.0). */
  readonly version?: string;
  /** SOAPAction header value (default `""`, the annex's; some relays want the namespace URI). */
  readonly soapAction?: string;
  /** Limits on the response read. */
  readonly limits?: Mm7Limits;
}

type ResponseOf<R extends Mm7Request> = R extends SubmitReq
  ? SubmitRsp
  : R extends DeliverReq
    ? DeliverRsp
    : R extends DeliveryReportReq
      ? DeliveryReportRsp
      : ReadReplyRsp;

const RESPONSE_KIND = {
  SubmitReq: 'SubmitRsp',
  DeliverReq: 'DeliverRsp',
  DeliveryReportReq: 'DeliveryReportRsp',
  ReadReplyReq: 'ReadReplyRsp',
} as const;

/** A request without the fields the client fills in (TransactionID, MM7Version). */
export type Draft<R extends Mm7Request> = Omit<R, 'kind' | 'transactionId' | 'version'> &
  Partial<Pick<R, 'transactionId' | 'version'>>;

export class Mm7Client {
  private readonly namespace: string;
  private readonly version: string;
  private nextTransaction = 1;
  private readonly prefix = Math.random().toString(36).slice(2, 8);

  constructor(private readonly opts: Mm7ClientOptions) {
    this.namespace = opts.namespace ?? MM7_NAMESPACES['REL-6-MM7-1-4'].uri;
    const schema = Object.values(MM7_NAMESPACES).find((n) => n.uri === this.namespace);
    this.version = opts.version ?? schema?.version ?? '6.8.0';
  }

  /** A fresh TransactionID (unique per client; relays only ask that it be unique per VASP for a while). */
  transactionId(): string {
    return `hermod-${this.prefix}-${this.nextTransaction++}`;
  }

  /** Submits an MT multimedia message: resolves with a SubmitRsp of status 1xxx, else throws Mm7RequestError. */
  submit(req: Draft<SubmitReq>): Promise<SubmitRsp> {
    return this.send(this.complete<SubmitReq>('SubmitReq', req));
  }

  deliver(req: Draft<DeliverReq>): Promise<DeliverRsp> {
    return this.send(this.complete<DeliverReq>('DeliverReq', req));
  }

  deliveryReport(req: Draft<DeliveryReportReq>): Promise<DeliveryReportRsp> {
    return this.send(this.complete<DeliveryReportReq>('DeliveryReportReq', req));
  }

  readReply(req: Draft<ReadReplyReq>): Promise<ReadReplyRsp> {
    return this.send(this.complete<ReadReplyReq>('ReadReplyReq', req));
  }

  private complete<R extends Mm7Request>(kind: R['kind'], d: Draft<R>): R {
    return {
      ...d,
      kind,
      transactionId: d.transactionId ?? this.transactionId(),
      version: d.version ?? this.version,
    } as R;
  }

  /** Sends a complete request and checks its response (kind, TransactionID, status class). */
  async send<R extends Mm7Request>(req: R): Promise<ResponseOf<R>> {
    const { contentType, body } = encodeMm7(req, { namespace: this.namespace });
    const headers: Record<string, string> = {
      'Content-Type': contentType,
      SOAPAction: this.opts.soapAction ?? '""',
    };
    if (this.opts.username !== undefined)
      headers.Authorization = `Basic ${Buffer.from(`${this.opts.username}:${this.opts.password ?? ''}`).toString('base64')}`;
    const timeoutMs = this.opts.timeoutMs ?? 30_000;
    let res: Response;
    let bytes: Buffer;
    try {
      res = await fetch(this.opts.url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      bytes = Buffer.from(await res.arrayBuffer());
    } catch (err) {
      const name = (err as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError')
        throw new Mm7RequestError(
          'HERMOD_ERR_MM7_TIMEOUT',
          `MM7: no answer from ${this.opts.url} within ${timeoutMs} ms`,
          { cause: err },
        );
      throw new Mm7RequestError(
        'HERMOD_ERR_MM7_NETWORK',
        `MM7: ${this.opts.url}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    return this.check(req, res.status, res.headers.get('content-type') ?? '', bytes) as ResponseOf<R>;
  }

  private check(req: Mm7Request, httpStatus: number, contentType: string, body: Buffer): Mm7Message {
    let m: Mm7Message;
    try {
      m = parseMm7({ contentType, body }, this.opts.limits ?? DEFAULT_LIMITS).message;
    } catch (err) {
      if (!(err instanceof Mm7ParseError)) throw err;
      if (httpStatus < 200 || httpStatus > 299)
        throw new Mm7RequestError('HERMOD_ERR_MM7_HTTP', `MM7: HTTP ${httpStatus} from ${this.opts.url}`, {
          httpStatus,
          cause: err,
        });
      throw new Mm7RequestError(
        'HERMOD_ERR_MM7_BAD_RESPONSE',
        `MM7: unreadable answer to ${req.kind}: ${err.message}`,
        { httpStatus, cause: err },
      );
    }
    if (m.kind === 'RSErrorRsp' || m.kind === 'VASPErrorRsp')
      throw new Mm7RequestError(
        'HERMOD_ERR_MM7_FAULT',
        `MM7: ${req.kind} refused with a Fault: ${m.status.code} ${m.status.text ?? ''}${m.status.details ? ` (${m.status.details})` : ''}`,
        { httpStatus, mm7Status: m.status.code },
      );
    if (httpStatus < 200 || httpStatus > 299)
      throw new Mm7RequestError('HERMOD_ERR_MM7_HTTP', `MM7: HTTP ${httpStatus} from ${this.opts.url}`, {
        httpStatus,
      });
    if (m.kind !== RESPONSE_KIND[req.kind])
      throw new Mm7RequestError('HERMOD_ERR_MM7_BAD_RESPONSE', `MM7: ${m.kind} in answer to ${req.kind}`, {
        httpStatus,
      });
    if (m.transactionId !== req.transactionId)
      throw new Mm7RequestError(
        'HERMOD_ERR_MM7_BAD_RESPONSE',
        `MM7: the answer to ${req.transactionId} echoes TransactionID ${m.transactionId}`,
        { httpStatus },
      );
    const s = (m as SubmitRsp).status;
    if (statusOutcome(s.code) !== 'accepted')
      throw new Mm7RequestError(
        'HERMOD_ERR_MM7_STATUS',
        `MM7: ${req.kind} answered ${s.code} ${s.text ?? ''}`,
        {
          httpStatus,
          mm7Status: s.code,
        },
      );
    return m;
  }
}
