/**
 * Web users' sessions on the HTTP APIs (docs/security.md, "Web sessions"): where a request's
 * session token is (a Bearer `hs_…` token, or the HttpOnly `hermod_session` cookie), the CSRF
 * rule for cookies, and the roles.
 *
 * - **CSRF**: a request authenticated by the cookie that may change something (any method
 *   but GET, HEAD, OPTIONS) must carry `X-Hermod-CSRF` equal to the session's CSRF token
 *   (the sign-in's answer and GET /v1/session give it). Another site can make the browser
 *   send the cookie (SameSite=Strict already stops most of that) but can neither read the
 *   token nor set a custom header on a cross-site request without CORS, which Hermod never
 *   grants. A Bearer token is never sent by the browser on its own, so it needs none.
 * - **Roles** of members on REST v1: every route needs `viewer` for GET/HEAD and `sender`
 *   for anything else, unless it says otherwise with `config: { role }` (managing people,
 *   API keys and account settings: `role: 'admin'`). Routes added later are covered by
 *   default. An API key is the account itself: it may do everything.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { MemberRole, PeopleService, SignedIn } from '../../engine/index.js';
import { isSessionToken } from '../../engine/index.js';
import { HttpProblem, problems } from '../problem.js';

/** What a REST v1 or admin route may need: `owner` > `admin` > `sender` > `viewer`. */
export type RequiredRole = MemberRole;

/** Who a request acts as, set by the authentication hooks. */
export type Access =
  | { kind: 'api_key'; role: 'admin'; webUserId: null }
  | { kind: 'member'; role: MemberRole; webUserId: number; sessionId: number }
  | { kind: 'operator'; role: null; webUserId: number; sessionId: number };

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is acting: an API key (the account itself), a member's session, an operator's session. */
    access?: Access;
  }
  interface FastifyContextConfig {
    /** The least member role the route needs (default: viewer for GET/HEAD, sender otherwise). */
    role?: RequiredRole;
  }
}

export const SESSION_COOKIE = 'hermod_session';
export const CSRF_HEADER = 'x-hermod-csrf';
export const API_KEY_ACCESS: Access = { kind: 'api_key', role: 'admin', webUserId: null };

const RANK: Record<MemberRole, number> = { viewer: 1, sender: 2, admin: 3, owner: 4 };
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export type SessionResolver = Pick<PeopleService, 'resolve'>;

/** The value of one cookie of a Cookie header, or undefined. */
export function cookieOf(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** A request's session token and how it came: a Bearer `hs_` token first, else the cookie. */
export function sessionTokenOf(req: FastifyRequest): { token: string; via: 'bearer' | 'cookie' } | undefined {
  const h = req.headers.authorization;
  const m = typeof h === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
  if (m) return isSessionToken(m[1]) ? { token: m[1], via: 'bearer' } : undefined;
  const c = cookieOf(req.headers.cookie, SESSION_COOKIE);
  return c ? { token: c, via: 'cookie' } : undefined;
}

/**
 * Resolves the request's session (undefined when it carries none); a token that signs
 * nobody in is 401, a cookie-authenticated change without the CSRF header 403.
 */
export async function webSessionOf(
  req: FastifyRequest,
  sessions: SessionResolver,
): Promise<(SignedIn & { token: string; via: 'bearer' | 'cookie' }) | undefined> {
  const t = sessionTokenOf(req);
  if (!t) return undefined;
  const who = await sessions.resolve(t.token);
  if (!who) throw problems.unauthorized('the session has expired or ended: sign in again (POST /v1/session)');
  if (t.via === 'cookie' && !SAFE_METHODS.has(req.method)) checkCsrf(req, who.csrf);
  return { ...who, ...t };
}

function checkCsrf(req: FastifyRequest, csrf: string): void {
  const got = req.headers[CSRF_HEADER];
  const given = Buffer.from(typeof got === 'string' ? got : '');
  const want = Buffer.from(csrf);
  if (given.length !== want.length || !timingSafeEqual(given, want))
    throw new HttpProblem(
      403,
      'HERMOD_ERR_CSRF',
      `a request authenticated by the session cookie that changes something needs the ${CSRF_HEADER} header (the csrf value of GET /v1/session)`,
    );
}

/** The access of a signed-in web user. */
export function accessOf(who: SignedIn): Access {
  return who.user.kind === 'operator'
    ? { kind: 'operator', role: null, webUserId: who.user.id, sessionId: who.session.id }
    : { kind: 'member', role: who.user.role!, webUserId: who.user.id, sessionId: who.session.id };
}

export const passwordChangeRequired = (): HttpProblem =>
  new HttpProblem(
    403,
    'HERMOD_ERR_PASSWORD_CHANGE_REQUIRED',
    'the password was set by someone else: choose your own first (POST /v1/session/password)',
  );

/** The role a REST v1 route needs for this request. */
export function requiredRole(req: FastifyRequest): RequiredRole {
  return req.routeOptions.config?.role ?? (SAFE_METHODS.has(req.method) ? 'viewer' : 'sender');
}

/**
 * Refuses a member whose role is below what the route needs (403 HERMOD_ERR_FORBIDDEN_ROLE),
 * or who must change a temporary password first (403 HERMOD_ERR_PASSWORD_CHANGE_REQUIRED).
 */
export function enforceRole(req: FastifyRequest, who: SignedIn): void {
  if (who.user.mustChangePassword) throw passwordChangeRequired();
  const role = who.user.role;
  const need = requiredRole(req);
  if (!role || RANK[role] < RANK[need])
    throw new HttpProblem(
      403,
      'HERMOD_ERR_FORBIDDEN_ROLE',
      role
        ? `this needs the ${need} role or above; you are ${role}`
        : 'operators use the admin API (/v1/admin), not the customer API',
    );
}
