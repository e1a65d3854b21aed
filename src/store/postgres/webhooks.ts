/**
 * The PostgreSQL store's webhook outbox and webhook log (NotificationStore's webhook half):
 * items added, claimed on the claims' connections (index scans only, see
 * PostgresStore.claimInIndexOrder), acknowledged and logged on the group commit's lanes
 * (bulk-writes.ts), retried, expired, listed and pruned. The store delegates to it.
 */
import type pg from 'pg';
import type {
  LoggedWebhookAttempt,
  NewWebhook,
  PendingWebhook,
  WebhookAttempt,
  WebhookItem,
} from '../store.js';
import { toLogged, toPending } from '../operator-rows.js';
import { insertWebhooks } from './bulk-receipts.js';
import { ackWebhookKind, webhookLogKind } from './bulk-writes.js';
import type { GroupCommit } from './group-commit.js';
import { num, type Row } from './rows.js';

const toWebhook = (r: Row): WebhookItem => ({
  id: num(r.id),
  eventId: r.event_id as string,
  kind: r.kind as NewWebhook['kind'],
  messageId: r.message_id as string,
  owner: r.owner as string,
  url: r.url as string,
  method: r.method as 'GET' | 'POST',
  body: r.body as string,
  attempts: r.attempts as number,
  expiresAt: num(r.expires_at),
  createdAt: num(r.created_at),
});

export class PostgresWebhooks {
  constructor(
    private readonly pool: pg.Pool,
    /** The claims' connections (index scans only). */
    private readonly leases: pg.Pool,
    private readonly group: GroupCommit,
    private readonly nodeId: string,
  ) {}

  addWebhooks(items: NewWebhook[]): Promise<void> {
    return this.group.write((c) => insertWebhooks(c, items, Date.now()));
  }

  async claimWebhooks(limit: number, leaseMs: number): Promise<WebhookItem[]> {
    const now = Date.now();
    // Due, not leased, and no older pending item of the same message (order per message);
    // walked on webhooks_due_order (on the claims' connections: see PostgresStore.claimInIndexOrder).
    const { rows } = await this.leases.query(
      `UPDATE webhooks SET lease_until = $1, attempts = attempts + 1, claimed_by = $4
       WHERE id IN (SELECT w.id FROM webhooks w WHERE w.next_at <= $2 AND w.lease_until <= $2 AND w.expires_at > $2
                      AND NOT EXISTS (SELECT 1 FROM webhooks o WHERE o.message_id = w.message_id AND o.id < w.id)
                    ORDER BY w.next_at, w.id LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [now + leaseMs, now, limit, this.nodeId],
    );
    return (rows as Row[]).map(toWebhook).sort((a, b) => a.id - b.id);
  }

  ackWebhook(id: number): Promise<void> {
    return this.group.bulk(
      ackWebhookKind,
      id,
      async (c) => void (await c.query('DELETE FROM webhooks WHERE id = $1', [id])),
    );
  }

  retryWebhook(id: number, delayMs: number, error: string): Promise<void> {
    return this.group.write(async (c) => {
      const next = Date.now() + delayMs;
      await c.query(
        'UPDATE webhooks SET next_at = $1, lease_until = 0, claimed_by = NULL, last_error = $2 WHERE id = $3',
        [next, error, id],
      );
      // The message's later items wait out this one's back-off too (see the SQLite store).
      await c.query(
        'UPDATE webhooks SET next_at = GREATEST(next_at, $1) WHERE message_id = (SELECT message_id FROM webhooks WHERE id = $2) AND id > $2',
        [next, id],
      );
    });
  }

  dropWebhook(id: number): Promise<void> {
    return this.ackWebhook(id);
  }

  expireWebhooks(): Promise<WebhookItem[]> {
    return this.group.write(async (c) =>
      (await c.query('DELETE FROM webhooks WHERE expires_at <= $1 RETURNING *', [Date.now()])).rows.map(
        toWebhook,
      ),
    );
  }

  async webhookDepth(): Promise<number> {
    const [r] = (await this.pool.query('SELECT COUNT(*) AS n FROM webhooks')).rows as Row[];
    return num(r?.n ?? 0);
  }

  async listPendingWebhooks(limit: number): Promise<PendingWebhook[]> {
    const { rows } = await this.pool.query(
      'SELECT id, event_id, kind, message_id, url, attempts, next_at, expires_at, created_at, last_error FROM webhooks ORDER BY id LIMIT $1',
      [limit],
    );
    return rows.map(toPending);
  }

  logWebhookAttempts(entries: WebhookAttempt[]): Promise<void> {
    return this.group.bulk(webhookLogKind, entries, async (c) => {
      for (const e of entries)
        await c.query(
          'INSERT INTO webhook_log (event_id, message_id, url, attempt, status, error, duration_ms, at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)',
          [e.eventId, e.messageId, e.url, e.attempt, e.status, e.error, Math.round(e.durationMs), e.at],
        );
    });
  }

  async listWebhookLog(f: { messageId?: string; limit: number }): Promise<LoggedWebhookAttempt[]> {
    const { rows } =
      f.messageId === undefined
        ? await this.pool.query('SELECT * FROM webhook_log ORDER BY id DESC LIMIT $1', [f.limit])
        : await this.pool.query('SELECT * FROM webhook_log WHERE message_id = $1 ORDER BY id DESC LIMIT $2', [
            f.messageId,
            f.limit,
          ]);
    return rows.map(toLogged);
  }

  pruneWebhookLog(f: { keep?: number; olderThan?: number }): Promise<number> {
    return this.group.write(async (c) => {
      let n = 0;
      if (f.olderThan !== undefined)
        n += (await c.query('DELETE FROM webhook_log WHERE at < $1', [f.olderThan])).rowCount ?? 0;
      if (f.keep !== undefined)
        n +=
          (
            await c.query(
              'DELETE FROM webhook_log WHERE id <= (SELECT id FROM webhook_log ORDER BY id DESC LIMIT 1 OFFSET $1)',
              [f.keep],
            )
          ).rowCount ?? 0;
      return n;
    });
  }
}
