/**
 * The audit log of operator actions: one row per changing admin API request (POST, PUT,
 * PATCH, DELETE under /v1/admin) made with an operator's session or an admin key — when,
 * who, what (method, path, the target it named) and the status it was answered with. Never
 * a body: passwords and keys stay out of it. Rows are only added; read newest first.
 */

export interface AuditEntry {
  id: number;
  /** Epoch milliseconds. */
  at: number;
  /** The operator's email, or "admin token". */
  actor: string;
  actorKind: 'operator' | 'admin_token';
  method: string;
  /** The request path without its query string. */
  path: string;
  /** What the request named: a username, a connector id, a number… (null when nothing). */
  target: string | null;
  /** The HTTP status it was answered with. */
  status: number;
}

export type NewAuditEntry = Omit<AuditEntry, 'id'>;

export interface AuditStore {
  record(e: NewAuditEntry): Promise<AuditEntry>;
  /** Newest first: ids below `before` (keyset; none = from the newest), at most `limit`. */
  listAudit(q: { before?: number; limit: number }): Promise<AuditEntry[]>;
}
