/**
 * Operations endpoints: `/healthz` (liveness: the process answers), `/readyz` (readiness:
 * the store committed a write within the last few seconds, connectors are bound), both `application/health+json`
 * (draft-inadarei-api-health-check), and `/metrics` (Prometheus text).
 */
import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';

export const HEALTH_TYPE = 'application/health+json';

type Status = 'pass' | 'warn' | 'fail';

export interface OpsOptions {
  version: string;
  /** A committed write through the store (Store.ping). */
  storeWritable: () => Promise<void>;
  connectors: () => { id: string; ready: boolean }[];
  metrics?: { contentType: string; metrics(): Promise<string> };
  /** Readiness store check timeout (default 2 s). */
  storeTimeoutMs?: number;
  /**
   * How long one store check answers /readyz (default 5 s): probes and scrapers calling
   * /readyz do not write to the store per call (issue 13 item 11); concurrent calls share one.
   */
  storeCheckTtlMs?: number;
}

interface StoreCheck {
  status: Status;
  output?: string;
  observedValue?: number;
  observedUnit?: string;
}

const healthSchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['pass', 'warn', 'fail'] },
    version: { type: 'string' },
    checks: {
      type: 'object',
      additionalProperties: { type: 'array', items: { type: 'object', additionalProperties: true } },
    },
  },
} as const;

export async function opsRoutes(app: FastifyInstance, opts: OpsOptions): Promise<void> {
  const ttl = opts.storeCheckTtlMs ?? 5000;
  let last: { at: number; check: Promise<StoreCheck> } | undefined;
  const storeCheck = (): Promise<StoreCheck> => {
    const now = performance.now();
    if (last && now - last.at < ttl) return last.check;
    last = { at: now, check: checkStore(opts) };
    return last.check;
  };
  app.get(
    '/healthz',
    { schema: { tags: ['operations'], summary: 'Liveness', response: { 200: healthSchema } } },
    async (_req, reply) => {
      reply.type(HEALTH_TYPE);
      return {
        status: 'pass',
        version: opts.version,
        checks: {
          'process:uptime': [
            { observedValue: Math.round(process.uptime()), observedUnit: 's', status: 'pass' },
          ],
        },
      };
    },
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Readiness: store writable, connectors bound',
        response: { 200: healthSchema, 503: healthSchema },
      },
    },
    async (_req, reply) => {
      const store = await storeCheck();
      const list = opts.connectors();
      const bound = list.filter((c) => c.ready).length;
      const connectors = list.map((c) => ({
        componentId: c.id,
        status: (c.ready ? 'pass' : 'warn') as Status,
        ...(c.ready ? {} : { output: 'not bound' }),
      }));
      // None bound: nothing can be sent, though messages are still accepted and queued.
      const connStatus: Status =
        list.length === 0 || bound === 0 ? 'fail' : bound < list.length ? 'warn' : 'pass';
      const status: Status = store.status === 'fail' || connStatus === 'fail' ? 'fail' : connStatus;
      reply.code(status === 'fail' ? 503 : 200).type(HEALTH_TYPE);
      return {
        status,
        version: opts.version,
        checks: {
          'store:writable': [store],
          'connectors:bound': connectors.length ? connectors : [{ status: 'fail', output: 'no connectors' }],
        },
      };
    },
  );

  if (opts.metrics) {
    const m = opts.metrics;
    app.get(
      '/metrics',
      {
        schema: {
          tags: ['operations'],
          summary: 'Prometheus metrics',
          produces: ['text/plain'],
          response: { 200: { type: 'string' } },
        },
      },
      async (_req, reply) => {
        reply.type(m.contentType);
        return m.metrics();
      },
    );
  }
}

/** One committed write through the store, timed, with a timeout. Never throws. */
async function checkStore(opts: OpsOptions): Promise<StoreCheck> {
  const started = performance.now();
  try {
    await Promise.race([
      opts.storeWritable(),
      new Promise((_, rej) =>
        setTimeout(() => rej(new Error('store write timed out')), opts.storeTimeoutMs ?? 2000).unref(),
      ),
    ]);
    return {
      status: 'pass',
      observedValue: Math.round((performance.now() - started) * 100) / 100,
      observedUnit: 'ms',
    };
  } catch (err) {
    return { status: 'fail', output: (err as Error).message };
  }
}
