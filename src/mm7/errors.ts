import { HermodError } from '../lib/errors.js';
import { Mm7Status, statusOutcome, type StatusOutcome } from './status.js';

/**
 * A message Hermod cannot read (or will not, past a limit). `status` is the MM7 status code
 * to answer the peer with in an RSErrorRsp / VASPErrorRsp (3GPP TS 23.140).
 */
export class Mm7ParseError extends HermodError {
  readonly status: number;

  constructor(code: Mm7ParseCode, message: string, status: number, options?: { cause?: unknown }) {
    super(code, message, options);
    this.status = status;
  }
}

export type Mm7ParseCode =
  | 'HERMOD_ERR_MM7_XML'
  | 'HERMOD_ERR_MM7_DOCTYPE'
  | 'HERMOD_ERR_MM7_NOT_SOAP'
  | 'HERMOD_ERR_MM7_NAMESPACE'
  | 'HERMOD_ERR_MM7_UNKNOWN_MESSAGE'
  | 'HERMOD_ERR_MM7_MISSING_ELEMENT'
  | 'HERMOD_ERR_MM7_BAD_VALUE'
  | 'HERMOD_ERR_MM7_CONTENT_TYPE'
  | 'HERMOD_ERR_MM7_MULTIPART'
  | 'HERMOD_ERR_MM7_START_PART'
  | 'HERMOD_ERR_MM7_CONTENT_REF'
  | 'HERMOD_ERR_MM7_TOO_LARGE'
  | 'HERMOD_ERR_MM7_TOO_MANY_PARTS';

export const parseError = {
  xml: (why: string, cause?: unknown) =>
    new Mm7ParseError('HERMOD_ERR_MM7_XML', `MM7: not well-formed XML: ${why}`, Mm7Status.FORMAT_CORRUPT, {
      cause,
    }),
  missing: (element: string, inside: string) =>
    new Mm7ParseError(
      'HERMOD_ERR_MM7_MISSING_ELEMENT',
      `MM7: ${inside} has no ${element}`,
      Mm7Status.VALIDATION_ERROR,
    ),
  badValue: (element: string, value: string) =>
    new Mm7ParseError(
      'HERMOD_ERR_MM7_BAD_VALUE',
      `MM7: ${element} cannot be ${JSON.stringify(value.slice(0, 40))}`,
      Mm7Status.VALIDATION_ERROR,
    ),
};

export type Mm7RequestCode =
  | 'HERMOD_ERR_MM7_HTTP'
  | 'HERMOD_ERR_MM7_FAULT'
  | 'HERMOD_ERR_MM7_STATUS'
  | 'HERMOD_ERR_MM7_TIMEOUT'
  | 'HERMOD_ERR_MM7_NETWORK'
  | 'HERMOD_ERR_MM7_BAD_RESPONSE';

/**
 * A request the peer did not accept: an HTTP error without a SOAP answer, a SOAP Fault
 * (with the RSErrorRsp's status when it has one), a response whose Status is not 1xxx,
 * no answer before the deadline, a network error, or an answer we cannot read.
 * `outcome` says whether sending the same request again may succeed.
 */
export class Mm7RequestError extends HermodError {
  readonly outcome: Exclude<StatusOutcome, 'accepted'>;
  readonly httpStatus: number | undefined;
  readonly mm7Status: number | undefined;

  constructor(
    code: Mm7RequestCode,
    message: string,
    opts: { httpStatus?: number; mm7Status?: number; cause?: unknown } = {},
  ) {
    super(code, message, { cause: opts.cause });
    this.httpStatus = opts.httpStatus;
    this.mm7Status = opts.mm7Status;
    this.outcome = requestOutcome(code, opts);
  }
}

function requestOutcome(
  code: Mm7RequestCode,
  opts: { httpStatus?: number; mm7Status?: number },
): 'permanent' | 'temporary' {
  if (opts.mm7Status !== undefined) {
    const o = statusOutcome(opts.mm7Status);
    return o === 'accepted' ? 'permanent' : o;
  }
  if (code === 'HERMOD_ERR_MM7_TIMEOUT' || code === 'HERMOD_ERR_MM7_NETWORK') return 'temporary';
  const http = opts.httpStatus ?? 0;
  // 401/403: wrong credentials stay wrong; 408/429/5xx: the relay may take it later.
  if (http === 408 || http === 429 || http >= 500) return 'temporary';
  return 'permanent';
}
