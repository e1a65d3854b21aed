/** The SMS engine over the core: its stores in the core store's database, its services on the gateway. */
import { Engine } from '../engine/index.js';
import { randomBytes } from 'node:crypto';
import { campaignOwner, openEngineStores } from '../store/index.js';
import type { Core } from './gateway.js';
import { peopleOptionsFromEnv } from './people.js';

/** Builds the engine (its tables migrated); nothing runs until `engine.start()`. */
export async function buildEngine(core: Core): Promise<Engine> {
  const stores = await openEngineStores(core.store);
  const log = core.log.child({ component: 'contact-imports' });
  const fileSecrets = new Set(core.config.users.filter((u) => u.webhookSecret).map((u) => u.username));
  const engine = new Engine({
    gateway: core.gateway,
    stores,
    people: peopleOptionsFromEnv(),
    inbox: { guard: core.guard, optOut: core.config.optOut, log: core.log },
    contactImports: {
      ...core.config.engine.imports,
      onError: (err, jobId) => log.error({ err, jobId }, 'contact import'),
    },
    configWebhookSecret: (username) => fileSecrets.has(username) || core.config.webhooks.secret !== undefined,
    // Runner leases named by the node (freed by a dead node's reaper); the leader scans.
    campaigns: {
      owner: campaignOwner(core.cluster.nodeId, `${process.pid}:${randomBytes(3).toString('hex')}`),
      scans: () => core.cluster.isLeader(),
    },
  });
  core.setAccountSecrets((username) => engine.account.secretFor(username));
  // Telnyx events of /v2 are signed with the installation's stored Ed25519 key (docs/telnyx-api.md).
  core.setTelnyxKey((await engine.account.ed25519Key()).privateKey);
  return engine;
}
