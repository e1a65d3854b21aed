/** The audit log of operator actions on SQLite (AuditStore). */
import type { AuditEntry, AuditStore, NewAuditEntry } from '../../engine-store/audit.js';
import { Statements, type NamedMigration, type SqliteHandle } from './handle.js';

export const AUDIT_MIGRATIONS: readonly NamedMigration[] = [
  {
    name: 'audit/1',
    sql: `CREATE TABLE audit_log (
       id INTEGER PRIMARY KEY,
       at INTEGER NOT NULL,
       actor TEXT NOT NULL,
       actor_kind TEXT NOT NULL,
       method TEXT NOT NULL,
       path TEXT NOT NULL,
       target TEXT,
       status INTEGER NOT NULL
     );`,
  },
];

interface Row {
  id: number;
  at: number;
  actor: string;
  actor_kind: AuditEntry['actorKind'];
  method: string;
  path: string;
  target: string | null;
  status: number;
}

const toEntry = (r: Row): AuditEntry => ({
  id: r.id,
  at: r.at,
  actor: r.actor,
  actorKind: r.actor_kind,
  method: r.method,
  path: r.path,
  target: r.target,
  status: r.status,
});

export class SqliteAuditStore implements AuditStore {
  private readonly st: Statements;

  constructor(private readonly h: SqliteHandle) {
    this.st = new Statements(h.db);
  }

  record(e: NewAuditEntry): Promise<AuditEntry> {
    return this.h.write(() => {
      const r = this.st
        .get(
          'INSERT INTO audit_log (at, actor, actor_kind, method, path, target, status) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(e.at, e.actor, e.actorKind, e.method, e.path, e.target, e.status);
      return { id: Number(r.lastInsertRowid), ...e };
    });
  }

  async listAudit(q: { before?: number; limit: number }): Promise<AuditEntry[]> {
    const rows = this.st
      .get('SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?')
      .all(q.before ?? Number.MAX_SAFE_INTEGER, q.limit) as Row[];
    return rows.map(toEntry);
  }
}
