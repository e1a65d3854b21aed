/** Errors of the SMS engine's services: a stable code and the HTTP status the APIs answer with. */
import { HermodError } from '../lib/errors.js';

export class EngineError extends HermodError {
  constructor(
    readonly httpStatus: number,
    code: string,
    message: string,
  ) {
    super(code, message);
  }
}

/** A field of a request that cannot be used, named by its path (`contacts[3].msisdn`). */
export const invalid = (field: string, why: string): EngineError =>
  new EngineError(400, 'HERMOD_ERR_VALIDATION', `${field}: ${why}`);

export const notFound = (what: string): EngineError =>
  new EngineError(404, 'HERMOD_ERR_NOT_FOUND', `no ${what}`);
