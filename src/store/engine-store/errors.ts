/**
 * Errors the engine's stores throw for a request that conflicts with what is stored; each
 * carries the HTTP status the APIs answer it with (problem+json, src/http/problem.ts).
 */
import { HermodError } from '../../lib/errors.js';
import { maskNumber } from '../../lib/redact.js';

export class ContactGroupExistsError extends HermodError {
  readonly httpStatus = 409;
  constructor(name: string) {
    super('HERMOD_ERR_CONTACT_GROUP_EXISTS', `a contact group named "${name}" exists`);
  }
}

export class UnknownContactGroupError extends HermodError {
  readonly httpStatus = 404;
  constructor(id: number) {
    super('HERMOD_ERR_UNKNOWN_CONTACT_GROUP', `no contact group ${id}`);
  }
}

export class ContactExistsError extends HermodError {
  readonly httpStatus = 409;
  constructor(msisdn: string) {
    super('HERMOD_ERR_CONTACT_EXISTS', `another contact has the number ${maskNumber(msisdn)}`);
  }
}
