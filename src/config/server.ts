/**
 * The `server:` block: the listeners' address and ports (each overridden by its environment
 * variable), SMPP over TLS, the PROXY protocol's trusted balancers, and demo mode's
 * loopback-only rule; every mistake named by its key path.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { isAddressOrCidr } from '../lib/address-list.js';
import { Checker, describe, type Obj } from './checker.js';
import type { Config, SmppTlsConfig } from './schema.js';

/** A port from the file, which the environment variable `envName` overrides when set. */
function portOf(
  c: Checker,
  server: Obj,
  key: string,
  def: number,
  envName: string,
  envValue: string | undefined,
): number {
  const port = c.num(server, key, 'server', { def, min: 0, max: 65535, int: true }) ?? def;
  if (envValue === undefined) return port;
  const n = Number(envValue);
  if (Number.isInteger(n) && n >= 0 && n <= 65535) return n;
  c.fail(envName, `expected an integer 0..65535, got "${envValue}"`);
  return port;
}

/** `server:`, its ports overridden by HERMOD_SMPP_PORT, HERMOD_HTTP_PORT, HERMOD_API_PORT, HERMOD_KANNEL_PORT and HERMOD_BIND. */
export function serverOf(c: Checker, root: Obj, env: NodeJS.ProcessEnv, demo: boolean): Config['server'] {
  const server =
    c.obj(root.server ?? {}, 'server', [
      'host',
      'smppPort',
      'smppTls',
      'proxyProtocol',
      'httpPort',
      'apiPort',
      'adminPort',
      'adminHost',
      'kannelPort',
    ]) ?? {};
  const smppPort = portOf(c, server, 'smppPort', 2775, 'HERMOD_SMPP_PORT', env.HERMOD_SMPP_PORT);
  const httpPort = portOf(c, server, 'httpPort', 1401, 'HERMOD_HTTP_PORT', env.HERMOD_HTTP_PORT);
  const smppTls =
    server.smppTls === undefined || server.smppTls === null
      ? undefined
      : checkSmppTls(c, server.smppTls, env);
  const proxyProtocol =
    server.proxyProtocol === undefined || server.proxyProtocol === null
      ? undefined
      : proxyProtocolOf(c, server.proxyProtocol);
  const apiPort = portOf(c, server, 'apiPort', 8080, 'HERMOD_API_PORT', env.HERMOD_API_PORT);
  const adminPort =
    server.adminPort === undefined && env.HERMOD_ADMIN_PORT === undefined
      ? undefined
      : portOf(c, server, 'adminPort', 8081, 'HERMOD_ADMIN_PORT', env.HERMOD_ADMIN_PORT);
  // A door more only when asked for (docs/kannel-http-api.md): an upgrade opens no new port.
  const kannelPort =
    server.kannelPort === undefined && env.HERMOD_KANNEL_PORT === undefined
      ? undefined
      : portOf(c, server, 'kannelPort', 13013, 'HERMOD_KANNEL_PORT', env.HERMOD_KANNEL_PORT);
  // Loopback unless the operator says otherwise: the admin side is for the host or a tunnel.
  const adminHost = c.str(server, 'adminHost', 'server', '127.0.0.1') ?? '127.0.0.1';
  // Demo mode listens on 127.0.0.1 only.
  const host = env.HERMOD_BIND ?? c.str(server, 'host', 'server', demo ? '127.0.0.1' : '0.0.0.0') ?? '';
  // Demo mode has published secrets (demo/demo, the demo keys) and allows loopback webhooks:
  // it refuses any other address (issue 13 item 10; docs/security.md).
  if (demo && !isLoopbackHost(host))
    c.fail(
      env.HERMOD_BIND !== undefined ? 'HERMOD_BIND' : 'server.host',
      `demo mode listens on loopback only (its account demo/demo and admin key are public), got "${host}": write a configuration file (HERMOD_CONFIG) with your own accounts and keys to listen on ${host}`,
    );
  return {
    host,
    smppPort,
    ...(smppTls ? { smppTls } : {}),
    ...(proxyProtocol ? { proxyProtocol } : {}),
    httpPort,
    apiPort,
    ...(adminPort !== undefined ? { adminPort } : {}),
    adminHost,
    ...(kannelPort !== undefined ? { kannelPort } : {}),
  };
}

/** 127.0.0.0/8, ::1 and localhost: the addresses demo mode may listen on. */
export function isLoopbackHost(host: string): boolean {
  return /^127(\.\d{1,3}){3}$/.test(host) || host === '::1' || host === 'localhost';
}

/** `server.proxyProtocol`: the load balancers whose PROXY header is believed. */
function proxyProtocolOf(c: Checker, x: unknown): { trusted: string[] } {
  const pp = c.obj(x, 'server.proxyProtocol', ['trusted']) ?? {};
  const trusted = c.list(pp, 'trusted', 'server.proxyProtocol').flatMap((v, i) => {
    if (typeof v === 'string' && isAddressOrCidr(v)) return [v];
    c.fail(
      `server.proxyProtocol.trusted[${i}]`,
      `expected an IPv4/IPv6 address or CIDR range of a load balancer, got ${describe(v)}`,
    );
    return [];
  });
  if (pp.trusted === undefined || (Array.isArray(pp.trusted) && pp.trusted.length === 0))
    c.fail(
      'server.proxyProtocol.trusted',
      'is required: the addresses of the load balancers whose PROXY header is believed',
    );
  return { trusted };
}

/**
 * `server.smppTls`: a second customer listener, SMPP over TLS (node-smpp's ssmpp://, port
 * 3550 by default; Jasmin's SMPP server has none). The PEM files are read and paired now, so
 * a wrong path or a key that does not match its certificate stops the start naming the key.
 */
function checkSmppTls(c: Checker, x: unknown, env: NodeJS.ProcessEnv): SmppTlsConfig | undefined {
  const p = 'server.smppTls';
  const o = c.obj(x, p, ['port', 'cert', 'key']);
  if (!o) return undefined;
  let port = c.num(o, 'port', p, { def: 3550, min: 0, max: 65535, int: true }) ?? 3550;
  if (env.HERMOD_SMPP_TLS_PORT !== undefined) {
    const n = Number(env.HERMOD_SMPP_TLS_PORT);
    if (!Number.isInteger(n) || n < 0 || n > 65535)
      c.fail('HERMOD_SMPP_TLS_PORT', `expected an integer 0..65535, got "${env.HERMOD_SMPP_TLS_PORT}"`);
    else port = n;
  }
  const pem: Record<'cert' | 'key', string | undefined> = { cert: undefined, key: undefined };
  for (const k of ['cert', 'key'] as const) {
    const path = c.str(o, k, p);
    if (path === undefined) continue;
    try {
      pem[k] = readFileSync(path, 'utf8');
    } catch (err) {
      c.fail(
        `${p}.${k}`,
        `cannot read ${describe(path)}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      );
    }
  }
  if (pem.cert === undefined || pem.key === undefined) return undefined;
  try {
    createSecureContext({ cert: pem.cert, key: pem.key });
  } catch (err) {
    c.fail(p, `the certificate and key do not make a TLS identity: ${(err as Error).message}`);
    return undefined;
  }
  return { port, cert: String(o.cert), key: String(o.key) };
}
