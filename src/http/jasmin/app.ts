/** The Jasmin-compatible listener (:1401): a Fastify app built apart from listen(), for inject() tests. */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import { jasminApi, type JasminApiOptions } from './plugin.js';
import { boundJsonDepth } from '../json-depth.js';
import { DEFAULT_HTTP_LIMITS, capConnections, limitOptions, type HttpLimits } from '../limits.js';

export interface JasminAppOptions extends JasminApiOptions {
  logger?: FastifyBaseLogger;
  /** Timeouts and connection cap of the listener (default DEFAULT_HTTP_LIMITS). */
  limits?: HttpLimits;
}

export async function buildJasminApp(opts: JasminAppOptions): Promise<FastifyInstance> {
  const { logger, limits = DEFAULT_HTTP_LIMITS, ...api } = opts;
  const app = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    // Per-request lines at info would carry numbers and URLs at volume; errors are logged.
    logController: new LogController({ disableRequestLogging: true }),
    // Jasmin's /send carries its arguments in the query or a form body; both are small.
    bodyLimit: 64 * 1024,
    ...limitOptions(limits),
  });
  capConnections(app, limits);
  boundJsonDepth(app, (max) =>
    Object.assign(new Error(`the JSON body is nested deeper than ${max} levels`), {
      statusCode: 400,
      code: 'HERMOD_ERR_JSON_TOO_DEEP',
    }),
  );
  await app.register(formbody);
  await app.register(jasminApi, api);
  return app;
}

export { jasminApi, type JasminApiOptions, type ResponseFormat } from './plugin.js';
