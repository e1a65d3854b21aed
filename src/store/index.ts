export type { Store, ApiKeyInfo, QueueClaim, OutboxItem, AcceptResult, MoPart, MoRecord, InboundMessage, MessagePart, HistoryEntry, FinalNotify, FinalNotification, NewWebhook, WebhookItem, MessageFilter, MoQuery, IdempotencyBegin, MessageCount, OptOut, PendingWebhook, WebhookAttempt, LoggedWebhookAttempt, ExpiredPart, DefinitionSource, StoredConnector, StoredRoutes, RouteKind, DefinitionsEvent } from './store.js';
export { SqliteStore } from './sqlite/sqlite-store.js';
export { RESTART_REQUEUE_DETAIL } from './store.js';
export { PostgresStore, type PostgresStoreOptions } from './postgres/postgres-store.js';
