/**
 * The admin API (issue 5; Jasmin's jCli verbs and Kannel's admin pages as HTTP): users,
 * connectors with live status and runtime start/stop, routes and "test a number",
 * opt-outs, messages, statistics. Every route needs an admin key (Bearer). Mounted under
 * `/v1/admin` by the API app, or standalone through `buildAdminApp` (tests, or a gateway
 * without the REST API).
 */
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
// Types only: `tags` and `summary` in route schemas, read by @fastify/swagger for the OpenAPI document.
import type {} from '@fastify/swagger';
import { RejectedError, type Gateway } from '../../gateway/index.js';
import type { MoRouteDef } from '../../domain/index.js';
import {
  hashPassword,
  normalizeMsisdn,
  InvalidAccountError,
  InvalidNumberError,
  toMicros,
  formatMicros,
  type MessageState,
} from '../../domain/index.js';
import { HttpProblem, problem, problemErrorHandler, problemSchema, sendProblem } from '../problem.js';
import { adminAuth } from './auth.js';
import {
  connectorDefinitionSchema,
  connectorSchema,
  messageSchema,
  messageView,
  moRouteListSchema,
  moRoutesResponse,
  routeListSchema,
  userSchema,
  userView,
} from './views.js';
import { mergeSettings, userPatchSchema, type UserPatch } from './user-patch.js';
import { groupRoutes } from './groups.js';
import { webhookRoutes } from './webhooks.js';
import { apiKeyRoutes } from './api-keys.js';
import { inboundRoutes } from './inbound.js';
import { jsonApiAjv } from '../validation.js';

export interface AdminOptions {
  gateway: Gateway;
  /** Accepted admin keys; with none, every request is refused (the admin API is closed). */
  keys: readonly string[];
  /** Connector definitions and routes changed at runtime; without it they cannot be changed (501). */
  definitions?: AdminDefinitions;
  /** The customer SMPP binds, to end a user's (without it: 501). */
  binds?: CustomerBinds;
  /** Empties the REST API's key cache, so that a revoked key is refused at once. */
  forgetApiKeys?: () => void;
  /**
   * An MO route in the form the file and PUT /mo-routes take (time windows as "08:00-20:00"):
   * the configuration's own writer, given by the composition root. Without it, as stored.
   */
  moRouteInput?: (r: MoRouteDef) => Record<string, unknown>;
}

/** What the admin API may do with customers' SMPP binds (the customer SMPP server). */
export interface CustomerBinds {
  /** Ends every bind of the user; resolves with how many there were. */
  unbindUser(systemId: string): Promise<number>;
}

/**
 * What the admin API changes connectors and routes through (the composition root's
 * RuntimeDefinitions): validation, the store and the gateway behind one door. Errors carry
 * their HTTP status (400 naming the bad key, 404, 409 with the reason).
 */
export interface AdminDefinitions {
  /** A connector's definition without its password, and who wrote it last. */
  connector(id: string): { definition: Record<string, unknown>; source: 'config' | 'api' } | undefined;
  putConnector(id: string, definition: unknown): Promise<{ created: boolean }>;
  removeConnector(id: string): Promise<void>;
  setRoutes(routes: unknown): Promise<unknown>;
  /** Who wrote the running route list last. */
  routesSource(): 'config' | 'api';
  setMoRoutes(routes: unknown): Promise<unknown>;
  /** Who wrote the running MO route list last. */
  moRoutesSource(): 'config' | 'api';
}

export const ADMIN_PREFIX = '/v1/admin';

const MESSAGE_STATES: MessageState[] = [
  'accepted',
  'queued',
  'sent',
  'delivered',
  'undelivered',
  'expired',
  'rejected',
  'failed',
  'unknown',
];
const amount = {
  anyOf: [{ type: 'string', pattern: '^[+-]?\\d*(\\.\\d{1,6})?$' }, { type: 'number' }],
  description: 'decimal, at most 6 decimals',
} as const;
const errors = { 400: problemSchema, 401: problemSchema, 404: problemSchema, 409: problemSchema };
const idParam = (name: string) =>
  ({ type: 'object', properties: { [name]: { type: 'string', minLength: 1 } }, required: [name] }) as const;

function msisdn(raw: string): string {
  try {
    return normalizeMsisdn(raw);
  } catch (err) {
    throw new HttpProblem(
      400,
      'HERMOD_ERR_INVALID_NUMBER',
      err instanceof InvalidNumberError ? err.message : `not a phone number: ${raw}`,
    );
  }
}

function micros(v: string | number, field: string): number {
  try {
    return toMicros(v);
  } catch (err) {
    throw new HttpProblem(400, 'HERMOD_ERR_INVALID_AMOUNT', `${field}: ${(err as Error).message}`);
  }
}

/** The admin routes (no prefix of their own: register with `{ prefix: ADMIN_PREFIX }`). */
export const adminPlugin: FastifyPluginAsync<AdminOptions> = async (app, opts) => {
  const { gateway } = opts;
  const store = gateway.store;
  app.setErrorHandler(problemErrorHandler);
  app.setNotFoundHandler((req, reply) =>
    sendProblem(
      reply,
      problem(404, 'HERMOD_ERR_NOT_FOUND', `no admin route ${req.method} ${req.url.split('?')[0]}`),
    ),
  );
  app.addHook('onRequest', adminAuth(opts.keys));

  const userOr404 = async (username: string) => {
    const u = await store.getUserByName(username);
    if (!u) throw new HttpProblem(404, 'HERMOD_ERR_UNKNOWN_USER', `no user "${username}"`);
    return u;
  };
  const connectorOr404 = (id: string) => {
    const c = gateway.getConnector(id);
    if (!c) throw new HttpProblem(404, 'HERMOD_ERR_UNKNOWN_CONNECTOR', `no connector "${id}"`);
    return c;
  };
  const connectorView = async (id: string) => {
    const d = opts.definitions?.connector(id);
    return {
      ...connectorOr404(id).status(),
      queueDepth: await store.queueDepth(id),
      definition: d?.definition ?? null,
      source: d?.source ?? null,
    };
  };
  const definitionsOr501 = () => {
    if (!opts.definitions)
      throw new HttpProblem(
        501,
        'HERMOD_ERR_NOT_CONFIGURABLE',
        'this gateway was built without runtime connector and route changes',
      );
    return opts.definitions;
  };
  // The definition bodies are checked by the configuration's own validator (the same rules
  // and messages as hermod.yaml); the JSON schemas document them in OpenAPI only.
  const validatedByConfig = () => () => true;

  // ---- users ------------------------------------------------------------------------
  app.get(
    '/users',
    {
      schema: {
        tags: ['admin'],
        summary: 'list users',
        response: {
          200: { type: 'object', properties: { users: { type: 'array', items: userSchema } } },
          ...errors,
        },
      },
    },
    async () => ({
      users: (await store.listUsers()).map(userView),
    }),
  );

  app.get<{ Params: { username: string } }>(
    '/users/:username',
    {
      schema: {
        tags: ['admin'],
        summary: 'show a user',
        params: idParam('username'),
        response: { 200: userSchema, ...errors },
      },
    },
    async (req) => userView(await userOr404(req.params.username)),
  );

  app.post<{
    Body: {
      username: string;
      password: string;
      balance?: string | number;
      rate?: string | number;
      enabled?: boolean;
    };
  }>(
    '/users',
    {
      schema: {
        tags: ['admin'],
        summary: 'create a user',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['username', 'password'],
          properties: {
            // The username is also the SMPP system_id (≤ 15), the password SMPP's (≤ 8).
            username: { type: 'string', minLength: 1, maxLength: 15, pattern: '^[A-Za-z0-9_.-]+$' },
            password: { type: 'string', minLength: 1, maxLength: 8 },
            balance: amount,
            rate: amount,
            enabled: { type: 'boolean' },
          },
        },
        response: { 201: userSchema, ...errors },
      },
    },
    async (req, reply) => {
      const b = req.body;
      if (await store.getUserByName(b.username))
        throw new HttpProblem(409, 'HERMOD_ERR_USER_EXISTS', `user "${b.username}" exists`);
      const balanceMicros = micros(b.balance ?? 0, 'balance');
      const rateMicros = micros(b.rate ?? 0, 'rate');
      if (balanceMicros < 0 || rateMicros < 0)
        throw new HttpProblem(400, 'HERMOD_ERR_INVALID_AMOUNT', 'balance and rate must not be negative');
      const u = await store.upsertUser({
        username: b.username,
        passwordHash: hashPassword(b.password),
        balanceMicros,
        rateMicros,
        enabled: b.enabled ?? true,
      });
      req.log.info({ user: u.username }, 'admin: user created');
      return reply.code(201).send(userView(u));
    },
  );

  app.patch<{ Params: { username: string }; Body: UserPatch }>(
    '/users/:username',
    {
      schema: {
        tags: ['admin'],
        summary:
          'change a user: password, rate, enabled, group, SMS-count quota, settings (authorizations, value filters, defaults, throughput)',
        params: idParam('username'),
        body: userPatchSchema,
        response: { 200: userSchema, ...errors },
      },
    },
    async (req) => {
      const u = await userOr404(req.params.username);
      const b = req.body;
      const rateMicros = b.rate === undefined ? u.rateMicros : micros(b.rate, 'rate');
      if (rateMicros < 0)
        throw new HttpProblem(400, 'HERMOD_ERR_INVALID_AMOUNT', 'rate must not be negative');
      const settings = mergeSettings(u.settings, b.settings);
      if (b.group !== undefined && b.group !== null && !(await store.getGroup(b.group)))
        throw new HttpProblem(
          400,
          'HERMOD_ERR_UNKNOWN_GROUP',
          `group: no group "${b.group}" (create it with PUT /v1/admin/groups/${b.group})`,
        );
      let next = await store.upsertUser({
        username: u.username,
        passwordHash: b.password === undefined ? u.passwordHash : hashPassword(b.password),
        balanceMicros: u.balanceMicros,
        rateMicros,
        enabled: b.enabled ?? u.enabled,
        group: b.group === undefined ? u.group : b.group,
        settings,
      });
      if (b.smsCount !== undefined) next = (await store.setSmsQuota(u.id, b.smsCount)) ?? next;
      // The gateway's accounts and the REST keys' users: the change counts from the next request.
      gateway.forgetAccounts();
      opts.forgetApiKeys?.();
      req.log.info({ user: u.username, fields: Object.keys(b) }, 'admin: user changed');
      return userView(next);
    },
  );

  app.post<{ Params: { username: string } }>(
    '/users/:username/unbind',
    {
      schema: {
        tags: ['admin'],
        summary:
          'end every SMPP bind of a user now (to keep them out, also disable them or set settings.access)',
        params: idParam('username'),
        response: {
          200: {
            type: 'object',
            properties: {
              username: { type: 'string' },
              unbound: { type: 'integer', description: 'binds ended' },
            },
          },
          ...errors,
        },
      },
    },
    async (req) => {
      const u = await userOr404(req.params.username);
      if (!opts.binds)
        throw new HttpProblem(
          501,
          'HERMOD_ERR_NOT_CONFIGURABLE',
          'this gateway was built without a customer SMPP server',
        );
      const unbound = await opts.binds.unbindUser(u.username);
      req.log.info({ user: u.username, unbound }, 'admin: user unbound');
      return { username: u.username, unbound };
    },
  );

  app.post<{ Params: { username: string }; Body: { amount: string | number } }>(
    '/users/:username/credit',
    {
      schema: {
        tags: ['admin'],
        summary: 'add credit (negative to take it away; the balance never goes below zero)',
        params: idParam('username'),
        body: { type: 'object', additionalProperties: false, required: ['amount'], properties: { amount } },
        response: { 200: userSchema, ...errors },
      },
    },
    async (req) => {
      const u = await userOr404(req.params.username);
      const delta = micros(req.body.amount, 'amount');
      let updated;
      try {
        updated = await store.topUp(u.id, { balanceMicros: delta });
      } catch (err) {
        if (!(err instanceof InvalidAccountError)) throw err;
        const balance = await store.getBalance(u.id);
        throw new HttpProblem(
          409,
          'HERMOD_ERR_INSUFFICIENT_BALANCE',
          `the balance is ${formatMicros(balance)}: taking ${formatMicros(-delta)} would make it negative`,
        );
      }
      if (!updated) throw new HttpProblem(404, 'HERMOD_ERR_UNKNOWN_USER', `no user "${u.username}"`);
      req.log.info({ user: u.username, micros: delta }, 'admin: credit');
      return userView(updated);
    },
  );

  await app.register(groupRoutes, { gateway });
  await app.register(webhookRoutes, { gateway });
  await app.register(inboundRoutes, { gateway });
  await app.register(apiKeyRoutes, {
    gateway,
    ...(opts.forgetApiKeys ? { forgetApiKeys: opts.forgetApiKeys } : {}),
  });

  // ---- connectors ---------------------------------------------------------------------
  app.get(
    '/connectors',
    {
      schema: {
        tags: ['admin'],
        summary: 'connectors with live status',
        response: {
          200: { type: 'object', properties: { connectors: { type: 'array', items: connectorSchema } } },
          ...errors,
        },
      },
    },
    async () => ({
      connectors: await Promise.all(gateway.listConnectors().map((c) => connectorView(c.id))),
    }),
  );

  app.get<{ Params: { id: string } }>(
    '/connectors/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'one connector',
        params: idParam('id'),
        response: { 200: connectorSchema, ...errors },
      },
    },
    async (req) => connectorView(req.params.id),
  );

  for (const verb of ['start', 'stop'] as const) {
    app.post<{ Params: { id: string } }>(
      `/connectors/:id/${verb}`,
      {
        schema: {
          tags: ['admin'],
          summary: `${verb} a connector at runtime`,
          params: idParam('id'),
          response: { 200: connectorSchema, ...errors },
        },
      },
      async (req) => {
        connectorOr404(req.params.id);
        await (verb === 'start'
          ? gateway.startConnector(req.params.id)
          : gateway.stopConnector(req.params.id));
        req.log.info({ connector: req.params.id }, `admin: connector ${verb}`);
        return connectorView(req.params.id);
      },
    );
  }

  app.put<{ Params: { id: string }; Body: unknown }>(
    '/connectors/:id',
    {
      validatorCompiler: validatedByConfig,
      schema: {
        tags: ['admin'],
        summary: 'create or replace a connector at runtime (persisted; wins over the file at restart)',
        description:
          'The keys of one entry of `connectors:` in hermod.yaml. A new connector starts at once (201); a replaced one finishes its in-flight submits, stops, and the new one takes over its queue (200). Leaving out `password` when replacing an SMPP connector keeps the stored one.',
        params: idParam('id'),
        body: connectorDefinitionSchema,
        response: { 200: connectorSchema, 201: connectorSchema, ...errors },
      },
    },
    async (req, reply) => {
      const { created } = await definitionsOr501().putConnector(req.params.id, req.body);
      return reply.code(created ? 201 : 200).send(await connectorView(req.params.id));
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/connectors/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'remove a connector for good (409 while a route names it or messages are queued for it)',
        params: idParam('id'),
        response: { 204: { type: 'null' }, ...errors },
      },
    },
    async (req, reply) => {
      await definitionsOr501().removeConnector(req.params.id);
      return reply.code(204).send();
    },
  );

  // ---- routes -------------------------------------------------------------------------
  const routeSchema = {
    type: 'object',
    properties: {
      position: { type: 'integer' },
      name: { type: 'string' },
      type: { type: 'string' },
      prefixes: { type: 'array', items: { type: 'string' } },
      connectors: { type: 'array', items: { type: 'string' } },
      rate: { type: ['string', 'null'] },
      filters: {
        type: 'object',
        additionalProperties: true,
        description: 'the route filters other than prefixes',
      },
      weights: { anyOf: [{ type: 'null' }, { type: 'object', additionalProperties: { type: 'number' } }] },
    },
  } as const;
  const routesView = () => ({
    routes: gateway.routes().map((r, i) => {
      const { name, type, prefixes, connectors, costs: _costs, weights, rate, ...filters } = r;
      return {
        position: i + 1,
        name,
        type,
        prefixes: prefixes ?? [],
        connectors,
        rate: rate === undefined ? null : formatMicros(Math.round(rate * 1_000_000)),
        filters,
        weights: weights ?? null,
      };
    }),
    source: opts.definitions?.routesSource() ?? null,
  });
  const routesResponse = {
    type: 'object',
    properties: {
      routes: { type: 'array', items: routeSchema },
      source: {
        type: ['string', 'null'],
        enum: ['config', 'api', null],
        description: 'who wrote the list last: the configuration file or the admin API',
      },
    },
  } as const;
  app.get(
    '/routes',
    {
      schema: {
        tags: ['admin'],
        summary: 'the MT routes in order (first match wins)',
        response: { 200: routesResponse, ...errors },
      },
    },
    async () => routesView(),
  );

  app.put<{ Body: { routes?: unknown } }>(
    '/routes',
    {
      validatorCompiler: validatedByConfig,
      schema: {
        tags: ['admin'],
        summary:
          'replace the whole ordered MT route list at runtime (persisted; wins over the file at restart)',
        description:
          '`routes` takes the keys of `routes:` in hermod.yaml. Every connector and user a route names must exist; problems are answered 400 with the bad key (`routes[0].connectors[1]: unknown connector "x"`).',
        body: routeListSchema,
        response: { 200: routesResponse, ...errors },
      },
    },
    async (req) => {
      const body = req.body as unknown;
      const list =
        typeof body === 'object' && body !== null && !Array.isArray(body)
          ? (body as { routes?: unknown }).routes
          : undefined;
      if (list === undefined)
        throw new HttpProblem(
          400,
          'HERMOD_ERR_INVALID_DEFINITION',
          'routes: is required (the body is { "routes": [ ... ] })',
        );
      await definitionsOr501().setRoutes(list);
      return routesView();
    },
  );

  // ---- MO routes ----------------------------------------------------------------------
  const moRoutesView = () => ({
    moRoutes: gateway.moRoutes().map((r, i) => ({ position: i + 1, ...(opts.moRouteInput?.(r) ?? r) })),
    source: opts.definitions?.moRoutesSource() ?? null,
  });
  app.get(
    '/mo-routes',
    {
      schema: {
        tags: ['admin'],
        summary: 'the MO routes in order (first match wins)',
        response: { 200: moRoutesResponse, ...errors },
      },
    },
    async () => moRoutesView(),
  );

  app.put<{ Body: { moRoutes?: unknown } }>(
    '/mo-routes',
    {
      validatorCompiler: validatedByConfig,
      schema: {
        tags: ['admin'],
        summary:
          'replace the whole ordered MO route list at runtime (persisted; wins over the file at restart)',
        description:
          '`moRoutes` takes the keys of `moRoutes:` in hermod.yaml. Every connector in `originConnectors` and every target user must exist; problems are answered 400 with the bad key (`moRoutes[0].user: unknown user "x"`).',
        body: moRouteListSchema,
        response: { 200: moRoutesResponse, ...errors },
      },
    },
    async (req) => {
      const body = req.body as unknown;
      const list =
        typeof body === 'object' && body !== null && !Array.isArray(body)
          ? (body as { moRoutes?: unknown }).moRoutes
          : undefined;
      if (list === undefined)
        throw new HttpProblem(
          400,
          'HERMOD_ERR_INVALID_DEFINITION',
          'moRoutes: is required (the body is { "moRoutes": [ ... ] })',
        );
      await definitionsOr501().setMoRoutes(list);
      return moRoutesView();
    },
  );

  app.get<{ Querystring: { to: string; user?: string; from?: string; text?: string } }>(
    '/routes/test',
    {
      schema: {
        tags: ['admin'],
        summary: 'which route, connectors and price a number gets',
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['to'],
          properties: {
            to: { type: 'string', minLength: 1 },
            user: {
              type: 'string',
              minLength: 1,
              description: 'route and price as this user (gateway.quote)',
            },
            from: {
              type: 'string',
              minLength: 1,
              description: 'source address (for routes that filter on it)',
            },
            text: { type: 'string', description: 'message text (content filters; the number of parts)' },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              to: { type: 'string' },
              routable: { type: 'boolean' },
              reason: { type: ['string', 'null'] },
              route: {
                anyOf: [
                  { type: 'null' },
                  {
                    type: 'object',
                    properties: {
                      position: { type: 'integer' },
                      name: { type: 'string' },
                      type: { type: 'string' },
                    },
                  },
                ],
              },
              connectors: {
                type: 'array',
                items: { type: 'object', properties: { id: { type: 'string' }, ready: { type: 'boolean' } } },
              },
              price: { type: ['string', 'null'] },
              priceSource: { type: ['string', 'null'] },
              parts: { type: ['integer', 'null'] },
              total: { type: ['string', 'null'] },
            },
          },
          ...errors,
        },
      },
    },
    async (req) => {
      const to = msisdn(req.query.to);
      const user = req.query.user === undefined ? undefined : await userOr404(req.query.user);
      const position = (name: string | null | undefined) =>
        name ? gateway.routes().findIndex((r) => r.name === name) + 1 : 0;
      const view = (connectors: string[]) =>
        connectors.map((id) => ({ id, ready: gateway.getConnector(id)?.ready ?? false }));
      const none = (reason: string) => ({
        to,
        routable: false,
        reason,
        route: null,
        connectors: [],
        price: null,
        priceSource: null,
        parts: null,
        total: null,
      });
      if (user) {
        // As this user would send it: every route filter, the loop guard, the user's rate.
        try {
          const q = await gateway.quote({
            user,
            destination: to,
            source: req.query.from,
            text: req.query.text,
          });
          return {
            to: q.destination,
            routable: true,
            reason: null,
            route: q.route ? { position: position(q.route), name: q.route, type: q.type } : null,
            connectors: view(q.connectors),
            price: formatMicros(q.pricePerPartMicros),
            priceSource: q.priceFrom,
            parts: q.parts ?? null,
            total: q.totalMicros === undefined ? null : formatMicros(q.totalMicros),
          };
        } catch (err) {
          if (err instanceof RejectedError && err.code === 'HERMOD_ERR_NO_ROUTE') return none(err.message);
          throw err;
        }
      }
      // No user: the destination alone (routes filtering on user, source or text do not match).
      const plan = gateway.plan(to, false);
      if (!plan) return none(`no route for ${to}`);
      const routeRate = plan.route?.rate;
      return {
        to,
        routable: true,
        reason: null,
        route: plan.route
          ? { position: position(plan.route.name), name: plan.route.name, type: plan.route.type }
          : null,
        connectors: view(plan.connectors),
        price: routeRate === undefined ? null : formatMicros(Math.round(routeRate * 1_000_000)),
        priceSource: routeRate === undefined ? null : 'route',
        parts: null,
        total: null,
      };
    },
  );

  // ---- opt-outs -------------------------------------------------------------------------
  const optOutSchema = {
    type: 'object',
    properties: {
      msisdn: { type: 'string' },
      sender: { type: 'string' },
      at: { type: 'string', format: 'date-time' },
    },
  } as const;
  app.get<{ Querystring: { msisdn?: string; limit?: number } }>(
    '/optouts',
    {
      schema: {
        tags: ['admin'],
        summary: 'numbers that opted out, per sender',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            msisdn: { type: 'string', minLength: 1 },
            limit: { type: 'integer', minimum: 1, maximum: 10000, default: 1000 },
          },
        },
        response: {
          200: { type: 'object', properties: { optouts: { type: 'array', items: optOutSchema } } },
          ...errors,
        },
      },
    },
    async (req) => ({
      optouts: (
        await store.listOptOuts({
          msisdn: req.query.msisdn === undefined ? undefined : msisdn(req.query.msisdn),
          limit: req.query.limit ?? 1000,
        })
      ).map((o) => ({ ...o, at: new Date(o.at).toISOString() })),
    }),
  );

  const optOutBody = {
    type: 'object',
    additionalProperties: false,
    required: ['msisdn', 'sender'],
    properties: {
      msisdn: { type: 'string', minLength: 1 },
      sender: { type: 'string', minLength: 1, maxLength: 20 },
    },
  } as const;
  app.post<{ Body: { msisdn: string; sender: string } }>(
    '/optouts',
    {
      schema: {
        tags: ['admin'],
        summary: 'opt a number out of a sender',
        body: optOutBody,
        response: { 201: optOutSchema, ...errors },
      },
    },
    async (req, reply) => {
      const n = msisdn(req.body.msisdn);
      await store.setOptOut(n, req.body.sender, true);
      return reply.code(201).send({ msisdn: n, sender: req.body.sender, at: new Date().toISOString() });
    },
  );

  app.delete<{ Params: { msisdn: string }; Querystring: { sender: string } }>(
    '/optouts/:msisdn',
    {
      schema: {
        tags: ['admin'],
        summary: 'remove an opt-out (the number may receive from that sender again)',
        params: idParam('msisdn'),
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['sender'],
          properties: { sender: { type: 'string', minLength: 1 } },
        },
        response: { 204: { type: 'null' }, ...errors },
      },
    },
    async (req, reply) => {
      const n = msisdn(req.params.msisdn);
      if (!(await store.isOptedOut(n, req.query.sender)))
        throw new HttpProblem(
          404,
          'HERMOD_ERR_UNKNOWN_OPTOUT',
          `${n} has not opted out of ${req.query.sender}`,
        );
      await store.setOptOut(n, req.query.sender, false);
      return reply.code(204).send();
    },
  );

  // ---- messages -------------------------------------------------------------------------
  app.get<{
    Querystring: {
      state?: MessageState;
      connector?: string;
      user?: string;
      to?: string;
      limit?: number;
      before?: string;
      after?: string;
    };
  }>(
    '/messages',
    {
      schema: {
        tags: ['admin'],
        summary: 'messages, newest first (or oldest first after a cursor with `after`)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            state: { type: 'string', enum: MESSAGE_STATES },
            connector: { type: 'string', minLength: 1 },
            user: { type: 'string', minLength: 1 },
            to: { type: 'string', minLength: 1 },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            before: {
              type: 'string',
              minLength: 1,
              description: 'cursor: the nextCursor of the previous page',
            },
            after: {
              type: 'string',
              minLength: 1,
              description: 'only messages newer than this id, oldest first',
            },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              messages: { type: 'array', items: messageSchema },
              nextCursor: { type: ['string', 'null'] },
            },
          },
          ...errors,
        },
      },
    },
    async (req) => {
      const q = req.query;
      if (q.before && q.after)
        throw new HttpProblem(400, 'HERMOD_ERR_VALIDATION', 'give before or after, not both');
      let userId: number | undefined;
      if (q.user !== undefined) {
        const u = await store.getUserByName(q.user);
        if (!u) return { messages: [], nextCursor: null };
        userId = u.id;
      }
      const limit = q.limit ?? 50;
      const rows = await store.listMessages({
        state: q.state,
        connectorId: q.connector,
        userId,
        destination: q.to === undefined ? undefined : msisdn(q.to),
        before: q.before,
        after: q.after,
        limit,
      });
      const last = rows.at(-1);
      return { messages: rows.map(messageView), nextCursor: rows.length === limit && last ? last.id : null };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/messages/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'one message with its state history',
        params: idParam('id'),
        response: {
          200: {
            type: 'object',
            properties: {
              ...messageSchema.properties,
              history: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    state: { type: 'string' },
                    at: { type: 'string', format: 'date-time' },
                    detail: { type: ['string', 'null'] },
                  },
                },
              },
            },
          },
          ...errors,
        },
      },
    },
    async (req) => {
      const m = await store.getMessage(req.params.id);
      if (!m) throw new HttpProblem(404, 'HERMOD_ERR_UNKNOWN_MESSAGE', `no message ${req.params.id}`);
      const history = (await store.history(m.id)).map((h) => ({
        state: h.state,
        at: new Date(h.at).toISOString(),
        detail: h.detail,
      }));
      return { ...messageView(m), history };
    },
  );

  // ---- statistics -----------------------------------------------------------------------
  app.get(
    '/stats',
    {
      schema: {
        tags: ['admin'],
        summary: 'messages by state and connector, queue depth, MO count, connectors bound',
        response: {
          200: {
            type: 'object',
            properties: {
              messages: {
                type: 'object',
                properties: {
                  total: { type: 'integer' },
                  byState: { type: 'object', additionalProperties: { type: 'integer' } },
                  byConnector: {
                    type: 'object',
                    additionalProperties: { type: 'object', additionalProperties: { type: 'integer' } },
                  },
                },
              },
              queue: {
                type: 'object',
                properties: {
                  depth: { type: 'integer' },
                  byConnector: { type: 'object', additionalProperties: { type: 'integer' } },
                },
              },
              mo: { type: 'object', properties: { count: { type: 'integer' } } },
              connectors: {
                type: 'object',
                properties: { total: { type: 'integer' }, bound: { type: 'integer' } },
              },
            },
          },
          ...errors,
        },
      },
    },
    async () => {
      const counts = await store.countMessages();
      const byState: Record<string, number> = {};
      const byConnector: Record<string, Record<string, number>> = {};
      let total = 0;
      for (const c of counts) {
        total += c.count;
        byState[c.state] = (byState[c.state] ?? 0) + c.count;
        (byConnector[c.connectorId] ??= {})[c.state] = c.count;
      }
      const connectors = gateway.listConnectors();
      const queueBy: Record<string, number> = {};
      for (const c of connectors) queueBy[c.id] = await store.queueDepth(c.id);
      return {
        messages: { total, byState, byConnector },
        queue: { depth: await store.queueDepth(), byConnector: queueBy },
        mo: { count: await store.countMo() },
        connectors: { total: connectors.length, bound: connectors.filter((c) => c.ready).length },
      };
    },
  );
};

/** A Fastify app serving only the admin API under ADMIN_PREFIX (tests; a gateway without the REST API). */
export async function buildAdminApp(opts: AdminOptions & { logger?: boolean }): Promise<FastifyInstance> {
  // The same Ajv options as the API app it is usually mounted in: unknown keys are refused.
  const app = Fastify({ logger: opts.logger ?? false, ajv: jsonApiAjv });
  app.setErrorHandler(problemErrorHandler);
  app.setNotFoundHandler((req, reply) =>
    sendProblem(
      reply,
      problem(404, 'HERMOD_ERR_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`),
    ),
  );
  await app.register(adminPlugin, { ...opts, prefix: ADMIN_PREFIX });
  return app;
}
