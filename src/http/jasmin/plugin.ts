/**
 * The Jasmin-compatible HTTP API (:1401): /send, /balance, /rate, /ping, as Jasmin serves
 * them (docs.jasminsms.com "HTTP API"), on the same gateway core as SMPP.
 *
 * Responses: Jasmin answers `Success "<id>"` / `Error "<reason>"` as text/plain. Hermod's
 * default is JSON, `{"data":{"messageid":"<id>",...}}` / `{"error":{"code","message","status"}}`,
 * which is what the seed's Laravel client reads (`data.messageid`); `responseFormat: jasmin`
 * (global `httpApi.responseFormat` or per user) gives Jasmin's exact text. HTTP statuses are
 * Jasmin's in both formats. /balance and /rate answer JSON in both, as Jasmin does.
 */
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
} from 'fastify';
import { allowsAddress, type User } from '../../domain/index.js';
import {
  CheckedUrls,
  RefusedUrlError,
  RejectedError,
  UrlGuard,
  draftOf,
  servicesOf,
  type Accounts,
  type Gateway,
} from '../../gateway/index.js';
import { redactQuery } from '../../gateway/url-guard.js';
import type { LoginGuard } from '../../gateway/login-guard.js';
import { HermodError } from '../../lib/errors.js';
import { CredentialCache } from '../credentials.js';
import { JasminApiError, fromRejected, jasminError } from './errors.js';
import { encodeContent, parseSendArgs, required, type Args } from './send-args.js';

export type ResponseFormat = 'json' | 'jasmin';

export interface JasminApiOptions {
  gateway: Gateway;
  /** Balances and quotas for /balance (default: over the gateway's own store). */
  accounts?: Pick<Accounts, 'byId' | 'balance'>;
  /** Checks dlr-url at /send time (the SSRF guard); the webhook sender checks again at delivery. */
  guard?: UrlGuard;
  /** Default `json`. */
  responseFormat?: ResponseFormat;
  /** A user's own format (config users[].httpApi.responseFormat), else the default. */
  responseFormatFor?: (username: string) => ResponseFormat | undefined;
  /** How long a verified password is remembered (default 10 s). */
  authCacheMs?: number;
  /** How long a dlr-url that passed the guard is not checked again (default 10 s). */
  urlCacheMs?: number;
  /** Login attempts counted with the SMPP port's (issue 13 item 7); a private one when omitted. */
  loginGuard?: LoginGuard;
}

/** Query and body merged (body wins), every value a string (the first of repeated ones). */
function argsOf(req: FastifyRequest): Args {
  const out: Args = {};
  for (const src of [req.query, req.body]) {
    if (typeof src !== 'object' || src === null) continue;
    for (const [k, v] of Object.entries(src as Record<string, unknown>)) {
      const first = Array.isArray(v) ? v[0] : v;
      if (first !== undefined && first !== null) out[k] = String(first);
    }
  }
  return out;
}

/**
 * `json` (per-user or global) answers `{"error":...}`; `jasmin` answers `Error "<reason>"` on
 * /send and, on /balance and /rate (which Jasmin answers in JSON), the reason as a JSON string.
 */
function failWith(
  log: FastifyBaseLogger,
  reply: FastifyReply,
  format: ResponseFormat | 'jasmin-json',
  err: unknown,
): FastifyReply {
  let e: JasminApiError;
  if (err instanceof JasminApiError) e = err;
  else if (err instanceof RejectedError) e = fromRejected(err);
  else if (err instanceof HermodError) e = new JasminApiError(err.code, err.message, 500);
  else {
    log.error({ err }, 'jasmin api: unexpected error');
    e = new JasminApiError('HERMOD_ERR_INTERNAL', `Unknown error: ${(err as Error).message}`, 500);
  }
  reply.code(e.httpStatus);
  if (format === 'jasmin') return reply.type('text/plain; charset=utf-8').send(`Error "${e.reason}"`);
  if (format === 'jasmin-json')
    return reply.type('application/json; charset=utf-8').send(JSON.stringify(e.reason));
  return reply.send({ error: { code: e.code, message: e.reason, status: e.httpStatus } });
}

export const jasminApi: FastifyPluginAsync<JasminApiOptions> = async (app: FastifyInstance, opts) => {
  const { gateway } = opts;
  const accounts = opts.accounts ?? servicesOf(gateway).accounts;
  const guard = opts.guard ?? new UrlGuard();
  const dlrUrls = new CheckedUrls(guard, opts.urlCacheMs ?? 10_000);
  // Users as the gateway caches them (accountCacheMs; admin changes forget them at once).
  const creds = new CredentialCache(
    { getUserByName: (u) => gateway.currentUser(u) },
    opts.authCacheMs,
    undefined,
    opts.loginGuard,
  );
  const formatFor = (username: string | undefined): ResponseFormat =>
    (username && opts.responseFormatFor?.(username)) || opts.responseFormat || 'json';
  // /balance and /rate: Jasmin answers their errors too in JSON (a JSON string of the reason).
  const jsonEndpoint = (username: string | undefined) =>
    formatFor(username) === 'jasmin' ? 'jasmin-json' : 'json';

  const fail = (reply: FastifyReply, format: ResponseFormat | 'jasmin-json', err: unknown) =>
    failWith(app.log, reply, format, err);

  const authenticate = async (args: Args, address: string | undefined): Promise<User> => {
    const username = required(args, 'username', 30);
    const password = required(args, 'password', 30);
    const user = await creds.authenticate(username, password, address);
    if (!user) throw jasminError.authentication(username);
    if (!allowsAddress(user.settings.access, address)) throw jasminError.addressNotAllowed(username, address);
    return user;
  };

  const send = async (req: FastifyRequest, reply: FastifyReply) => {
    const args = argsOf(req);
    const format = formatFor(args.username);
    try {
      const a = parseSendArgs(args);
      const user = await authenticate(args, req.socket.remoteAddress);
      const dlr = a.draft.dlr;
      if (dlr) {
        try {
          await dlrUrls.check(dlr.url);
        } catch (err) {
          if (err instanceof RefusedUrlError) {
            req.log.warn(
              { user: user.username, url: redactQuery(dlr.url), reason: err.reason },
              'dlr-url refused',
            );
            throw jasminError.url('dlr-url', err.reason);
          }
          throw err;
        }
      }
      // HTTP customers get HTTP callbacks (dlr), never SMPP receipts in the outbox.
      const accepted = await gateway.submitAccepted(user, draftOf({ ...a.draft, systemId: user.username }));
      if (format === 'jasmin')
        return reply.type('text/plain; charset=utf-8').send(`Success "${accepted.id}"`);
      // segments: the parts it was charged for, on the connector it goes out through.
      return reply.send({
        data: { messageid: accepted.id, encoding: a.encoding, segments: accepted.segments },
      });
    } catch (err) {
      return fail(reply, format, err);
    }
  };

  app.get('/send', send);
  app.post('/send', send);

  const balance = async (req: FastifyRequest, reply: FastifyReply) => {
    const args = argsOf(req);
    try {
      const user = await authenticate(args, req.socket.remoteAddress);
      if (!user.settings.authorizations.httpBalance)
        throw jasminError.forbidden('HERMOD_ERR_FORBIDDEN_BALANCE', user.username, 'Cannot check balance');
      const fresh = (await accounts.byId(user.id)) ?? user;
      return reply.send({
        balance: (await accounts.balance(user.id)) / 1_000_000,
        sms_count: fresh.smsCount ?? 'ND',
      });
    } catch (err) {
      return fail(reply, jsonEndpoint(args.username), err);
    }
  };
  app.get('/balance', balance);
  app.post('/balance', balance);

  const rate = async (req: FastifyRequest, reply: FastifyReply) => {
    const args = argsOf(req);
    try {
      const user = await authenticate(args, req.socket.remoteAddress);
      if (!user.settings.authorizations.httpRate)
        throw jasminError.forbidden('HERMOD_ERR_FORBIDDEN_RATE', user.username, 'Cannot check rate');
      const to = required(args, 'to');
      const hasContent = args.content !== undefined || args['hex-content'] !== undefined;
      // The route, price and parts a submit would get (gateway.quote counts the parts as the
      // charge does), for the content encoded as /send encodes it.
      const content = hasContent ? encodeContent(args) : undefined;
      const quote = await gateway.quote({
        user,
        destination: to,
        ...(args.from !== undefined ? { source: args.from } : {}),
        ...(args.content !== undefined ? { text: args.content } : {}),
        ...(content ? { content: { body: content.body, dataCoding: content.dataCoding } } : {}),
        ...(args.tags ? { tags: args.tags.split(',').filter((t) => t !== '') } : {}),
      });
      return reply.send({
        submit_sm_count: quote.parts ?? 1,
        unit_rate: quote.pricePerPartMicros / 1_000_000,
      });
    } catch (err) {
      return fail(reply, jsonEndpoint(args.username), err);
    }
  };
  app.get('/rate', rate);
  app.post('/rate', rate);

  app.get('/ping', async (_req, reply) => reply.type('text/plain; charset=utf-8').send('Jasmin/PONG'));
};
