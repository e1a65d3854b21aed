/** Character sets, segment arithmetic, UDH, splitting and reassembly for SMS text. */
export { UnencodableCharacterError } from './errors.js';
export {
  DEFAULT_ALPHABET,
  DEFAULT_EXTENSION,
  LANGUAGE_ID,
  shiftTables,
  tablesForIds,
  type NationalLanguage,
  type ShiftTables,
} from './gsm-tables.js';
export { encodeGsm7, decodeGsm7, packSeptets, unpackSeptets, isGsm7, gsmCharCost } from './gsm7.js';
export {
  chooseEncoding,
  encodeText,
  decodeText,
  dataCodingOf,
  encodingOfDataCoding,
  type Encoding,
} from './text.js';
export {
  countSegments,
  segmentText,
  type SegmentCount,
  type SegmentOptions,
  type ConcatMethod,
} from './segments.js';
export {
  parseUdh,
  buildUdh,
  concatElement,
  type ParsedUdh,
  type UdhElement,
  type ConcatInfo,
} from './udh.js';
export {
  splitMessage,
  splitBinary,
  type SplitMethod,
  type SplitResult,
  type SmppPart,
  type SplitOptions,
} from './split.js';
export { Reassembler, type InboundPart, type Reassembled, type ReassemblerOptions } from './reassembler.js';
