/** The SMS engine over the core: its stores in the core store's database, its services on the gateway. */
import { Engine } from '../engine/index.js';
import { openEngineStores } from '../store/index.js';
import type { Core } from './gateway.js';
import { peopleOptionsFromEnv } from './people.js';

/** Builds the engine (its tables migrated); nothing runs until `engine.start()`. */
export async function buildEngine(core: Core): Promise<Engine> {
  const stores = await openEngineStores(core.store);
  return new Engine({ gateway: core.gateway, stores, people: peopleOptionsFromEnv() });
}
