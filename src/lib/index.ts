export { HermodError, hasCode } from './errors.js';
export { deferred, type Deferred } from './deferred.js';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
export { systemClock, FakeClock, type Clock, type Timer } from './clock.js';
