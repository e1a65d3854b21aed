/**
 * Web sessions (the console's sign-in): POST /v1/session signs in with an email and a
 * password, GET says who is signed in, DELETE signs out; a user changes their own password,
 * and an invitation's set-password token sets one. Served outside REST v1's API-key hook (a
 * sign-in has no credentials yet), on every listener (public and admin): operators sign in
 * here too. The session token comes back twice: as an HttpOnly SameSite=Strict cookie for
 * the console, and in the body for clients that send it as a Bearer token.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/swagger';
import type { Engine, SignedIn, WebUser } from '../../engine/index.js';
import type { LoginGuard } from '../../gateway/login-guard.js';
import { problems } from '../problem.js';
import { snakeCaseProblems, snakeKeys, snakeSchema } from '../casing.js';
import { CSRF_HEADER, SESSION_COOKIE, webSessionOf } from './web-auth.js';

export interface SessionRouteOptions {
  engine: Engine;
  loginGuard: Pick<LoginGuard, 'login'>;
}

const problem = { $ref: 'Problem#' } as const;
const problemAnswers = { 400: problem, 401: problem, 403: problem, 429: problem, default: problem } as const;

/** A web user as the admin API shows it (camelCase); REST v1's is userView. */
export const webUserView = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    email: { type: 'string' },
    displayName: { type: 'string' },
    kind: { type: 'string', enum: ['member', 'operator'] },
    accountId: { type: ['integer', 'null'], description: "a member's account; null for an operator" },
    role: {
      type: ['string', 'null'],
      enum: ['owner', 'admin', 'sender', 'viewer', null],
      description: "a member's role; null for an operator",
    },
    enabled: { type: 'boolean' },
    mustChangePassword: {
      type: 'boolean',
      description: 'the password was set by someone else: the user must choose their own first',
    },
    hasPassword: { type: 'boolean', description: 'false while an invitation is pending' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    lastSignInAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

export const viewOfWebUser = (u: WebUser) => ({
  id: u.id,
  email: u.email,
  displayName: u.displayName,
  kind: u.kind,
  accountId: u.accountId,
  role: u.role,
  enabled: u.enabled,
  mustChangePassword: u.mustChangePassword,
  hasPassword: u.hasPassword,
  createdAt: new Date(u.createdAt).toISOString(),
  updatedAt: new Date(u.updatedAt).toISOString(),
  lastSignInAt: u.lastSignInAt === null ? null : new Date(u.lastSignInAt).toISOString(),
});

/** A web user in REST v1 (snake_case: display_name, must_change_password, …). */
export const userView = snakeSchema(webUserView);
export const viewOfUser = (u: WebUser) => snakeKeys(viewOfWebUser(u));

const sessionView = {
  type: 'object',
  properties: {
    user: userView,
    account: {
      type: ['object', 'null'],
      properties: { id: { type: 'integer' }, username: { type: 'string' } },
      description: "a member's account (its username is also its SMPP system_id); null for an operator",
    },
    csrf: { type: 'string', description: `send it as ${CSRF_HEADER} on changes authenticated by the cookie` },
    expires_at: { type: 'string', format: 'date-time', description: 'pushed forward by use' },
  },
} as const;

const viewOfSession = (who: SignedIn) => ({
  user: viewOfUser(who.user),
  account: who.account ? { id: who.account.id, username: who.account.username } : null,
  csrf: who.csrf,
  expires_at: new Date(who.session.expiresAt).toISOString(),
});

/**
 * The session cookie: HttpOnly (no script reads it), SameSite=Strict, Secure over HTTPS.
 * Hermod's listeners speak plain HTTP behind a TLS-terminating proxy, so the proxy's
 * X-Forwarded-Proto counts too: trusting it unchecked is harmless here, since a client that
 * claims HTTPS falsely only keeps its own browser from sending the cookie back over HTTP.
 */
function sessionCookie(req: FastifyRequest, value: string, maxAgeS: number): string {
  const forwarded = String(req.headers['x-forwarded-proto'] ?? '')
    .split(',')[0]
    .trim()
    .toLowerCase();
  const secure = req.protocol === 'https' || forwarded === 'https' ? '; Secure' : '';
  return `${SESSION_COOKIE}=${value}; Path=/v1; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure}`;
}

/** What the session routes share: the people service, the login guard, and who a request's session is. */
interface SessionContext {
  people: Engine['people'];
  loginGuard: SessionRouteOptions['loginGuard'];
  signedIn: (req: FastifyRequest) => Promise<SignedIn & { token: string }>;
}

export async function sessionRoutes(app: FastifyInstance, opts: SessionRouteOptions): Promise<void> {
  app.setErrorHandler(snakeCaseProblems);
  const people = opts.engine.people;
  const signedIn = async (req: FastifyRequest) => {
    const who = await webSessionOf(req, people);
    if (!who) throw problems.unauthorized('sign in first (POST /v1/session), or send the session token');
    return who;
  };
  const ctx: SessionContext = { people, loginGuard: opts.loginGuard, signedIn };
  signInRoute(app, ctx);
  whoRoute(app, ctx);
  signOutRoute(app, ctx);
  changePasswordRoute(app, ctx);
  setupRoute(app, ctx);
}

/** POST /v1/session: sign in; the token comes back as the cookie and in the body. */
function signInRoute(app: FastifyInstance, ctx: SessionContext): void {
  app.post<{ Body: { email: string; password: string; code?: string } }>(
    '/v1/session',
    {
      schema: {
        tags: ['session'],
        summary: 'Sign in (a web user: a member of an account, or an operator)',
        description:
          'Answers the session token in the body and as the HttpOnly cookie `hermod_session`. A wrong email and a wrong password get the same 401; repeated failures from an address or for an email lock sign-ins for a while (429).',
        security: [],
        body: {
          type: 'object',
          required: ['email', 'password'],
          additionalProperties: false,
          properties: {
            email: { type: 'string', minLength: 1, maxLength: 254 },
            password: { type: 'string', minLength: 1, maxLength: 200 },
            code: {
              type: 'string',
              maxLength: 10,
              description:
                'the 6-digit code of your authenticator app, when two-factor sign-in is on (without it: 401 HERMOD_ERR_CODE_REQUIRED)',
            },
          },
        },
        response: {
          201: {
            ...sessionView,
            properties: {
              ...sessionView.properties,
              token: { type: 'string', description: 'the session token (Authorization: Bearer), shown once' },
            },
          },
          ...problemAnswers,
        },
      },
    },
    async (req, reply) => {
      const s = await ctx.people.signIn(
        {
          email: req.body.email,
          password: req.body.password,
          ...(req.body.code !== undefined ? { code: req.body.code } : {}),
          address: req.socket.remoteAddress ?? 'unknown',
        },
        ctx.loginGuard,
      );
      reply.header(
        'set-cookie',
        sessionCookie(req, s.token, Math.floor(ctx.people.options.sessionMaxMs / 1000)),
      );
      reply.header('cache-control', 'no-store');
      return reply.code(201).send({ ...viewOfSession(s), token: s.token });
    },
  );
}

/** GET /v1/session: who is signed in. */
function whoRoute(app: FastifyInstance, ctx: SessionContext): void {
  app.get(
    '/v1/session',
    {
      schema: {
        tags: ['session'],
        summary: 'Who is signed in (the session of the cookie or the Bearer session token)',
        security: [{ bearer: [] }],
        response: { 200: sessionView, ...problemAnswers },
      },
    },
    async (req, reply) => {
      const who = await ctx.signedIn(req);
      reply.header('cache-control', 'no-store');
      return viewOfSession(who);
    },
  );
}

/** DELETE /v1/session: sign out and clear the cookie. */
function signOutRoute(app: FastifyInstance, ctx: SessionContext): void {
  app.delete(
    '/v1/session',
    {
      schema: {
        tags: ['session'],
        summary: 'Sign out (ends the session; the cookie is cleared)',
        security: [{ bearer: [] }],
        response: { 204: { type: 'null' }, ...problemAnswers },
      },
    },
    async (req, reply) => {
      const who = await ctx.signedIn(req);
      await ctx.people.signOut(who.token);
      reply.header('set-cookie', sessionCookie(req, '', 0));
      return reply.code(204).send();
    },
  );
}

/** POST /v1/session/password: change your own password. */
function changePasswordRoute(app: FastifyInstance, ctx: SessionContext): void {
  app.post<{ Body: { current_password: string; new_password: string } }>(
    '/v1/session/password',
    {
      schema: {
        tags: ['session'],
        summary: 'Change your own password (the current one is required); your other sessions end',
        security: [{ bearer: [] }],
        body: {
          type: 'object',
          required: ['current_password', 'new_password'],
          additionalProperties: false,
          properties: {
            current_password: { type: 'string', minLength: 1, maxLength: 200 },
            new_password: { type: 'string', minLength: 1, maxLength: 200 },
          },
        },
        response: { 204: { type: 'null' }, ...problemAnswers },
      },
    },
    async (req, reply: FastifyReply) => {
      const who = await ctx.signedIn(req);
      await ctx.people.changePassword(
        who,
        {
          current: req.body.current_password,
          next: req.body.new_password,
          address: req.socket.remoteAddress ?? 'unknown',
        },
        ctx.loginGuard,
      );
      return reply.code(204).send();
    },
  );
}

/** POST /v1/session/setup: set a password with a one-time set-password token. */
function setupRoute(app: FastifyInstance, ctx: SessionContext): void {
  app.post<{ Body: { token: string; password: string } }>(
    '/v1/session/setup',
    {
      schema: {
        tags: ['session'],
        summary: "Set a password with an invitation's (or a reset's) one-time set-password token",
        security: [],
        body: {
          type: 'object',
          required: ['token', 'password'],
          additionalProperties: false,
          properties: {
            token: { type: 'string', minLength: 1, maxLength: 100 },
            password: { type: 'string', minLength: 1, maxLength: 200 },
          },
        },
        response: { 200: userView, ...problemAnswers },
      },
    },
    async (req) => viewOfUser(await ctx.people.setPasswordWithToken(req.body.token, req.body.password)),
  );
}
