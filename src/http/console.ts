/**
 * The web console (web/, built into web/dist): its hashed assets with a year's cache, its
 * index.html without one (a new build is picked up at the next load), and index.html for
 * every other browser path (the console routes in the browser). API paths never fall back
 * to the page: an unknown /v1/… is the API's 404 problem. A strict Content-Security-Policy:
 * the console loads only its own scripts and styles and talks only to its own origin.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';

export const CONSOLE_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** Paths that belong to the APIs and tools, never to the console. */
const NOT_CONSOLE = /^\/(v1|v2|docs|openapi\.json|metrics|healthz|readyz)(\/|$|\?)/;

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

function pageHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .header('x-frame-options', 'DENY');
}

export interface ConsoleOptions {
  /** The built console (default web/dist beside src/). */
  root?: string;
}

export async function consoleRoutes(app: FastifyInstance, opts: ConsoleOptions): Promise<void> {
  const root = opts.root ?? CONSOLE_DIST;
  const indexFile = join(root, 'index.html');
  if (!existsSync(indexFile)) {
    // Installed without the build step (npm ci --ignore-scripts): say how to get it.
    app.get('/', { schema: { hide: true } }, async (_req, reply) =>
      pageHeaders(reply)
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The web console is not built. Run `npm run build:console` (npm ci does it), then reload.'),
    );
    return;
  }
  const index = readFileSync(indexFile);
  // Only reply.sendFile (its ranges, ETags and safe path joining): the routes are ours, hidden
  // from the OpenAPI document like every console path.
  await app.register(fastifyStatic, { root, serve: false });
  app.get<{ Params: { '*': string } }>('/assets/*', { schema: { hide: true } }, (req, reply) =>
    reply
      .header('cache-control', 'public, max-age=31536000, immutable')
      .sendFile(`assets/${req.params['*']}`, {
        cacheControl: false,
      }),
  );
  const page = (_req: unknown, reply: FastifyReply) =>
    pageHeaders(reply).header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(index);
  app.get('/', { schema: { hide: true } }, page);
  app.get('/*', { schema: { hide: true } }, (req, reply) => {
    if (NOT_CONSOLE.test(req.url)) return reply.callNotFound();
    return page(req, reply);
  });
}
