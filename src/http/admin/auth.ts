/**
 * Admin keys: `Authorization: Bearer <key>`, compared in constant time. An operator's web
 * session is accepted too: the API app's operator-session hook (src/http/admin/web-users.ts,
 * `operatorSessions`) runs before this one and marks the request (`req.access`).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { problem, sendProblem } from '../problem.js';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Whether `header` (an Authorization value) carries one of `keys`; compared in constant time. */
export function carriesAdminKey(keys: readonly string[], header: string | undefined): boolean {
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!m) return false;
  const got = digest(m[1]);
  let ok = false;
  for (const k of keys) ok = timingSafeEqual(digest(k), got) || ok;
  return ok;
}

/** An onRequest hook that refuses requests without one of `keys` or an operator's session (401, problem+json). */
export function adminAuth(keys: readonly string[]) {
  const wanted = keys.map(digest);
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (req.access?.kind === 'operator') return;
    const header = req.headers.authorization;
    const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!m) {
      reply.header('www-authenticate', 'Bearer realm="hermod-admin"');
      await sendProblem(
        reply,
        problem(401, 'HERMOD_ERR_UNAUTHORIZED', 'an admin key is required: Authorization: Bearer <key>'),
      );
      return;
    }
    const got = digest(m[1]);
    // Compare with every key (no early exit), so timing says nothing about which matched.
    let ok = false;
    for (const w of wanted) ok = timingSafeEqual(w, got) || ok;
    if (!ok) {
      reply.header('www-authenticate', 'Bearer realm="hermod-admin", error="invalid_token"');
      await sendProblem(reply, problem(401, 'HERMOD_ERR_INVALID_ADMIN_KEY', 'this key is not an admin key'));
    }
  };
}
