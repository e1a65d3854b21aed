/**
 * Errors of the Jasmin-compatible API, with the HTTP status Jasmin answers and the text
 * of its `Error "<reason>"` body (jasmin/protocols/http/errors.py: 400 validation and
 * credential checks, 403 authentication, charging and throughput, 412 no route).
 */
import { HermodError } from '../../lib/errors.js';
import { RejectedError } from '../../gateway/index.js';

export class JasminApiError extends HermodError {
  constructor(
    code: string,
    /** Jasmin's reason text, as in `Error "<reason>"`. */
    readonly reason: string,
    readonly httpStatus: number,
  ) {
    super(code, reason);
  }
}

export const jasminError = {
  missing: (arg: string) =>
    new JasminApiError('HERMOD_ERR_MISSING_ARGUMENT', `Mandatory argument [${arg}] is not found.`, 400),
  invalid: (arg: string, value: string, why?: string) =>
    new JasminApiError(
      'HERMOD_ERR_INVALID_ARGUMENT',
      `Argument [${arg}] has an invalid value: [${value}].${why ? ` ${why}` : ''}`,
      400,
    ),
  content: (why: string) => new JasminApiError('HERMOD_ERR_INVALID_CONTENT', why, 400),
  authentication: (username: string) =>
    new JasminApiError('HERMOD_ERR_AUTHENTICATION', `Authentication failure for username:${username}`, 403),
  addressNotAllowed: (username: string, address: string | undefined) =>
    new JasminApiError(
      'HERMOD_ERR_ADDRESS_NOT_ALLOWED',
      `Authentication failure for username:${username}: not accepted from ${address ?? 'an unknown address'}`,
      403,
    ),
  /** An argument Hermod cannot honour: refused rather than silently dropped. */
  unsupported: (arg: string, why: string) =>
    new JasminApiError('HERMOD_ERR_UNSUPPORTED_ARGUMENT', `Argument [${arg}] is not supported: ${why}`, 400),
  /** More parts than `long_content_max_parts` allows. */
  tooManyParts: (parts: number, max: number) =>
    new JasminApiError(
      'HERMOD_ERR_TOO_MANY_PARTS',
      `Argument [long_content_max_parts]: the content takes ${parts} parts, more than ${max}.`,
      400,
    ),
  url: (arg: string, why: string) =>
    new JasminApiError('HERMOD_ERR_URL_REFUSED', `Argument [${arg}] is refused: ${why}`, 400),
  /** /balance without httpBalance, /rate without httpRate: Jasmin's CredentialValidationError (400). */
  forbidden: (
    code: 'HERMOD_ERR_FORBIDDEN_BALANCE' | 'HERMOD_ERR_FORBIDDEN_RATE',
    username: string,
    what: string,
  ) => new JasminApiError(code, `Authorization failed for user [${username}] (${what}).`, 400),
};

/**
 * A gateway refusal as Jasmin would answer it. Codes Jasmin has are mapped to its status
 * and text; others (added to the core later) keep the status the core attached.
 */
export function fromRejected(err: RejectedError): JasminApiError {
  switch (err.code) {
    case 'HERMOD_ERR_NO_ROUTE':
      return new JasminApiError(err.code, 'No route found', 412);
    case 'HERMOD_ERR_NO_BALANCE':
      return new JasminApiError(err.code, `Cannot charge submit_sm: ${err.message}`, 403);
    case 'HERMOD_ERR_INVALID_DESTINATION':
      return new JasminApiError(err.code, `Argument [to] has an invalid value: ${err.message}`, 400);
    case 'HERMOD_ERR_USER_DISABLED':
      return new JasminApiError(err.code, `Authentication failure: ${err.message}`, 403);
  }
  // Jasmin answers credential checks (authorizations, value filters) with 400 and
  // throughput/charging with 403; other refusals keep the core's status.
  if (/FORBIDDEN|AUTHORI[SZ]|FILTER/.test(err.code)) return new JasminApiError(err.code, err.message, 400);
  if (/THROTTL|THROUGHPUT|QUOTA|CHARG/.test(err.code)) return new JasminApiError(err.code, err.message, 403);
  return new JasminApiError(err.code, err.message, err.httpStatus);
}
