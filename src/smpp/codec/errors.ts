import { HermodError } from '../../lib/errors.js';

/**
 * A frame or PDU that cannot be decoded. `commandStatus` is what the session
 * should answer with (generic_nack or the request's `_resp`); `fatal` means the
 * byte stream cannot be resynchronised and the connection must be closed after
 * answering (a bad command_length: we no longer know where the next PDU starts).
 */
export class SmppDecodeError extends HermodError {
  readonly commandStatus: number;
  readonly fatal: boolean;
  readonly commandId: number | undefined;
  readonly sequenceNumber: number | undefined;

  constructor(
    message: string,
    init: { commandStatus: number; fatal?: boolean; commandId?: number; sequenceNumber?: number },
  ) {
    super('HERMOD_ERR_SMPP_DECODE', message);
    this.commandStatus = init.commandStatus;
    this.fatal = init.fatal ?? false;
    this.commandId = init.commandId;
    this.sequenceNumber = init.sequenceNumber;
  }
}

/** A PDU object that cannot be encoded (a string over its spec maximum, a non-Latin-1 character...). */
export class SmppEncodeError extends HermodError {
  readonly field: string;

  constructor(field: string, message: string) {
    super('HERMOD_ERR_SMPP_ENCODE', `${field}: ${message}`);
    this.field = field;
  }
}
