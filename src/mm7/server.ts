/**
 * A small HTTP server speaking MM7 on one side (node:http): basic authentication, a body cap,
 * and `answerMm7` for the rest. The MMSC simulator listens with it; tests use it as a VASP.
 * With client.ts, the only place in mm7/ that touches the network. Hermod's own VASP endpoint
 * will be a Fastify route over the same `answerMm7`.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { Buffer } from 'node:buffer';
import type { AddressInfo } from 'node:net';
import { answerMm7, errorResponse, faultAnswer, type Mm7Answer, type Mm7Request } from './answer.js';
import { DEFAULT_LIMITS, type Mm7Limits } from './envelope.js';
import { Mm7Status } from './status.js';
import type { Mm7Message } from './types.js';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

export interface Mm7ServerOptions {
  readonly host?: string;
  /** 0 (default): any free port. */
  readonly port?: number;
  readonly role: 'relay' | 'vasp';
  /** Accepted basic-auth credentials; absent: no authentication. */
  readonly credentials?: readonly Credentials[];
  readonly limits?: Mm7Limits;
  readonly handle: (req: Mm7Request) => Promise<Mm7Message> | Mm7Message;
}

export interface Mm7Server {
  /** `http://host:port/mm7` */
  readonly url: string;
  close(): Promise<void>;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function authorised(
  header: string | undefined,
  credentials: readonly Credentials[] | undefined,
): boolean {
  if (!credentials) return true;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  const user = decoded.slice(0, colon);
  const pass = decoded.slice(colon + 1);
  // Every entry is compared, so the time taken does not tell which user exists.
  return credentials.reduce((ok, c) => (same(c.username, user) && same(c.password, pass) ? true : ok), false);
}

/** Reads a body up to `max` bytes; undefined past it (the rest is not read). */
async function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function startMm7Server(opts: Mm7ServerOptions): Promise<Mm7Server> {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const server: Server = createServer((req, res) => {
    const reply = (a: Mm7Answer, extra: Record<string, string> = {}) => {
      res.writeHead(a.status, { 'Content-Type': a.contentType, ...extra });
      res.end(a.body);
    };
    void (async () => {
      if (req.method !== 'POST') {
        res.writeHead(405, { Allow: 'POST' }).end();
        return;
      }
      if (!authorised(req.headers.authorization, opts.credentials)) {
        req.resume();
        const e = errorResponse(
          opts.role,
          'unknown',
          Mm7Status.IMPROPER_IDENTIFICATION,
          'basic authentication refused',
        );
        reply(faultAnswer(e, undefined, 401), { 'WWW-Authenticate': 'Basic realm="mm7"' });
        return;
      }
      const body = await readBody(req, limits.maxBytes);
      if (!body) {
        const e = errorResponse(
          opts.role,
          'unknown',
          Mm7Status.CONTENT_REFUSED,
          `over ${limits.maxBytes} bytes`,
        );
        reply(faultAnswer(e, undefined, 413), { Connection: 'close' });
        return;
      }
      reply(
        await answerMm7({ contentType: req.headers['content-type'] ?? '', body }, opts.handle, {
          role: opts.role,
          limits,
        }),
      );
    })().catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(err));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}/mm7`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
