/**
 * MM7 (3GPP TS 23.140, SOAP over HTTP between a VASP and an MMS relay/server) as a library:
 * message values, their SOAP and MIME encodings, the status tables, a VASP client and an
 * MMSC simulator. It knows nothing of users, stores or Hermod's HTTP servers.
 */
export type {
  Attachment,
  DeliverReq,
  DeliverRsp,
  DeliveryReportReq,
  DeliveryReportRsp,
  ErrorRsp,
  MessageOf,
  Mm7Address,
  Mm7Content,
  Mm7Kind,
  Mm7Message,
  Mm7StatusValue,
  Priority,
  ReadReplyReq,
  ReadReplyRsp,
  Recipients,
  SubmitReq,
  SubmitRsp,
} from './types.js';
export { MM7_NAMESPACES, SOAP_ENV, isMm7Namespace, type Mm7Schema } from './namespaces.js';
export {
  MM7_STATUS,
  MM_STATUSES,
  Mm7Status,
  isMmStatus,
  reportState,
  statusOutcome,
  statusText,
  type MmStatus,
  type ReportState,
  type StatusOutcome,
} from './status.js';
export { Mm7ParseError, Mm7RequestError, type Mm7ParseCode, type Mm7RequestCode } from './errors.js';
export { encodeSoap, type EncodeSoapOptions } from './soap-encode.js';
export { parseSoap, type ParsedSoap } from './soap-parse.js';
export {
  DEFAULT_LIMITS,
  encodeMm7,
  parseMm7,
  type EncodedMm7,
  type EncodeOptions,
  type Mm7Limits,
  type ParsedMm7,
} from './envelope.js';
export {
  answerMm7,
  errorResponse,
  faultAnswer,
  isRequest,
  responseTo,
  status,
  type AnswerOptions,
  type Mm7Answer,
  type Mm7Request,
} from './answer.js';
export { Mm7Client, type Draft, type Mm7ClientOptions } from './client.js';
export {
  authorised,
  startMm7Server,
  type Credentials,
  type Mm7Server,
  type Mm7ServerOptions,
} from './server.js';
export {
  MmscSimulator,
  type MmscScriptRule,
  type MmscSimulatorOptions,
  type MmscStats,
  type SentReport,
  type SubmittedMms,
} from './mmsc-simulator.js';
