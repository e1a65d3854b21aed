/**
 * Callbacks from upstream peers to a connector: `GET|POST /v1/hooks/connectors/{id}/{kind}`.
 * Not behind API keys: each connector authenticates its own peer (a token, basic auth, a
 * signature). Two kinds of connector answer here:
 * - one with `inboundHttp` gets the request raw (method, URL, headers, body bytes): MM7 and
 *   the providers whose webhooks are signed over the exact body;
 * - an `http` connector's `providerCallback` gets its fields (query first, then an urlencoded
 *   form or a flat JSON object, which win) and `?token=`, for `dlr` or `mo`.
 * Answered only after what the request carried is stored, so a peer that sees anything but
 * 2xx sends it again. An unknown connector is answered 404 before its body is read.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Connector, Gateway } from '../gateway/index.js';

/** The route's body cap: the largest `inboundBodyLimit` a connector may ask for. */
const MAX_BODY = 16 * 1024 * 1024;
const DEFAULT_BODY = 1024 * 1024;

/** The callback's fields as strings: query first, then the body's (which win). */
function fieldsOf(query: unknown, body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const src of [query, body]) {
    if (typeof src !== 'object' || src === null || Array.isArray(src)) continue;
    for (const [k, v] of Object.entries(src as Record<string, unknown>)) {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    }
  }
  return out;
}

/** An urlencoded form or a JSON object, from the raw body; undefined for anything else. */
function parsedBody(type: string | undefined, raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  if (type?.startsWith('application/x-www-form-urlencoded'))
    return Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
  if (type?.startsWith('application/json')) {
    try {
      return JSON.parse(raw.toString('utf8')) as unknown;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

type HookRequest = FastifyRequest<{ Params: { id: string; kind: string } }>;

export const providerHooks: FastifyPluginAsync<{ gateway: Gateway }> = async (app, opts) => {
  // Every body raw: the connector (or fieldsOf) reads it.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_BODY }, (_req, body, done) =>
    done(null, body),
  );
  const connectorOf = (req: HookRequest): Connector | undefined => {
    const c = opts.gateway.getConnector(req.params.id);
    return c && (c.inboundHttp || c.providerCallback) ? c : undefined;
  };
  const schema = {
    tags: ['operations'],
    summary:
      "a peer's callback to a connector: an http connector's delivery reports (dlr) or inbound messages (mo), authenticated by its dlr.token or mo.token; MM7 and provider connectors' own endpoints",
    params: {
      type: 'object',
      required: ['id', 'kind'],
      properties: { id: { type: 'string' }, kind: { type: 'string', pattern: '^[a-z0-9_-]{1,32}$' } },
    },
    querystring: { type: 'object', additionalProperties: true, properties: { token: { type: 'string' } } },
  } as const;
  // Before the body is read: an unknown connector, or a body larger than its connector takes.
  const onRequest = async (req: HookRequest, reply: FastifyReply) => {
    const c = connectorOf(req);
    if (!c) return reply.code(404).type('text/plain').send(`no connector "${req.params.id}" takes callbacks`);
    const limit = Math.min(c.inboundBodyLimit ?? DEFAULT_BODY, MAX_BODY);
    const length = Number(req.headers['content-length'] ?? 0);
    if (length > limit)
      return reply.code(413).type('text/plain').send(`the body is larger than ${limit} bytes`);
  };
  const handle = async (req: HookRequest, reply: FastifyReply) => {
    const c = connectorOf(req);
    if (!c) return reply.code(404).type('text/plain').send(`no connector "${req.params.id}" takes callbacks`);
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const limit = Math.min(c.inboundBodyLimit ?? DEFAULT_BODY, MAX_BODY);
    if (raw.length > limit)
      return reply.code(413).type('text/plain').send(`the body is larger than ${limit} bytes`);
    if (c.inboundHttp) {
      const answer = await c.inboundHttp({
        kind: req.params.kind,
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: raw,
      });
      if (answer.headers) void reply.headers(answer.headers);
      return reply.code(answer.status).type(answer.contentType).send(answer.body);
    }
    if (req.params.kind !== 'dlr' && req.params.kind !== 'mo')
      return reply
        .code(404)
        .type('text/plain')
        .send(`an http connector takes dlr and mo, not "${req.params.kind}"`);
    const fields = fieldsOf(req.query, parsedBody(req.headers['content-type'], raw));
    const token = fields.token;
    delete fields.token;
    const answer = await c.providerCallback!(req.params.kind, fields, token);
    return reply.code(answer.status).type('text/plain').send(answer.body);
  };
  for (const method of ['GET', 'POST'] as const)
    app.route({ method, url: '/v1/hooks/connectors/:id/:kind', schema, onRequest, handler: handle });
};
