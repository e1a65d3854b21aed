/**
 * Two-factor sign-in (TOTP, RFC 6238) of a signed-in web user, operator or member, and what
 * the sign-in page may know before anyone signs in. Beside the session routes, outside REST
 * v1's API keys: a web user's own setting, by their session only.
 *
 * - `GET /v1/sign-in`: `{demo: true}` in demo mode (the page then shows the demo's public
 *   sign-ins), `{demo: false}` otherwise; nothing else without a session.
 * - `GET /v1/session/totp`: whether it is on. `POST` starts a setup (the secret, the
 *   `otpauth://` URI and its QR code as SVG, in this answer only); `POST …/confirm` with a
 *   code of the app turns it on; `POST …/disable` with a current code turns it off.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type {} from '@fastify/swagger';
import type { Engine } from '../../engine/index.js';
import { problems } from '../problem.js';
import { webSessionOf } from './web-auth.js';

export interface SecondFactorRouteOptions {
  engine: Engine;
  demo: boolean;
}

const problem = { $ref: 'Problem#' } as const;
const answers = { 400: problem, 401: problem, 403: problem, 409: problem, default: problem } as const;
const codeBody = {
  type: 'object',
  required: ['code'],
  additionalProperties: false,
  properties: { code: { type: 'string', minLength: 1, maxLength: 10, description: '6 digits from the app' } },
} as const;

export async function secondFactorRoutes(
  app: FastifyInstance,
  opts: SecondFactorRouteOptions,
): Promise<void> {
  const { people, account } = opts.engine;
  const signedIn = async (req: FastifyRequest) => {
    const who = await webSessionOf(req, people);
    if (!who) throw problems.unauthorized('sign in first (POST /v1/session)');
    return who;
  };

  app.get(
    '/v1/sign-in',
    {
      schema: {
        tags: ['session'],
        summary: 'What the sign-in page may say before anyone signs in: whether this is the demo',
        security: [],
        response: { 200: { type: 'object', properties: { demo: { type: 'boolean' } } } },
      },
    },
    async () => ({ demo: opts.demo }),
  );

  app.get(
    '/v1/session/totp',
    {
      schema: {
        tags: ['session'],
        summary: 'Whether your two-factor sign-in (TOTP) is on',
        security: [{ bearer: [] }],
        response: { 200: { type: 'object', properties: { enabled: { type: 'boolean' } } }, ...answers },
      },
    },
    async (req, reply) => {
      const who = await signedIn(req);
      reply.header('cache-control', 'no-store');
      return { enabled: await account.totpEnabled(who.user.id) };
    },
  );

  app.post(
    '/v1/session/totp',
    {
      schema: {
        tags: ['session'],
        summary: 'Set up two-factor sign-in: a new secret for your authenticator app (on once confirmed)',
        security: [{ bearer: [] }],
        response: {
          201: {
            type: 'object',
            properties: {
              secret: {
                type: 'string',
                description: 'base32, to type into the app by hand; shown this once',
              },
              uri: { type: 'string', description: 'otpauth://totp/…' },
              qr_svg: { type: 'string', description: 'the URI as a QR code (an SVG document)' },
            },
          },
          ...answers,
        },
      },
    },
    async (req, reply) => {
      const who = await signedIn(req);
      const s = await account.setupTotp(who.user.id, who.user.email);
      reply.header('cache-control', 'no-store');
      return reply.code(201).send({ secret: s.secret, uri: s.uri, qr_svg: s.qrSvg });
    },
  );

  app.post<{ Body: { code: string } }>(
    '/v1/session/totp/confirm',
    {
      schema: {
        tags: ['session'],
        summary: 'Turn two-factor sign-in on with a code of the app (after POST /v1/session/totp)',
        security: [{ bearer: [] }],
        body: codeBody,
        response: { 204: { type: 'null' }, ...answers },
      },
    },
    async (req, reply) => {
      const who = await signedIn(req);
      await account.confirmTotp(who.user.id, req.body.code);
      req.log.info({ webUser: who.user.id }, 'two-factor sign-in turned on');
      return reply.code(204).send();
    },
  );

  app.post<{ Body: { code: string } }>(
    '/v1/session/totp/disable',
    {
      schema: {
        tags: ['session'],
        summary: 'Turn two-factor sign-in off (a current code is needed)',
        security: [{ bearer: [] }],
        body: codeBody,
        response: { 204: { type: 'null' }, ...answers },
      },
    },
    async (req, reply) => {
      const who = await signedIn(req);
      await account.disableTotp(who.user.id, req.body.code);
      req.log.info({ webUser: who.user.id }, 'two-factor sign-in turned off');
      return reply.code(204).send();
    },
  );
}
