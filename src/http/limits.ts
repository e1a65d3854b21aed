/**
 * Timeouts and a connection cap for an HTTP listener (issue 13 item 8, slowloris): a client
 * that drips its headers or body a byte at a time, or holds idle connections, is closed
 * instead of holding a slot forever. Fastify's own default `requestTimeout` is 0 (none).
 */
import type { ServerOptions } from 'node:http';
import type { FastifyInstance } from 'fastify';

export interface HttpLimits {
  /** The whole request (headers and body) must arrive within this (ms); 408 then close. */
  requestTimeoutMs: number;
  /** The headers must arrive within this (ms); 408 then close. */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this (ms). */
  keepAliveTimeoutMs: number;
  /** A socket with no traffic at all is closed after this (ms). */
  idleTimeoutMs: number;
  /** Open connections to this listener; more are closed as they arrive. */
  maxConnections: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 60_000,
  maxConnections: 1000,
};

/** The Fastify options that carry the limits (the cap is applied by `capConnections`). */
export function limitOptions(l: HttpLimits): {
  requestTimeout: number;
  connectionTimeout: number;
  keepAliveTimeout: number;
  http: ServerOptions;
} {
  // Node's headersTimeout may not exceed requestTimeout.
  const headersTimeout = Math.min(l.headersTimeoutMs, l.requestTimeoutMs);
  return {
    requestTimeout: l.requestTimeoutMs,
    connectionTimeout: l.idleTimeoutMs,
    keepAliveTimeout: l.keepAliveTimeoutMs,
    http: {
      headersTimeout,
      // Node checks the request and headers deadlines every connectionsCheckingInterval
      // (30 s by default): a deadline of 10 s would then hold for up to 40 s.
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(headersTimeout / 2))),
    },
  };
}

/** Caps the app's server at `maxConnections` (net.Server drops the connections beyond it). */
export function capConnections(app: FastifyInstance, l: HttpLimits): void {
  app.server.maxConnections = l.maxConnections;
}
