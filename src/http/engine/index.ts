/**
 * REST v1 resources of the SMS engine (contacts, contact groups, imports, templates,
 * campaigns, conversations, keyword services, ledger, rate cards, reports), one Fastify
 * plugin per resource, registered inside /v1 behind the customer's authentication
 * (`req.apiUser`): every resource is the account's own.
 */
import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/index.js';
import type { Gateway } from '../../gateway/index.js';
import { contactRoutes } from './contacts.js';
import { memberRoutes } from './members.js';

export interface EngineRouteOptions {
  engine: Engine;
  gateway: Gateway;
}

/** The OpenAPI tags of the engine's resources. */
export const ENGINE_TAGS = [{ name: 'contacts' }, { name: 'session' }, { name: 'members' }];

export async function engineRoutes(app: FastifyInstance, opts: EngineRouteOptions): Promise<void> {
  await app.register(contactRoutes, opts);
  await app.register(memberRoutes, opts);
}
