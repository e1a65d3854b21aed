/** The SMPP codec: spec tables, typed PDUs, encode/decode, stream framing. Pure: no sockets. */
export {
  CommandId,
  PDU_COMMANDS,
  commandName,
  isResponse,
  responseCommandOf,
  type CommandName,
} from './commands.js';
export { CommandStatus, statusName, statusDescription, ALL_STATUSES, type StatusName } from './status.js';
export {
  TLV_TABLE,
  TlvTag,
  TLV_BY_TAG,
  type Tlvs,
  type TlvName,
  type RawTlv,
  type NetworkErrorCode,
} from './tlv-table.js';
export { BODY_TABLE } from './body-table.js';
export {
  makePdu,
  type Pdu,
  type PduOf,
  type PduInit,
  type PduHeader,
  type DestAddress,
  type UnsuccessSme,
} from './pdu.js';
export { encodePdu } from './encode.js';
export { decodePdu, decodeHeader, type PduHeaderFields } from './decode.js';
export { PduFramer, DEFAULT_MAX_PDU_LENGTH } from './framer.js';
export { SequenceNumbers, MAX_SEQUENCE } from './sequence.js';
export { SmppDecodeError, SmppEncodeError } from './errors.js';
export {
  parseSmppTime,
  formatSmppTime,
  formatRelativeSmppTime,
  SmppTimeError,
  type SmppTime,
} from './time.js';
