/** The audit log of operator actions on PostgreSQL (AuditStore). */
import type { AuditEntry, AuditStore, NewAuditEntry } from '../../engine-store/audit.js';
import { num, type NamedMigration, type PgHandle } from './handle.js';

export const AUDIT_MIGRATIONS: readonly NamedMigration[] = [
  {
    name: 'audit/1',
    sql: `CREATE TABLE audit_log (
       id BIGSERIAL PRIMARY KEY,
       at BIGINT NOT NULL,
       actor TEXT NOT NULL,
       actor_kind TEXT NOT NULL,
       method TEXT NOT NULL,
       path TEXT NOT NULL,
       target TEXT,
       status INTEGER NOT NULL
     );`,
  },
];

type Row = Record<string, unknown>;

const toEntry = (r: Row): AuditEntry => ({
  id: num(r.id),
  at: num(r.at),
  actor: r.actor as string,
  actorKind: r.actor_kind as AuditEntry['actorKind'],
  method: r.method as string,
  path: r.path as string,
  target: (r.target as string | null) ?? null,
  status: num(r.status),
});

export class PgAuditStore implements AuditStore {
  constructor(private readonly h: PgHandle) {}

  async record(e: NewAuditEntry): Promise<AuditEntry> {
    const { rows } = await this.h.pool.query(
      `INSERT INTO audit_log (at, actor, actor_kind, method, path, target, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [e.at, e.actor, e.actorKind, e.method, e.path, e.target, e.status],
    );
    return toEntry(rows[0] as Row);
  }

  async listAudit(q: { before?: number; limit: number }): Promise<AuditEntry[]> {
    const { rows } = await this.h.pool.query(
      'SELECT * FROM audit_log WHERE id < $1 ORDER BY id DESC LIMIT $2',
      [q.before ?? Number.MAX_SAFE_INTEGER, q.limit],
    );
    return (rows as Row[]).map(toEntry);
  }
}
