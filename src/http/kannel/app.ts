/** The Kannel-compatible listener (:13013): a Fastify app built apart from listen(), for inject() tests. */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { kannelApi, type KannelApiOptions } from './plugin.js';
import { DEFAULT_HTTP_LIMITS, capConnections, limitOptions, type HttpLimits } from '../limits.js';

export interface KannelAppOptions extends KannelApiOptions {
  logger?: FastifyBaseLogger;
  /** Timeouts and connection cap of the listener (default DEFAULT_HTTP_LIMITS). */
  limits?: HttpLimits;
}

export async function buildKannelApp(opts: KannelAppOptions): Promise<FastifyInstance> {
  const { logger, limits = DEFAULT_HTTP_LIMITS, ...api } = opts;
  const app = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    // Per-request lines would carry numbers and texts in the query at volume; errors are logged.
    logController: new LogController({ disableRequestLogging: true }),
    // sendsms carries its arguments in the query, X-Kannel-* headers or a small body.
    bodyLimit: 64 * 1024,
    ...limitOptions(limits),
  });
  capConnections(app, limits);
  await app.register(kannelApi, api);
  return app;
}

export { kannelApi, type KannelApiOptions } from './plugin.js';
