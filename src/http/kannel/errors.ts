/**
 * Errors of the Kannel-compatible sendsms, with the status and the text Kannel 1.4.5's smsbox
 * answers (gw/smsbox.c; each checked against a running smsbox, docs/kannel-http-api.md).
 * Kannel answers text, not problem+json: clients compare the body. Hermod's stable code goes
 * in the `X-Hermod-Error-Code` header.
 */
import { HermodError } from '../../lib/errors.js';
import type { RejectedError } from '../../gateway/index.js';

export class KannelApiError extends HermodError {
  constructor(
    code: string,
    /** The body Kannel answers. */
    readonly text: string,
    readonly httpStatus: number,
  ) {
    super(code, text);
  }
}

const bad = (code: string, text: string) => new KannelApiError(code, text, 400);

/** A field out of Kannel's range: `<Field> field misformed, rejected` (400). */
const misformed = (field: string) => bad('HERMOD_ERR_INVALID_ARGUMENT', `${field} field misformed, rejected`);

export const kannelError = {
  authorization: () =>
    new KannelApiError('HERMOD_ERR_AUTHENTICATION', 'Authorization failed for sendsms', 403),
  missingReceiver: (post: boolean) =>
    bad(
      'HERMOD_ERR_MISSING_ARGUMENT',
      post ? 'Missing receiver(s) number(s), rejected' : 'Missing receiver number, rejected',
    ),
  emptyReceiver: () => bad('HERMOD_ERR_MISSING_ARGUMENT', 'Empty receiver number not allowed, rejected'),
  denied: () =>
    bad('HERMOD_ERR_FILTER_DESTINATION', 'Number(s) has/have been denied by white- and/or black-lists.'),
  noSender: () => bad('HERMOD_ERR_MISSING_ARGUMENT', 'Sender missing and no global set, rejected'),
  udhMisformed: () => misformed('UDH'),
  udhTooLong: () => bad('HERMOD_ERR_INVALID_ARGUMENT', 'UDH field is too long, rejected'),
  account: () => bad('HERMOD_ERR_INVALID_ARGUMENT', 'Account field misformed or too long, rejected'),
  misformed,
  charset: () => bad('HERMOD_ERR_INVALID_CONTENT', 'Charset or body misformed, rejected'),
  contentType: () => bad('HERMOD_ERR_INVALID_CONTENT_TYPE', 'Invalid content-type'),
  /** A Kannel argument Hermod has no equivalent of, given a value that needs one. */
  unsupported: (field: string, why: string) =>
    bad('HERMOD_ERR_UNSUPPORTED_ARGUMENT', `${field} field not supported by Hermod (${why}), rejected`),
  url: (why: string) => bad('HERMOD_ERR_URL_REFUSED', `DLR-URL field refused (${why}), rejected`),
};

/**
 * A gateway refusal as Kannel's bearerbox would answer it: not routable (403), or a temporary
 * failure (503) for what may pass later (throughput, quota, balance).
 */
export function fromRejected(err: RejectedError): KannelApiError {
  if (err.code === 'HERMOD_ERR_FILTER_DESTINATION' || err.code === 'HERMOD_ERR_INVALID_DESTINATION')
    return new KannelApiError(err.code, kannelError.denied().text, 400);
  if (/THROTTL|QUOTA|BALANCE/.test(err.code))
    return new KannelApiError(err.code, 'Temporal failure, try again later.', 503);
  // The account's authorizations and value filters (Kannel's sendsms-user settings): the field.
  if (err.httpStatus === 400 || err.httpStatus === 413 || /FORBIDDEN|FILTER/.test(err.code))
    return new KannelApiError(err.code, `${err.message}, rejected`, 400);
  return new KannelApiError(err.code, 'Not routable. Do not try again.', 403);
}
