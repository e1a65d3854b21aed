export { newMessageId } from './ids.js';
export { normalizeMsisdn, countryOf, callingCodeOf, callingCodeOfCountry, isCountryCode, InvalidNumberError } from './number.js';
export { hashPassword, verifyPassword } from './password.js';
export { FINAL_STATES, type MessageMeta, type MessageState, type NewMessage, type StoredMessage, type User } from './message.js';
export { compilePattern } from './pattern.js';
export { aggregateState, type PartState } from './state.js';
export { countParts, splitForSubmit, concatReference, SPLIT_SETTINGS, type SplitSetting, type OutboundPart } from './parts.js';
