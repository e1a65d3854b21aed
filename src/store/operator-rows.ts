/**
 * Rows of the operator views (pending webhooks, the webhook delivery log) as both stores
 * read them: column names are the same in SQLite and PostgreSQL, and `Number()` takes
 * SQLite's integers and the strings pg returns for BIGINT alike.
 */
import type { LoggedWebhookAttempt, NewWebhook, PendingWebhook } from './store.js';

type Row = Record<string, unknown>;

export const toPending = (r: Row): PendingWebhook => ({
  id: Number(r.id),
  eventId: r.event_id as string,
  kind: r.kind as NewWebhook['kind'],
  messageId: r.message_id as string,
  url: r.url as string,
  attempts: Number(r.attempts),
  nextAt: Number(r.next_at),
  expiresAt: Number(r.expires_at),
  createdAt: Number(r.created_at),
  lastError: (r.last_error as string | null) ?? null,
});

export const toLogged = (r: Row): LoggedWebhookAttempt => ({
  id: Number(r.id),
  eventId: r.event_id as string,
  messageId: r.message_id as string,
  url: r.url as string,
  attempt: Number(r.attempt),
  status: r.status === null ? null : Number(r.status),
  error: (r.error as string | null) ?? null,
  durationMs: Number(r.duration_ms),
  at: Number(r.at),
});
