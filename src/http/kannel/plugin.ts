/**
 * The Kannel-compatible sendsms (:13013): `GET|POST /cgi-bin/sendsms` as Kannel 1.4.5's
 * smsbox serves it (Kannel user guide, "Sending SMS via HTTP"), on the same gateway core as
 * every other door, entered through `draftOf` and `Gateway.submitAccepted`.
 *
 * Answers are Kannel's: `0: Accepted for delivery` (202) and its error texts and statuses, as
 * text/html, compared byte for byte by clients such as PlaySMS. What Kannel does not say
 * goes in headers: `X-Hermod-Message-Id` (the ids, one per receiver, in order) and
 * `X-Hermod-Error-Code` (the stable code of a refusal).
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { allowsAddress, type User } from '../../domain/index.js';
import {
  CheckedUrls,
  RefusedUrlError,
  RejectedError,
  UrlGuard,
  draftOf,
  type DraftInput,
  type Gateway,
} from '../../gateway/index.js';
import { redactQuery } from '../../gateway/url-guard.js';
import type { LoginGuard } from '../../gateway/login-guard.js';
import { HermodError } from '../../lib/errors.js';
import { CredentialCache } from '../credentials.js';
import { KannelApiError, fromRejected, kannelError } from './errors.js';
import { argsFromHeaders, parseCgi, parseSendRequest, type CgiArgs, type SendRequest } from './send-args.js';

export interface KannelApiOptions {
  gateway: Gateway;
  /** Checks dlr-url at sendsms time (the SSRF guard); the webhook sender checks again at delivery. */
  guard?: UrlGuard;
  /** How long a verified password is remembered (default 10 s). */
  authCacheMs?: number;
  /** How long a dlr-url that passed the guard is not checked again (default 10 s). */
  urlCacheMs?: number;
  /** Login attempts counted with the other doors'; a private one when omitted. */
  loginGuard?: LoginGuard;
}

/** The arguments of a request: the query of a GET, X-Kannel-* headers of a text POST, or a form body. */
function argsOf(req: FastifyRequest): { args: CgiArgs; post: boolean } | KannelApiError {
  const q = req.url.indexOf('?');
  const query = parseCgi(q < 0 ? '' : req.url.slice(q + 1));
  if (req.method !== 'POST' || !Buffer.isBuffer(req.body) || req.body.length === 0)
    return { args: query, post: false };
  const [type, ...params] = (req.headers['content-type'] ?? '').split(';').map((p) => p.trim());
  const charset = params.find((p) => /^charset=/i.test(p))?.slice(8);
  switch (type.toLowerCase()) {
    case 'text/plain':
    case 'application/octet-stream':
      return { args: argsFromHeaders(req.headers, req.body, charset), post: true };
    // Kannel answers a form body "Invalid content-type"; Hermod takes it as a GET's query.
    case 'application/x-www-form-urlencoded': {
      const form = parseCgi(req.body.toString('latin1'));
      for (const [k, v] of query) if (!form.has(k)) form.set(k, v);
      return { args: form, post: false };
    }
    default:
      return kannelError.contentType();
  }
}

function answer(reply: FastifyReply, status: number, text: string): FastifyReply {
  // Kannel's headers: text/html, no caching; no newline after the text (clients compare it).
  return reply
    .code(status)
    .header('pragma', 'no-cache')
    .header('cache-control', 'no-cache')
    .type('text/html')
    .send(text);
}

export const kannelApi: FastifyPluginAsync<KannelApiOptions> = async (app: FastifyInstance, opts) => {
  const { gateway } = opts;
  const guard = opts.guard ?? new UrlGuard();
  const dlrUrls = new CheckedUrls(guard, opts.urlCacheMs ?? 10_000);
  const creds = new CredentialCache(
    { getUserByName: (u) => gateway.currentUser(u) },
    opts.authCacheMs,
    undefined,
    opts.loginGuard,
  );

  // Bodies are read as bytes: `text` is in the request's charset, and a form's too.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 64 * 1024 }, (_req, body, done) =>
    done(null, body),
  );

  const fail = (req: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply => {
    let e: KannelApiError;
    if (err instanceof KannelApiError) e = err;
    else if (err instanceof RejectedError) e = fromRejected(err);
    else if (err instanceof HermodError) e = new KannelApiError(err.code, 'Sending failed.', 500);
    else {
      req.log.error({ err }, 'kannel sendsms: unexpected error');
      e = new KannelApiError('HERMOD_ERR_INTERNAL', 'Sending failed.', 500);
    }
    reply.header('x-hermod-error-code', e.code);
    return answer(reply, e.httpStatus, e.text);
  };

  /** The sendsms-user: the credentials right and the address allowed, else Kannel's one 403. */
  const authenticate = async (args: CgiArgs, address: string | undefined): Promise<User> => {
    const username = (args.get('username') ?? args.get('user'))?.toString('utf8');
    const password = (args.get('password') ?? args.get('pass'))?.toString('utf8');
    if (!username || password === undefined) throw kannelError.authorization();
    const user = await creds.authenticate(username, password, address);
    if (!user || !allowsAddress(user.settings.access, address)) throw kannelError.authorization();
    return user;
  };

  /** Kannel's sender: faked-sender (forced), else `from`, else default-sender, else refused. */
  const senderOf = (user: User, from: string): string => {
    const { defaults, authorizations } = user.settings;
    if (!authorizations.sourceAddr && defaults.sourceAddr) return defaults.sourceAddr;
    if (from !== '') return from;
    if (defaults.sourceAddr) return defaults.sourceAddr;
    throw kannelError.noSender();
  };

  const checkDlrUrl = async (req: FastifyRequest, url: string, user: User): Promise<void> => {
    try {
      await dlrUrls.check(url);
    } catch (err) {
      if (!(err instanceof RefusedUrlError)) throw err;
      req.log.warn({ user: user.username, url: redactQuery(url), reason: err.reason }, 'dlr-url refused');
      throw kannelError.url(err.reason);
    }
  };

  /** One draft per receiver: everything but `to` is the same (smsbox's multi-cast loop). */
  const draftFor = (user: User, r: SendRequest, from: string, now: number): Omit<DraftInput, 'to'> => {
    const input: Omit<DraftInput, 'to'> = {
      systemId: user.username,
      origin: 'http',
      from,
      content: { body: r.body, dataCoding: r.dataCoding },
      esmClass: r.esmClass,
    };
    if (r.priority !== undefined) input.priority = r.priority;
    if (r.deferred !== undefined) input.scheduleAt = now + r.deferred * 60_000;
    // Kannel counts validity from the request, not from the deferred time.
    if (r.validity !== undefined) input.validUntil = now + r.validity * 60_000;
    if (r.smsc) input.tags = [r.smsc];
    const kannel: NonNullable<DraftInput['kannel']> = {};
    if (r.dlrUrl) Object.assign(kannel, { dlrUrl: r.dlrUrl, dlrMask: r.dlrMask });
    if (r.account) kannel.account = r.account;
    if (r.binfo) kannel.binfo = r.binfo;
    if (r.metaData) kannel.metaData = r.metaData;
    if (Object.keys(kannel).length > 0) input.kannel = kannel;
    return input;
  };

  const sendsms = async (req: FastifyRequest, reply: FastifyReply) => {
    try {
      const got = argsOf(req);
      if (got instanceof KannelApiError) throw got;
      const user = await authenticate(got.args, req.socket.remoteAddress);
      const r = parseSendRequest(got.args, got.post);
      const allowed = r.receivers.filter((to) => !r.illegal.includes(to));
      if (allowed.length === 0) throw kannelError.denied();
      const from = senderOf(user, r.from);
      if (r.dlrUrl) await checkDlrUrl(req, r.dlrUrl, user);
      const now = Date.now();
      const base = draftFor(user, r, from, now);
      const ids: string[] = [];
      const refused: RejectedError[] = [];
      // Kannel sends one message per receiver (submitted together: one group commit), and
      // answers once for all of them.
      const outcomes = await Promise.allSettled(
        allowed.map((to) => gateway.submitAccepted(user, draftOf({ ...base, to }, now))),
      );
      for (const o of outcomes) {
        if (o.status === 'fulfilled') ids.push(o.value.id);
        else if (o.reason instanceof RejectedError) refused.push(o.reason);
        else throw o.reason;
      }
      if (ids.length === 0) throw refused.find((e) => !/DESTINATION/.test(e.code)) ?? refused[0];
      reply.header('x-hermod-message-id', ids.join(', '));
      if (refused.length + r.illegal.length > 0)
        reply.header('x-hermod-rejected-receivers', String(refused.length + r.illegal.length));
      return answer(reply, 202, '0: Accepted for delivery');
    } catch (err) {
      return fail(req, reply, err);
    }
  };

  app.get('/cgi-bin/sendsms', sendsms);
  app.post('/cgi-bin/sendsms', sendsms);
  // Kannel's answer to any other path.
  app.setNotFoundHandler((_req, reply) => answer(reply, 404, 'Unknown request.'));
};
