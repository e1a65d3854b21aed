/** CSV import jobs of contacts on SQLite (ContactImportStore): the job, its file in chunks, its invalid rows. */
import {
  IMPORT_CHUNK_BYTES,
  type ContactImportStore,
  type ImportBatch,
  type ImportColumns,
  type ImportJob,
  type ImportRowError,
  type ImportState,
  type NewImport,
} from '../../engine-store/contact-imports.js';
import { Statements, type NamedMigration, type SqliteHandle } from './handle.js';
import type { SqliteContactStore } from './contacts.js';

export const CONTACT_IMPORTS_MIGRATIONS: readonly NamedMigration[] = [
  {
    name: 'contact-imports/1',
    sql: `CREATE TABLE import_jobs (
       id INTEGER PRIMARY KEY,
       user_id INTEGER NOT NULL,
       state TEXT NOT NULL,
       group_id INTEGER,
       country TEXT,
       header INTEGER NOT NULL,
       delimiter TEXT NOT NULL,
       header_names TEXT NOT NULL,
       columns TEXT NOT NULL,
       file_name TEXT,
       size_bytes INTEGER NOT NULL,
       total INTEGER NOT NULL DEFAULT 0,
       created INTEGER NOT NULL DEFAULT 0,
       updated INTEGER NOT NULL DEFAULT 0,
       invalid INTEGER NOT NULL DEFAULT 0,
       bytes_done INTEGER NOT NULL,
       lines_done INTEGER NOT NULL,
       owner TEXT,
       lease_until INTEGER NOT NULL DEFAULT 0,
       error TEXT,
       created_at INTEGER NOT NULL,
       updated_at INTEGER NOT NULL,
       finished_at INTEGER
     );
     CREATE INDEX import_jobs_by_user ON import_jobs (user_id, id);
     CREATE INDEX import_jobs_open ON import_jobs (id) WHERE state IN ('queued', 'running');
     CREATE TABLE import_chunks (
       job_id INTEGER NOT NULL,
       seq INTEGER NOT NULL,
       data BLOB NOT NULL,
       PRIMARY KEY (job_id, seq)
     );
     CREATE TABLE import_errors (
       job_id INTEGER NOT NULL,
       line INTEGER NOT NULL,
       number TEXT,
       reason TEXT NOT NULL,
       raw TEXT NOT NULL,
       PRIMARY KEY (job_id, line)
     );`,
  },
];

interface JobRow {
  id: number;
  user_id: number;
  state: ImportState;
  group_id: number | null;
  country: string | null;
  header: number;
  delimiter: string;
  header_names: string;
  columns: string;
  file_name: string | null;
  size_bytes: number;
  total: number;
  created: number;
  updated: number;
  invalid: number;
  bytes_done: number;
  lines_done: number;
  owner: string | null;
  lease_until: number;
  error: string | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

const toJob = (r: JobRow): ImportJob => ({
  id: r.id,
  userId: r.user_id,
  state: r.state,
  groupId: r.group_id,
  country: r.country,
  header: r.header === 1,
  delimiter: r.delimiter,
  headerNames: JSON.parse(r.header_names) as string[],
  columns: JSON.parse(r.columns) as ImportColumns,
  fileName: r.file_name,
  sizeBytes: r.size_bytes,
  total: r.total,
  created: r.created,
  updated: r.updated,
  invalid: r.invalid,
  bytesDone: r.bytes_done,
  linesDone: r.lines_done,
  error: r.error,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  finishedAt: r.finished_at,
});

export class SqliteContactImportStore implements ContactImportStore {
  private readonly st: Statements;

  constructor(
    private readonly h: SqliteHandle,
    private readonly contacts: SqliteContactStore,
  ) {
    this.st = new Statements(h.db);
  }

  createImport(n: NewImport): Promise<ImportJob> {
    return this.h.write(() => {
      const now = Date.now();
      const r = this.st
        .get(
          `INSERT INTO import_jobs (user_id, state, group_id, country, header, delimiter, header_names, columns, file_name,
             size_bytes, bytes_done, lines_done, created_at, updated_at)
           VALUES (?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          n.userId,
          n.groupId,
          n.country,
          n.header ? 1 : 0,
          n.delimiter,
          JSON.stringify(n.headerNames),
          JSON.stringify(n.columns),
          n.fileName,
          n.csv.length,
          n.bytesDone,
          n.linesDone,
          now,
          now,
        );
      const id = Number(r.lastInsertRowid);
      const chunk = this.st.get('INSERT INTO import_chunks (job_id, seq, data) VALUES (?, ?, ?)');
      for (let seq = 0, at = 0; at < n.csv.length; seq++, at += IMPORT_CHUNK_BYTES)
        chunk.run(id, seq, n.csv.subarray(at, at + IMPORT_CHUNK_BYTES));
      return toJob(this.st.get('SELECT * FROM import_jobs WHERE id = ?').get(id) as JobRow);
    });
  }

  async getImport(q: { userId: number; id: number }): Promise<ImportJob | undefined> {
    const r = this.st.get('SELECT * FROM import_jobs WHERE id = ? AND user_id = ?').get(q.id, q.userId) as
      JobRow | undefined;
    return r && toJob(r);
  }

  async listImports(q: { userId: number; limit: number }): Promise<ImportJob[]> {
    return (
      this.st
        .get('SELECT * FROM import_jobs WHERE user_id = ? ORDER BY id DESC LIMIT ?')
        .all(q.userId, q.limit) as JobRow[]
    ).map(toJob);
  }

  async claimImport(q: { owner: string; leaseMs: number }): Promise<ImportJob | undefined> {
    // Read first: an idle runner polls, and a write transaction a second for nothing is not free.
    const open = this.st
      .get(
        `SELECT 1 FROM import_jobs WHERE state IN ('queued', 'running')
           AND (state = 'queued' OR lease_until < ?) LIMIT 1`,
      )
      .get(Date.now());
    if (open === undefined) return undefined;
    return this.h.write(() => {
      const now = Date.now();
      const r = this.st
        .get(
          `SELECT * FROM import_jobs WHERE state IN ('queued', 'running')
             AND (state = 'queued' OR lease_until < ?) ORDER BY id LIMIT 1`,
        )
        .get(now) as JobRow | undefined;
      if (!r) return undefined;
      this.st
        .get(
          "UPDATE import_jobs SET state = 'running', owner = ?, lease_until = ?, updated_at = ? WHERE id = ?",
        )
        .run(q.owner, now + q.leaseMs, now, r.id);
      return toJob({ ...r, state: 'running', owner: q.owner, updated_at: now });
    });
  }

  async *readImport(jobId: number, from: number): AsyncIterable<Buffer> {
    const read = this.st.get('SELECT data FROM import_chunks WHERE job_id = ? AND seq = ?');
    let offset = from % IMPORT_CHUNK_BYTES;
    for (let seq = Math.floor(from / IMPORT_CHUNK_BYTES); ; seq++) {
      const r = read.get(jobId, seq) as { data: Buffer } | undefined;
      if (!r) return;
      yield offset === 0 ? r.data : r.data.subarray(offset);
      offset = 0;
    }
  }

  applyImportBatch(b: ImportBatch): Promise<boolean> {
    return this.h.write(() => {
      if (!this.holds(b.jobId, b.owner)) return false;
      const now = Date.now();
      // A group deleted while its import runs: the contacts are still imported.
      const groupId =
        b.groupId !== null && this.contacts.hasGroup(b.userId, b.groupId) ? b.groupId : undefined;
      const r =
        b.contacts.length > 0
          ? this.contacts.upsertInWrite(
              { userId: b.userId, contacts: b.contacts, ...(groupId !== undefined ? { groupId } : {}) },
              now,
            )
          : { created: 0, updated: 0 };
      const err = this.st.get(
        'INSERT OR IGNORE INTO import_errors (job_id, line, number, reason, raw) VALUES (?, ?, ?, ?, ?)',
      );
      for (const e of b.errors) err.run(b.jobId, e.line, e.number, e.reason, e.raw);
      this.st
        .get(
          `UPDATE import_jobs SET total = total + ?, created = created + ?, updated = updated + ?,
             invalid = invalid + ?, bytes_done = ?, lines_done = ?, lease_until = ?, updated_at = ? WHERE id = ?`,
        )
        .run(
          b.rows,
          r.created,
          r.updated,
          b.errors.length,
          b.bytesDone,
          b.linesDone,
          now + b.leaseMs,
          now,
          b.jobId,
        );
      return true;
    });
  }

  finishImport(q: {
    jobId: number;
    owner: string;
    state: 'completed' | 'failed';
    error?: string;
  }): Promise<boolean> {
    return this.h.write(() => {
      if (!this.holds(q.jobId, q.owner)) return false;
      const now = Date.now();
      this.st
        .get(
          'UPDATE import_jobs SET state = ?, error = ?, owner = NULL, lease_until = 0, updated_at = ?, finished_at = ? WHERE id = ?',
        )
        .run(q.state, q.error ?? null, now, now, q.jobId);
      this.st.get('DELETE FROM import_chunks WHERE job_id = ?').run(q.jobId);
      return true;
    });
  }

  async releaseImport(q: { jobId: number; owner: string }): Promise<void> {
    await this.h.write(() => {
      this.st
        .get("UPDATE import_jobs SET lease_until = 0 WHERE id = ? AND owner = ? AND state = 'running'")
        .run(q.jobId, q.owner);
    });
  }

  async listImportErrors(q: {
    userId: number;
    jobId: number;
    afterLine: number;
    limit: number;
  }): Promise<ImportRowError[]> {
    return this.st
      .get(
        `SELECT e.line, e.number, e.reason, e.raw FROM import_errors e JOIN import_jobs j ON j.id = e.job_id
         WHERE e.job_id = ? AND j.user_id = ? AND e.line > ? ORDER BY e.line LIMIT ?`,
      )
      .all(q.jobId, q.userId, q.afterLine, q.limit) as ImportRowError[];
  }

  /** Inside a write: whether `owner` runs the job. */
  private holds(jobId: number, owner: string): boolean {
    return (
      this.st
        .get("SELECT 1 FROM import_jobs WHERE id = ? AND owner = ? AND state = 'running'")
        .get(jobId, owner) !== undefined
    );
  }
}
