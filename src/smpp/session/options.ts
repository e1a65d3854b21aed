/** What a `Session` is configured with, what it counts, and what a bind sends. */
import type { Clock } from '../../lib/clock.js';
import type { Pdu } from '../codec/index.js';
import type { Role } from './states.js';

export interface SessionOptions {
  role: Role;
  /** Outstanding requests at most (default 10). */
  windowSize?: number;
  /** SMPP 3.4 §7.2 response_timer (default 10 s). */
  responseTimeoutMs?: number;
  /** §7.2 enquire_link_timer: probe after this long without traffic (default 30 s, 0 = off). */
  enquireLinkMs?: number;
  /** §7.2 inactivity_timer: close after this long without any PDU (default 0 = off). */
  inactivityMs?: number;
  /** §7.2 session_init_timer: close a connection not bound within this time (default 0 = off). */
  sessionInitMs?: number;
  /** Largest command_length accepted (default 64 KiB). */
  maxPduLength?: number;
  /** Inbound requests awaiting the owner's response before reading pauses (default 1000). */
  inboundWindow?: number;
  /**
   * Stop reading while more than this many octets wait in the socket's write buffer
   * (default 0 = never): a peer that sends without reading our answers cannot make us
   * buffer them without bound. Meant for the SMSC side; an ESME pausing too could deadlock
   * two peers that both write more than they read.
   */
  maxWriteBuffer?: number;
  /** Requests a peer may send before it is bound; one more closes the connection (default 0 = no limit). */
  maxUnboundRequests?: number;
  clock?: Clock;
  /**
   * Called for each inbound request before the owner sees it; a non-zero return is
   * answered as that command_status (the server's throughput limit uses this).
   */
  gate?: (pdu: Pdu) => number;
  /** Structured debug events (state changes, protocol anomalies). */
  onEvent?: (event: string, fields: Record<string, unknown>) => void;
  /** The peer's address when the socket's is not it (a PROXY protocol header named it). */
  remoteAddress?: string;
}

export interface SessionStats {
  requestsSent: number;
  responsesReceived: number;
  requestsReceived: number;
  timeouts: number;
  lateResponses: number;
  unexpectedResponses: number;
  decodeErrors: number;
}

export interface BindCredentials {
  systemId: string;
  password?: string;
  systemType?: string;
  interfaceVersion?: number;
  addrTon?: number;
  addrNpi?: number;
  addressRange?: string;
}
