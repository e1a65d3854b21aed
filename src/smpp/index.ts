/**
 * Hermod's SMPP 3.4 / 5.0 implementation as a standalone library: the codec, text
 * encodings and concatenation, delivery receipts, sessions, the ESME client and the
 * SMSC server. It depends on nothing but Node and ../lib.
 */
export * from './codec/index.js';
export * from './charset/index.js';
export * from './receipt/index.js';
export * from './session/index.js';
export * from './client/index.js';
export * from './server/index.js';
export {
  connectSocket,
  createListener,
  listen,
  type ConnectOptions,
  type ListenOptions,
  type TlsClientOptions,
  type TlsServerOptions,
} from './transport/index.js';
