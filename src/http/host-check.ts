/**
 * A Host header allowlist (issue 13 item 10, DNS rebinding): a web page whose name an
 * attacker points at 127.0.0.1 reaches a loopback listener with its own name in Host. A
 * listener on loopback answers only the names of loopback, so such a page is refused.
 */
import type { FastifyInstance } from 'fastify';

export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

/** The host name of a Host header, without its port ("[::1]:8080" → "[::1]"). */
export function hostName(header: string | undefined): string {
  if (!header) return '';
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.indexOf(':');
  return colon === -1 ? h : h.slice(0, colon);
}

/** Answers 421 to a request whose Host is not one of `hosts` (names compared without port). */
export function allowHosts(
  app: FastifyInstance,
  hosts: readonly string[],
  refuse: (host: string) => Error,
): void {
  const allowed = new Set(hosts.map((h) => h.toLowerCase()));
  app.addHook('onRequest', async (req) => {
    const name = hostName(req.headers.host);
    if (!allowed.has(name)) throw refuse(name);
  });
}
