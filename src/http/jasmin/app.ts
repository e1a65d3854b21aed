/** The Jasmin-compatible listener (:1401): a Fastify app built apart from listen(), for inject() tests. */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import { jasminApi, type JasminApiOptions } from './plugin.js';

export interface JasminAppOptions extends JasminApiOptions {
  logger?: FastifyBaseLogger;
}

export async function buildJasminApp(opts: JasminAppOptions): Promise<FastifyInstance> {
  const { logger, ...api } = opts;
  const app = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    // Per-request lines at info would carry numbers and URLs at volume; errors are logged.
    logController: new LogController({ disableRequestLogging: true }),
    // Jasmin's /send carries its arguments in the query or a form body; both are small.
    bodyLimit: 64 * 1024,
  });
  await app.register(formbody);
  await app.register(jasminApi, api);
  return app;
}

export { jasminApi, type JasminApiOptions, type ResponseFormat } from './plugin.js';
