import { HermodError } from '../../lib/errors.js';
import { CommandStatus, statusName, statusDescription } from '../codec/index.js';

/** Statuses after which the same request may succeed later (slow down and retry). */
const TEMPORARY = new Set<number>([
  CommandStatus.ESME_RTHROTTLED,
  CommandStatus.ESME_RMSGQFUL,
  CommandStatus.ESME_RSYSERR,
  CommandStatus.ESME_RX_T_APPN,
]);

/** Base of the session layer's errors; `retriable` says whether resubmitting may succeed. */
export class SmppError extends HermodError {
  readonly retriable: boolean;

  constructor(code: string, message: string, retriable: boolean, options?: { cause?: unknown }) {
    super(code, message, options);
    this.retriable = retriable;
  }
}

/** The peer answered a request with a non-zero command_status (or generic_nack). */
export class SmppStatusError extends SmppError {
  readonly commandStatus: number;
  readonly command: string;

  constructor(command: string, commandStatus: number) {
    super(
      'HERMOD_ERR_SMPP_STATUS',
      `${command} refused: ${statusName(commandStatus)} (${statusDescription(commandStatus)})`,
      TEMPORARY.has(commandStatus),
    );
    this.commandStatus = commandStatus;
    this.command = command;
  }

  /** ESME_RTHROTTLED: the peer wants us to send slower. */
  get throttled(): boolean {
    return this.commandStatus === CommandStatus.ESME_RTHROTTLED;
  }

  /** ESME_RMSGQFUL: the peer's queue is full. */
  get queueFull(): boolean {
    return this.commandStatus === CommandStatus.ESME_RMSGQFUL;
  }
}

/** No response within the response timer (SMPP 3.4 §7.2). The request may or may not have been executed. */
export class SmppTimeoutError extends SmppError {
  readonly command: string;
  readonly sequenceNumber: number;

  constructor(command: string, sequenceNumber: number, ms: number) {
    super('HERMOD_ERR_SMPP_TIMEOUT', `no response to ${command} #${sequenceNumber} within ${ms} ms`, true);
    this.command = command;
    this.sequenceNumber = sequenceNumber;
  }
}

/** The connection closed while the request was in flight. */
export class SmppConnectionLostError extends SmppError {
  constructor(message = 'SMPP connection lost', options?: { cause?: unknown }) {
    super('HERMOD_ERR_SMPP_CONNECTION_LOST', message, true, options);
  }
}

/** The session is not in a state that allows the operation (not bound yet, closing, closed). */
export class SmppStateError extends SmppError {
  constructor(message: string) {
    super('HERMOD_ERR_SMPP_STATE', message, true);
  }
}
