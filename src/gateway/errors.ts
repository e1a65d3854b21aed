import { HermodError } from '../lib/errors.js';
import { CommandStatus } from '../smpp/index.js';

/** A message refused at the door, with the SMPP status and HTTP status that say why. */
export class RejectedError extends HermodError {
  constructor(
    code: string,
    message: string,
    readonly smppStatus: number,
    readonly httpStatus: number,
  ) {
    super(code, message);
  }
}

export const reject = {
  invalidDestination: (why: string) => new RejectedError('HERMOD_ERR_INVALID_DESTINATION', why, CommandStatus.ESME_RINVDSTADR, 400),
  noBalance: () => new RejectedError('HERMOD_ERR_NO_BALANCE', 'balance too low for this message', CommandStatus.ESME_RSUBMITFAIL, 402),
  noRoute: (dest: string, why?: string) => new RejectedError('HERMOD_ERR_NO_ROUTE', `no route for ${dest}${why ? ` (${why})` : ''}`, CommandStatus.ESME_RINVDSTADR, 422),
  optedOut: (dest: string, sender: string) =>
    new RejectedError('HERMOD_ERR_OPTED_OUT', `${dest} has opted out of messages from ${sender}`, CommandStatus.ESME_RINVDSTADR, 403),
  tooLong: (why: string) => new RejectedError('HERMOD_ERR_TOO_LONG', `message too long: ${why}`, CommandStatus.ESME_RINVMSGLEN, 413),
  userDisabled: () => new RejectedError('HERMOD_ERR_USER_DISABLED', 'account disabled', CommandStatus.ESME_RSUBMITFAIL, 403),
};
