/**
 * Idempotency-Key on POST (draft-ietf-httpapi-idempotency-key-header; docs/rest-api.md,
 * "Idempotency-Key"). The record lives in the store, keyed by (user, key), with a hash of the request
 * and the first response:
 * - same key, same body, first request finished → the stored response, byte for byte;
 * - same key, same body, first request still running → wait for it (up to `waitMs`), then
 *   its response; still running after that → 409 (retry later);
 * - same key, different body → 422.
 * A 5xx response is not kept: the record is dropped so that a retry runs again.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IdempotencyRecords } from '../../gateway/index.js';
import { problemOf, problems, PROBLEM_TYPE } from '../problem.js';

export interface IdempotencyOptions {
  /** How long a finished response is kept (default 24 h). */
  ttlMs?: number;
  /** How long a retry waits for the first request to finish before 409 (default 5 s). */
  waitMs?: number;
  /** An unfinished record older than this belongs to a dead request and is taken over (default 60 s). */
  staleMs?: number;
}

/** A response as handlers produce it: status and a JSON body (or a problem). */
export interface JsonResponse {
  status: number;
  contentType: string;
  body: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Hash of the request as received (before schema defaults), for Idempotency-Key. */
    requestHash?: string;
  }
}

/** What "the same request" means: method, route and the JSON body as the client sent it. */
export function requestHash(method: string, route: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${route}\n`)
    .update(JSON.stringify(body ?? null))
    .digest('hex');
}

/** A preValidation hook: hashes the body before validation adds defaults to it. */
export async function hashRequest(req: FastifyRequest): Promise<void> {
  // Raw bodies (media uploads) are not behind Idempotency-Key: not hashed.
  if (req.method === 'POST' && !Buffer.isBuffer(req.body))
    req.requestHash = requestHash(req.method, req.routeOptions.url ?? req.url, req.body);
}

export const json = (status: number, body: unknown): JsonResponse => ({
  status,
  contentType: 'application/json; charset=utf-8',
  body: JSON.stringify(body),
});

function fromError(err: unknown): JsonResponse {
  const p = problemOf(err);
  return { status: p.status, contentType: PROBLEM_TYPE, body: JSON.stringify(p) };
}

export class Idempotency {
  private readonly local = new Map<string, { hash: string; done: Promise<JsonResponse> }>();
  private readonly ttlMs: number;
  private readonly waitMs: number;
  private readonly staleMs: number;

  constructor(
    private readonly records: Pick<IdempotencyRecords, 'begin' | 'finish' | 'abandon'>,
    opts: IdempotencyOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? 86_400_000;
    this.waitMs = opts.waitMs ?? 5000;
    this.staleMs = opts.staleMs ?? 60_000;
  }

  /** Runs `run` at most once per (user, Idempotency-Key, body) and sends its response. */
  async handle(
    req: FastifyRequest,
    reply: FastifyReply,
    userId: number,
    run: () => Promise<JsonResponse>,
  ): Promise<FastifyReply> {
    const key = req.headers['idempotency-key'];
    if (typeof key !== 'string' || key === '') return send(reply, await run().catch(fromError));
    const hash = req.requestHash ?? requestHash(req.method, req.routeOptions.url ?? req.url, req.body);
    const slot = `${userId}\0${key}`;
    const mine = this.local.get(slot);
    if (mine) {
      if (mine.hash !== hash) return send(reply, fromError(problems.idempotencyMismatch()));
      return send(reply, await mine.done, true);
    }
    const begin = await this.records.begin({
      userId,
      key,
      bodyHash: hash,
      ttlMs: this.ttlMs,
      staleMs: this.staleMs,
    });
    switch (begin.kind) {
      case 'mismatch':
        return send(reply, fromError(problems.idempotencyMismatch()));
      case 'replay':
        return send(reply, JSON.parse(begin.response) as JsonResponse, true);
      case 'in_flight':
        return send(reply, await this.awaitOther(userId, key, hash, run), true);
      case 'new': {
        const done = this.runOnce(userId, key, run);
        this.local.set(slot, { hash, done });
        try {
          return send(reply, await done);
        } finally {
          this.local.delete(slot);
        }
      }
    }
  }

  private async runOnce(
    userId: number,
    key: string,
    run: () => Promise<JsonResponse>,
  ): Promise<JsonResponse> {
    const res = await run().catch(fromError);
    if (res.status >= 500) await this.records.abandon({ userId, key });
    else await this.records.finish({ userId, key, status: res.status, response: JSON.stringify(res) });
    return res;
  }

  /** The first request runs elsewhere (another node, or it died): poll its record. */
  private async awaitOther(
    userId: number,
    key: string,
    hash: string,
    run: () => Promise<JsonResponse>,
  ): Promise<JsonResponse> {
    const deadline = Date.now() + this.waitMs;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
      const local = this.local.get(`${userId}\0${key}`);
      if (local) return local.hash === hash ? local.done : fromError(problems.idempotencyMismatch());
      const again = await this.records.begin({
        userId,
        key,
        bodyHash: hash,
        ttlMs: this.ttlMs,
        staleMs: this.staleMs,
      });
      if (again.kind === 'replay') return JSON.parse(again.response) as JsonResponse;
      if (again.kind === 'mismatch') return fromError(problems.idempotencyMismatch());
      // The first request failed (5xx, record dropped) or died: this one is now the first.
      if (again.kind === 'new') return this.runOnce(userId, key, run);
    }
    return fromError(problems.idempotencyInFlight());
  }
}

function send(reply: FastifyReply, res: JsonResponse, replayed = false): FastifyReply {
  if (replayed) reply.header('idempotent-replayed', 'true');
  return reply.code(res.status).type(res.contentType).send(res.body);
}
