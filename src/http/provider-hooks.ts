/**
 * Callbacks from upstream HTTP providers (an `http` connector's delivery reports and
 * inbound messages): `GET|POST /v1/hooks/connectors/{id}/dlr|mo?token=…`, fields in the query string, an
 * urlencoded form or a flat JSON object. Not behind API keys: each connector's own token
 * authenticates its provider. Answered only after the report or message is stored, so a provider that
 * sees anything but 2xx sends it again.
 */
import formbody from '@fastify/formbody';
import type { FastifyPluginAsync } from 'fastify';
import type { Gateway } from '../gateway/index.js';

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

export const providerHooks: FastifyPluginAsync<{ gateway: Gateway }> = async (app, opts) => {
  await app.register(formbody);
  const schema = {
    tags: ['operations'],
    summary:
      "an HTTP provider's callback to an http connector: delivery reports (dlr) or inbound messages (mo); authenticated by the connector's dlr.token or mo.token",
    params: {
      type: 'object',
      required: ['id', 'kind'],
      properties: { id: { type: 'string' }, kind: { type: 'string', enum: ['dlr', 'mo'] } },
    },
    querystring: { type: 'object', additionalProperties: true, properties: { token: { type: 'string' } } },
  } as const;
  const handle = async (
    req: { params: { id: string; kind: string }; query: unknown; body?: unknown },
    reply: { code(n: number): { type(t: string): { send(b: string): unknown } } },
  ) => {
    const c = opts.gateway.getConnector(req.params.id);
    if (!c?.providerCallback)
      return reply.code(404).type('text/plain').send(`no http connector "${req.params.id}"`);
    const fields = fieldsOf(req.query, req.body);
    const token = fields.token;
    delete fields.token;
    const answer = await c.providerCallback(req.params.kind, fields, token);
    return reply.code(answer.status).type('text/plain').send(answer.body);
  };
  app.get<{ Params: { id: string; kind: string } }>('/v1/hooks/connectors/:id/:kind', { schema }, handle);
  app.post<{ Params: { id: string; kind: string } }>('/v1/hooks/connectors/:id/:kind', { schema }, handle);
};
