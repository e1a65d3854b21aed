// A gateway context for testing one service alone: a real SQLite store in a temporary
// directory, the events it raises recorded in order, and a settable clock for routing.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword, newMessageId, type StoredMessage, type User } from '../../src/domain/index.js';
import { SqliteStore } from '../../src/store/index.js';
import type { Connector } from '../../src/gateway/index.js';
import type { GatewayEvents } from '../../src/gateway/events.js';
import type { GatewayContext, GatewayOptions } from '../../src/gateway/options.js';

export type Recorded = { [K in keyof GatewayEvents]: [K, ...GatewayEvents[K]] }[keyof GatewayEvents];

export interface TestContext {
  ctx: GatewayContext;
  store: SqliteStore;
  connectors: Map<string, Connector>;
  events: Recorded[];
  /** The events of one name, their arguments only. */
  of<K extends keyof GatewayEvents>(name: K): GatewayEvents[K][];
  user: User;
  /** Accepts a message for `user` through the store (queued for `connectorId`). */
  message(opts?: { connectorId?: string; registeredDelivery?: number }): Promise<StoredMessage>;
  close(): Promise<void>;
}

export async function testContext(opts: GatewayOptions = {}): Promise<TestContext> {
  const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'hermod-unit-')), 'hermod.db'));
  const user = await store.upsertUser({
    username: 'shop',
    passwordHash: hashPassword('pw'),
    balanceMicros: 10_000_000,
    rateMicros: 10_000,
  });
  const connectors = new Map<string, Connector>();
  const events: Recorded[] = [];
  const ctx: GatewayContext = {
    store,
    opts,
    connectors,
    emit: (event, ...args) => void events.push([event, ...args] as unknown as Recorded),
    now: () => opts.now?.() ?? Date.now(),
  };
  return {
    ctx,
    store,
    connectors,
    events,
    of: <K extends keyof GatewayEvents>(name: K) =>
      events.filter((e) => e[0] === name).map((e) => e.slice(1) as GatewayEvents[K]),
    user,
    async message({ connectorId = 'c1', registeredDelivery = 1 } = {}) {
      const id = newMessageId();
      const r = await store.accept({
        id,
        userId: user.id,
        systemId: 'shop',
        source: 'Shop',
        destination: '447700900001',
        esmClass: 0,
        dataCoding: 0,
        body: Buffer.from('hello'),
        registeredDelivery,
        priority: 0,
        connectorId,
        priceMicros: 10_000,
        meta: { segments: 1 },
      });
      if (!r.ok) throw new Error(r.reason);
      return (await store.getMessage(id))!;
    },
    close: () => store.close(),
  };
}
