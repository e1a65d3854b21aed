/**
 * Bearer API keys for REST v1. A key is looked up by its SHA-256; lookups are cached for a
 * few seconds so that a busy client does not cost one store read per request (a disabled
 * user takes effect within `cacheMs`; a key revoked through this node's admin API at once,
 * through `forget()`, and within `cacheMs` on other nodes).
 *
 * With `sessions`, a web user's session (a Bearer `hs_…` token or the session cookie) is
 * accepted too: `req.apiUser` is the member's account, `req.access` says who acts and with
 * which role, and the role is enforced here, for every REST v1 route (src/http/engine/web-auth.ts).
 */
import type { FastifyRequest } from 'fastify';
import { allowsAddress, hashApiKey, type User } from '../../domain/index.js';
import { reject, type ApiKeys } from '../../gateway/index.js';
import { problems } from '../problem.js';
import {
  API_KEY_ACCESS,
  accessOf,
  enforceRole,
  webSessionOf,
  type SessionResolver,
} from '../engine/web-auth.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The REST v1 user the request's API key belongs to (set by the auth hook). */
    apiUser?: User;
  }
}

export class ApiKeyAuth {
  private readonly cache = new Map<string, { user: User | undefined; until: number }>();

  constructor(
    private readonly keys: Pick<ApiKeys, 'userOf'>,
    private readonly cacheMs = 2000,
    private readonly sessions?: SessionResolver,
  ) {}

  /** Forgets every lookup (after a key was revoked): the next request reads the store. */
  forget(): void {
    this.cache.clear();
  }

  async authenticate(req: FastifyRequest): Promise<void> {
    const who = this.sessions && (await webSessionOf(req, this.sessions));
    if (who) {
      enforceRole(req, who);
      const account = who.account!;
      if (!account.enabled) throw reject.userDisabled();
      if (!allowsAddress(account.settings.access, req.socket.remoteAddress))
        throw problems.addressNotAllowed(req.socket.remoteAddress);
      req.apiUser = account;
      req.access = accessOf(who);
      return;
    }
    const h = req.headers.authorization;
    const m = typeof h === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
    if (!m) throw problems.unauthorized();
    const hash = hashApiKey(m[1]);
    const now = Date.now();
    let hit = this.cache.get(hash);
    if (!hit || hit.until <= now) {
      if (this.cache.size > 10_000) this.cache.clear();
      hit = { user: await this.keys.userOf(hash), until: now + this.cacheMs };
      this.cache.set(hash, hit);
    }
    if (!hit.user) throw problems.unauthorized('unknown API key');
    if (!hit.user.enabled) throw reject.userDisabled();
    if (!allowsAddress(hit.user.settings.access, req.socket.remoteAddress))
      throw problems.addressNotAllowed(req.socket.remoteAddress);
    req.apiUser = hit.user;
    req.access = API_KEY_ACCESS;
  }
}
