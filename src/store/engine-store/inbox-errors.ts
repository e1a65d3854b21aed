/** Errors of the inbox and keyword stores, each with the HTTP status the APIs answer it with. */
import { HermodError } from '../../lib/errors.js';

/** The follower's lease moved to another node: nothing of the write was kept. */
export class LeaseLostError extends HermodError {
  readonly httpStatus = 503;
  constructor(follower: string) {
    super('HERMOD_ERR_LEASE_LOST', `the ${follower} follower's lease is held by another node`);
  }
}

export class KeywordExistsError extends HermodError {
  readonly httpStatus = 409;
  constructor(word: string, number: string) {
    super(
      'HERMOD_ERR_KEYWORD_EXISTS',
      `the keyword ${word} already triggers a service on ${number === '' ? 'any number' : number}`,
    );
  }
}
