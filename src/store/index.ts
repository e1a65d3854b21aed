export type { Store, QueueClaim, OutboxItem, AcceptResult } from './store.js';
export { SqliteStore } from './sqlite/sqlite-store.js';
