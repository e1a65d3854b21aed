/**
 * The receiving side of an MM7 exchange as a pure step: an HTTP body in, the HTTP answer out.
 * A request that cannot be read gets a SOAP Fault carrying RSErrorRsp (we are the relay) or
 * VASPErrorRsp (we are the VASP) with the status its error names, with HTTP 500 as SOAP 1.1
 * §6.2 requires for a Fault; a request that was read is handed to `handle`, whose response is
 * encoded in the namespace the request came in. Servers (the MMSC simulator here, Hermod's
 * VASP endpoint later) wrap this around their HTTP.
 */
import { Buffer } from 'node:buffer';
import { DEFAULT_LIMITS, encodeMm7, parseMm7, type Mm7Limits } from './envelope.js';
import { Mm7ParseError } from './errors.js';
import { Mm7Status, statusText } from './status.js';
import type {
  DeliverReq,
  DeliveryReportReq,
  ErrorRsp,
  Mm7Message,
  Mm7StatusValue,
  ReadReplyReq,
  SubmitReq,
} from './types.js';

export type Mm7Request = SubmitReq | DeliverReq | DeliveryReportReq | ReadReplyReq;

export interface Mm7Answer {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer;
}

export interface AnswerOptions {
  /** Which side answers: the relay writes RSErrorRsp, the VASP VASPErrorRsp. */
  readonly role: 'relay' | 'vasp';
  readonly limits?: Mm7Limits;
  /** MM7Version written in error responses (default 6.8.0). */
  readonly version?: string;
}

export function isRequest(m: Mm7Message): m is Mm7Request {
  return (
    m.kind === 'SubmitReq' ||
    m.kind === 'DeliverReq' ||
    m.kind === 'DeliveryReportReq' ||
    m.kind === 'ReadReplyReq'
  );
}

/** A status value with the spec's text for its code. */
export function status(code: number, text?: string): Mm7StatusValue {
  return { code, text: text ?? statusText(code) };
}

/** The response to a request, with a status (and the MessageID of a SubmitRsp, the ServiceCode of a DeliverRsp). */
export function responseTo(
  req: Mm7Request,
  s: Mm7StatusValue,
  extra: { messageId?: string; serviceCode?: string } = {},
): Mm7Message {
  const head = { transactionId: req.transactionId, version: req.version, status: s };
  switch (req.kind) {
    case 'SubmitReq':
      return {
        kind: 'SubmitRsp',
        ...head,
        ...(extra.messageId !== undefined && { messageId: extra.messageId }),
      };
    case 'DeliverReq':
      return {
        kind: 'DeliverRsp',
        ...head,
        ...(extra.serviceCode !== undefined && { serviceCode: extra.serviceCode }),
      };
    case 'DeliveryReportReq':
      return { kind: 'DeliveryReportRsp', ...head };
    case 'ReadReplyReq':
      return { kind: 'ReadReplyRsp', ...head };
  }
}

/** The TransactionID of a body we could not parse, if one can be seen, to echo it in the Fault. */
function transactionIdIn(body: Uint8Array): string {
  const head = Buffer.from(body.buffer, body.byteOffset, Math.min(body.byteLength, 16384)).toString('latin1');
  return /TransactionID[^>]*>\s*([^<\s][^<]*?)\s*</.exec(head)?.[1] ?? 'unknown';
}

export function errorResponse(
  role: AnswerOptions['role'],
  transactionId: string,
  code: number,
  why: string,
  version = '6.8.0',
): ErrorRsp {
  return {
    kind: role === 'relay' ? 'RSErrorRsp' : 'VASPErrorRsp',
    transactionId,
    version,
    status: { code, text: statusText(code), details: why },
    // 2xxx and 4xxx: the sender's request is at fault; 3xxx: ours.
    faultCode: Math.floor(code / 1000) === 3 ? 'Server' : 'Client',
    faultString: statusText(code),
  };
}

/** A Fault as an HTTP answer (500 unless told: 401 for refused credentials). */
export function faultAnswer(m: ErrorRsp, namespace: string | undefined, httpStatus = 500): Mm7Answer {
  const { contentType, body } = encodeMm7(m, { namespace });
  return { status: httpStatus, contentType, body };
}

/**
 * Answers one MM7 HTTP request. `handle` gets every request message that parses and returns
 * its response (see `responseTo`); throwing an Mm7ParseError answers its status in a Fault,
 * any other error 3000 (Server Error).
 */
export async function answerMm7(
  input: { contentType: string; body: Uint8Array },
  handle: (req: Mm7Request) => Promise<Mm7Message> | Mm7Message,
  opts: AnswerOptions,
): Promise<Mm7Answer> {
  let parsed;
  try {
    parsed = parseMm7(input, opts.limits ?? DEFAULT_LIMITS);
  } catch (err) {
    if (!(err instanceof Mm7ParseError)) throw err;
    return faultAnswer(
      errorResponse(opts.role, transactionIdIn(input.body), err.status, err.message, opts.version),
      undefined,
    );
  }
  const { message, namespace } = parsed;
  if (!isRequest(message))
    return faultAnswer(
      errorResponse(
        opts.role,
        message.transactionId,
        Mm7Status.UNSUPPORTED_OPERATION,
        `${message.kind} is a response, not a request`,
        opts.version,
      ),
      namespace,
    );
  let response: Mm7Message;
  try {
    response = await handle(message);
  } catch (err) {
    const code = err instanceof Mm7ParseError ? err.status : Mm7Status.SERVER_ERROR;
    return faultAnswer(
      errorResponse(opts.role, message.transactionId, code, (err as Error).message, message.version),
      namespace,
    );
  }
  const { contentType, body } = encodeMm7(response, { namespace });
  return {
    status: response.kind === 'RSErrorRsp' || response.kind === 'VASPErrorRsp' ? 500 : 200,
    contentType,
    body,
  };
}
