export { messageIdTime, newMessageId } from './ids.js';
export {
  normalizeMsisdn,
  type NormalizeOptions,
  countryOf,
  callingCodeOf,
  callingCodeOfCountry,
  isCountryCode,
  InvalidNumberError,
} from './number.js';
export { hashPassword, verifyPassword } from './password.js';
export {
  FINAL_STATES,
  RECEIPT_STAT,
  bodyText,
  type MessageMeta,
  type TelnyxMeta,
  type MessageState,
  type NewMessage,
  type StoredMessage,
  type User,
  type UserSpec,
} from './message.js';
export {
  DEFAULT_ACCESS,
  DEFAULT_ACCOUNT_RETENTION,
  DEFAULT_AUTHORIZATIONS,
  allowsAddress,
  DEFAULT_VALUE_FILTERS,
  InvalidAccountError,
  checkSmsCount,
  groupFromSpec,
  userSettings,
  valueFilterViolations,
  type Access,
  type AccountDefaults,
  type AccountRetention,
  type Authorizations,
  type Group,
  type GroupSpec,
  type Throughput,
  type UserSettings,
  type UserSettingsSpec,
  type ValueFilters,
} from './account.js';
export { compilePattern } from './pattern.js';
export { isOwnPart } from './receipt-match.js';
export {
  smsOf,
  topUpAmounts,
  afterTopUp,
  unsentRefund,
  MAX_BALANCE_MICROS,
  MAX_SMS_COUNT,
} from './billing.js';
export { aggregateState, type PartState } from './state.js';
export {
  chargedParts,
  countParts,
  splitForSubmit,
  withTextCoding,
  concatReference,
  SPLIT_SETTINGS,
  TEXT_DATA_CODINGS,
  type SplitSetting,
  type OutboundPart,
  type TextDataCoding,
} from './parts.js';
export { API_KEY_PREFIX, hashApiKey, newApiKey } from './apikey.js';
export { toMicros, formatMicros, InvalidAmountError, MICROS_PER_UNIT } from './money.js';
export type { MoRouteDef, MoReplySetting, MtFilters, RouteDef, RouteType, TimeWindow } from './routes.js';
export {
  DEFAULT_OPT_OUT,
  OPT_OUT_KINDS,
  OptOutRules,
  keywordOf,
  type OptOutKind,
  type OptOutPolicy,
  type OptOutSettings,
} from './opt-out.js';
export {
  MEDIA_ID,
  MEDIA_LIMITS,
  DEFAULT_MMS_PRICE_FACTOR,
  MMS_FALLBACKS,
  acceptedDetail,
  canCarry,
  mediaBytes,
  takesMms,
  isMms,
  newMediaId,
  type Capability,
  type MediaRef,
  type MmsFallback,
} from './media.js';
