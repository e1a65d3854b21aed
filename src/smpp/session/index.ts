export {
  Session,
  bindTypeOf,
  type SessionOptions,
  type SessionState,
  type SessionStats,
  type BindType,
  type Role,
  type BindCredentials,
} from './session.js';
export {
  SmppError,
  SmppStatusError,
  SmppTimeoutError,
  SmppConnectionLostError,
  SmppStateError,
} from './errors.js';
export { Window } from './window.js';
export { TokenBucket } from './token-bucket.js';
export type { SessionSocket } from './socket.js';
