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
  /** An argument beyond its bound at the door (issue 13 item 9), named with its bound. */
  invalidSource: (why: string) =>
    new RejectedError('HERMOD_ERR_INVALID_SOURCE', why, CommandStatus.ESME_RINVSRCADR, 400),
  invalidDestination: (why: string) =>
    new RejectedError('HERMOD_ERR_INVALID_DESTINATION', why, CommandStatus.ESME_RINVDSTADR, 400),
  noBalance: () =>
    new RejectedError(
      'HERMOD_ERR_NO_BALANCE',
      'balance too low for this message',
      CommandStatus.ESME_RSUBMITFAIL,
      402,
    ),
  noRoute: (dest: string, why?: string) =>
    new RejectedError(
      'HERMOD_ERR_NO_ROUTE',
      `no route for ${dest}${why ? ` (${why})` : ''}`,
      CommandStatus.ESME_RINVDSTADR,
      422,
    ),
  /** An MMS whose route has no MMS-capable connector and no fallback allowed (docs/mms.md). */
  noMmsRoute: (dest: string, why: string) =>
    new RejectedError(
      'HERMOD_ERR_NO_MMS_ROUTE',
      `no MMS route for ${dest}: ${why}`,
      CommandStatus.ESME_RINVDSTADR,
      422,
    ),
  optedOut: (dest: string, sender: string) =>
    new RejectedError(
      'HERMOD_ERR_OPTED_OUT',
      `${dest} has opted out of messages from ${sender}`,
      CommandStatus.ESME_RINVDSTADR,
      403,
    ),
  /** An opt-out auto-reply with no account to be sent as (optOut.account, or the MO's routed customer). */
  noReplyAccount: (why: string) =>
    new RejectedError('HERMOD_ERR_NO_REPLY_ACCOUNT', why, CommandStatus.ESME_RSYSERR, 422),
  tooLong: (why: string) =>
    new RejectedError('HERMOD_ERR_TOO_LONG', `message too long: ${why}`, CommandStatus.ESME_RINVMSGLEN, 413),
  userDisabled: () =>
    new RejectedError('HERMOD_ERR_USER_DISABLED', 'account disabled', CommandStatus.ESME_RSUBMITFAIL, 403),
  groupDisabled: (group: string) =>
    new RejectedError(
      'HERMOD_ERR_GROUP_DISABLED',
      `group "${group}" is disabled`,
      CommandStatus.ESME_RSUBMITFAIL,
      403,
    ),
  smsQuota: () =>
    new RejectedError(
      'HERMOD_ERR_SMS_QUOTA',
      'SMS-count quota exhausted for this message',
      CommandStatus.ESME_RSUBMITFAIL,
      402,
    ),
  throttled: (kind: 'http' | 'smpp', rate: number) =>
    new RejectedError(
      'HERMOD_ERR_THROTTLED',
      `more than ${rate} messages per second over ${kind === 'http' ? 'HTTP' : 'SMPP'} for this account`,
      CommandStatus.ESME_RTHROTTLED,
      429,
    ),
  /** An authorization the account lacks (Jasmin's "mt authorization"). */
  forbidden: {
    interface: (kind: string) =>
      new RejectedError(
        'HERMOD_ERR_FORBIDDEN_INTERFACE',
        `this account may not send over ${kind}`,
        CommandStatus.ESME_RSUBMITFAIL,
        403,
      ),
    longContent: (parts: number) =>
      new RejectedError(
        'HERMOD_ERR_FORBIDDEN_LONG_CONTENT',
        `this account may not send long messages (this one needs ${parts} parts)`,
        CommandStatus.ESME_RINVMSGLEN,
        403,
      ),
    dlrLevel: () =>
      new RejectedError(
        'HERMOD_ERR_FORBIDDEN_DLR_LEVEL',
        'this account may not set a DLR level',
        CommandStatus.ESME_RINVREGDLVFLG,
        403,
      ),
    dlrMethod: () =>
      new RejectedError(
        'HERMOD_ERR_FORBIDDEN_DLR_METHOD',
        'this account may not set a DLR method',
        CommandStatus.ESME_RINVREGDLVFLG,
        403,
      ),
    priority: (p: number) =>
      new RejectedError(
        'HERMOD_ERR_FORBIDDEN_PRIORITY',
        `this account may not set a priority (got ${p})`,
        CommandStatus.ESME_RINVPRTFLG,
        403,
      ),
    validity: () =>
      new RejectedError(
        'HERMOD_ERR_FORBIDDEN_VALIDITY',
        'this account may not set a validity period',
        CommandStatus.ESME_RINVEXPIRY,
        403,
      ),
    schedule: () =>
      new RejectedError(
        'HERMOD_ERR_FORBIDDEN_SCHEDULE',
        'this account may not schedule messages',
        CommandStatus.ESME_RINVSCHED,
        403,
      ),
    /** Binary content: by its data_coding, or any content the customer gave as hex (Jasmin's hex-content). */
    hexContent: (dc: number | 'hex-content') =>
      new RejectedError(
        'HERMOD_ERR_FORBIDDEN_HEX_CONTENT',
        `this account may not send binary content (${dc === 'hex-content' ? 'given as hex-content' : `data_coding 0x${dc.toString(16).padStart(2, '0')}`})`,
        CommandStatus.ESME_RSUBMITFAIL,
        403,
      ),
    source: (source: string) =>
      new RejectedError(
        'HERMOD_ERR_FORBIDDEN_SOURCE',
        `this account may not choose its source address (got "${source}")`,
        CommandStatus.ESME_RINVSRCADR,
        403,
      ),
  },
  /** A value outside the account's value filter (Jasmin's "mt valuefilter"). */
  filter: {
    source: (v: string, re: string) =>
      new RejectedError(
        'HERMOD_ERR_FILTER_SOURCE',
        `source address "${v}" does not match ${re}`,
        CommandStatus.ESME_RINVSRCADR,
        403,
      ),
    destination: (v: string, re: string) =>
      new RejectedError(
        'HERMOD_ERR_FILTER_DESTINATION',
        `destination ${v} does not match ${re}`,
        CommandStatus.ESME_RINVDSTADR,
        403,
      ),
    content: (re: string) =>
      new RejectedError(
        'HERMOD_ERR_FILTER_CONTENT',
        `content does not match ${re}`,
        CommandStatus.ESME_RSUBMITFAIL,
        403,
      ),
    priority: (v: number, re: string) =>
      new RejectedError(
        'HERMOD_ERR_FILTER_PRIORITY',
        `priority ${v} does not match ${re}`,
        CommandStatus.ESME_RINVPRTFLG,
        403,
      ),
    validity: (minutes: number, re: string) =>
      new RejectedError(
        'HERMOD_ERR_FILTER_VALIDITY',
        `validity period of ${minutes} minutes does not match ${re}`,
        CommandStatus.ESME_RINVEXPIRY,
        403,
      ),
  },
  invalidPriority: (p: number) =>
    new RejectedError(
      'HERMOD_ERR_INVALID_PRIORITY',
      `priority ${p} is not 0 to 3`,
      CommandStatus.ESME_RINVPRTFLG,
      400,
    ),
  invalidSchedule: (why: string) =>
    new RejectedError('HERMOD_ERR_INVALID_SCHEDULE', why, CommandStatus.ESME_RINVSCHED, 400),
  invalidValidity: (why: string) =>
    new RejectedError('HERMOD_ERR_INVALID_VALIDITY', why, CommandStatus.ESME_RINVEXPIRY, 400),
};

/** A runtime connector or route change the gateway refused, with the HTTP status that says why. */
export class ConnectorChangeError extends HermodError {
  constructor(
    code: string,
    message: string,
    readonly httpStatus: number,
    /** Why it was refused, in a few words (a route names it, messages are queued for it). */
    readonly reason?: string,
  ) {
    super(code, message);
  }
}

export const connectorChange = {
  unknown: (id: string) =>
    new ConnectorChangeError('HERMOD_ERR_UNKNOWN_CONNECTOR', `no connector "${id}"`, 404),
  exists: (id: string) =>
    new ConnectorChangeError(
      'HERMOD_ERR_CONNECTOR_EXISTS',
      `connector "${id}" exists (replace it instead)`,
      409,
    ),
  inUse: (id: string, reason: string) =>
    new ConnectorChangeError(
      'HERMOD_ERR_CONNECTOR_IN_USE',
      `connector "${id}" cannot be removed: ${reason}`,
      409,
      reason,
    ),
  unknownInRoute: (path: string, id: string) =>
    new ConnectorChangeError('HERMOD_ERR_INVALID_DEFINITION', `${path}: unknown connector "${id}"`, 400),
};
