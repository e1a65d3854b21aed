/**
 * CSV import jobs of contacts on PostgreSQL (ContactImportStore). A batch is a few
 * statements whatever its size (the contacts by unnest, the errors by unnest), in one
 * transaction with the job's cursor; the lease (owner, lease_until) lets one node of
 * several run a job, and another take it over when the first stops renewing it.
 */
import type pg from 'pg';
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
import { num, type NamedMigration, type PgHandle } from './handle.js';
import { upsertWith } from './contacts.js';

export const CONTACT_IMPORTS_MIGRATIONS: readonly NamedMigration[] = [
  {
    name: 'contact-imports/1',
    sql: `CREATE TABLE import_jobs (
       id BIGSERIAL PRIMARY KEY,
       user_id INTEGER NOT NULL,
       state TEXT NOT NULL,
       group_id BIGINT,
       country TEXT,
       header BOOLEAN NOT NULL,
       delimiter TEXT NOT NULL,
       header_names JSONB NOT NULL,
       columns JSONB NOT NULL,
       file_name TEXT,
       size_bytes BIGINT NOT NULL,
       total BIGINT NOT NULL DEFAULT 0,
       created BIGINT NOT NULL DEFAULT 0,
       updated BIGINT NOT NULL DEFAULT 0,
       invalid BIGINT NOT NULL DEFAULT 0,
       bytes_done BIGINT NOT NULL,
       lines_done BIGINT NOT NULL,
       owner TEXT,
       lease_until BIGINT NOT NULL DEFAULT 0,
       error TEXT,
       created_at BIGINT NOT NULL,
       updated_at BIGINT NOT NULL,
       finished_at BIGINT
     );
     CREATE INDEX import_jobs_by_user ON import_jobs (user_id, id);
     CREATE INDEX import_jobs_open ON import_jobs (id) WHERE state IN ('queued', 'running');
     CREATE TABLE import_chunks (
       job_id BIGINT NOT NULL,
       seq INTEGER NOT NULL,
       data BYTEA NOT NULL,
       PRIMARY KEY (job_id, seq)
     );
     CREATE TABLE import_errors (
       job_id BIGINT NOT NULL,
       line BIGINT NOT NULL,
       number TEXT,
       reason TEXT NOT NULL,
       raw TEXT NOT NULL,
       PRIMARY KEY (job_id, line)
     );`,
  },
];

type Row = Record<string, unknown>;

const toJob = (r: Row): ImportJob => ({
  id: num(r.id),
  userId: num(r.user_id),
  state: r.state as ImportState,
  groupId: r.group_id === null ? null : num(r.group_id),
  country: (r.country as string | null) ?? null,
  header: r.header === true,
  delimiter: r.delimiter as string,
  headerNames: r.header_names as string[],
  columns: r.columns as ImportColumns,
  fileName: (r.file_name as string | null) ?? null,
  sizeBytes: num(r.size_bytes),
  total: num(r.total),
  created: num(r.created),
  updated: num(r.updated),
  invalid: num(r.invalid),
  bytesDone: num(r.bytes_done),
  linesDone: num(r.lines_done),
  error: (r.error as string | null) ?? null,
  createdAt: num(r.created_at),
  updatedAt: num(r.updated_at),
  finishedAt: r.finished_at === null ? null : num(r.finished_at),
});

export class PgContactImportStore implements ContactImportStore {
  constructor(private readonly h: PgHandle) {}

  createImport(n: NewImport): Promise<ImportJob> {
    return this.h.write(async (c) => {
      const now = Date.now();
      const { rows } = await c.query(
        `INSERT INTO import_jobs (user_id, state, group_id, country, header, delimiter, header_names, columns, file_name,
           size_bytes, bytes_done, lines_done, created_at, updated_at)
         VALUES ($1, 'queued', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING *`,
        [
          n.userId,
          n.groupId,
          n.country,
          n.header,
          n.delimiter,
          JSON.stringify(n.headerNames),
          JSON.stringify(n.columns),
          n.fileName,
          n.csv.length,
          n.bytesDone,
          n.linesDone,
          now,
        ],
      );
      const job = toJob(rows[0] as Row);
      for (let seq = 0, at = 0; at < n.csv.length; seq++, at += IMPORT_CHUNK_BYTES)
        await c.query('INSERT INTO import_chunks (job_id, seq, data) VALUES ($1, $2, $3)', [
          job.id,
          seq,
          n.csv.subarray(at, at + IMPORT_CHUNK_BYTES),
        ]);
      return job;
    });
  }

  async getImport(q: { userId: number; id: number }): Promise<ImportJob | undefined> {
    const { rows } = await this.h.pool.query('SELECT * FROM import_jobs WHERE id = $1 AND user_id = $2', [
      q.id,
      q.userId,
    ]);
    return rows[0] && toJob(rows[0] as Row);
  }

  async listImports(q: { userId: number; limit: number }): Promise<ImportJob[]> {
    const { rows } = await this.h.pool.query(
      'SELECT * FROM import_jobs WHERE user_id = $1 ORDER BY id DESC LIMIT $2',
      [q.userId, q.limit],
    );
    return (rows as Row[]).map(toJob);
  }

  async claimImport(q: { owner: string; leaseMs: number }): Promise<ImportJob | undefined> {
    // Read first: an idle runner polls, and a write transaction a second for nothing is not free.
    const open = await this.h.pool.query(
      `SELECT 1 FROM import_jobs WHERE state IN ('queued', 'running')
         AND (state = 'queued' OR lease_until < $1) LIMIT 1`,
      [Date.now()],
    );
    if ((open.rowCount ?? 0) === 0) return undefined;
    return this.h.write(async (c) => {
      const now = Date.now();
      // SKIP LOCKED: two nodes claiming at once take different jobs (or one takes none).
      const { rows } = await c.query(
        `UPDATE import_jobs SET state = 'running', owner = $1, lease_until = $2, updated_at = $3
         WHERE id = (
           SELECT id FROM import_jobs WHERE state IN ('queued', 'running')
             AND (state = 'queued' OR lease_until < $3)
           ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
         ) RETURNING *`,
        [q.owner, now + q.leaseMs, now],
      );
      return rows[0] && toJob(rows[0] as Row);
    });
  }

  async *readImport(jobId: number, from: number): AsyncIterable<Buffer> {
    let offset = from % IMPORT_CHUNK_BYTES;
    for (let seq = Math.floor(from / IMPORT_CHUNK_BYTES); ; seq++) {
      const { rows } = await this.h.pool.query(
        'SELECT data FROM import_chunks WHERE job_id = $1 AND seq = $2',
        [jobId, seq],
      );
      const data = (rows[0] as { data: Buffer } | undefined)?.data;
      if (!data) return;
      yield offset === 0 ? data : data.subarray(offset);
      offset = 0;
    }
  }

  applyImportBatch(b: ImportBatch): Promise<boolean> {
    return this.h.write(async (c) => {
      if (!(await holds(c, b.jobId, b.owner))) return false;
      const now = Date.now();
      let groupId: number | undefined;
      if (b.groupId !== null) {
        // A group deleted while its import runs: the contacts are still imported.
        const g = await c.query('SELECT 1 FROM contact_groups WHERE id = $1 AND user_id = $2', [
          b.groupId,
          b.userId,
        ]);
        if ((g.rowCount ?? 0) > 0) groupId = b.groupId;
      }
      const r =
        b.contacts.length > 0
          ? await upsertWith(
              c,
              { userId: b.userId, contacts: b.contacts, ...(groupId !== undefined ? { groupId } : {}) },
              now,
            )
          : { created: 0, updated: 0 };
      if (b.errors.length > 0)
        await c.query(
          `INSERT INTO import_errors (job_id, line, number, reason, raw)
           SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[])
           ON CONFLICT DO NOTHING`,
          [
            b.jobId,
            b.errors.map((e) => e.line),
            b.errors.map((e) => e.number),
            b.errors.map((e) => e.reason),
            b.errors.map((e) => e.raw),
          ],
        );
      await c.query(
        `UPDATE import_jobs SET total = total + $2, created = created + $3, updated = updated + $4,
           invalid = invalid + $5, bytes_done = $6, lines_done = $7, lease_until = $8, updated_at = $9 WHERE id = $1`,
        [
          b.jobId,
          b.rows,
          r.created,
          r.updated,
          b.errors.length,
          b.bytesDone,
          b.linesDone,
          now + b.leaseMs,
          now,
        ],
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
    return this.h.write(async (c) => {
      if (!(await holds(c, q.jobId, q.owner))) return false;
      const now = Date.now();
      await c.query(
        `UPDATE import_jobs SET state = $2, error = $3, owner = NULL, lease_until = 0, updated_at = $4,
           finished_at = $4 WHERE id = $1`,
        [q.jobId, q.state, q.error ?? null, now],
      );
      await c.query('DELETE FROM import_chunks WHERE job_id = $1', [q.jobId]);
      return true;
    });
  }

  async releaseImport(q: { jobId: number; owner: string }): Promise<void> {
    await this.h.write(async (c) => {
      await c.query(
        "UPDATE import_jobs SET lease_until = 0 WHERE id = $1 AND owner = $2 AND state = 'running'",
        [q.jobId, q.owner],
      );
    });
  }

  async listImportErrors(q: {
    userId: number;
    jobId: number;
    afterLine: number;
    limit: number;
  }): Promise<ImportRowError[]> {
    const { rows } = await this.h.pool.query(
      `SELECT e.line, e.number, e.reason, e.raw FROM import_errors e JOIN import_jobs j ON j.id = e.job_id
       WHERE e.job_id = $1 AND j.user_id = $2 AND e.line > $3 ORDER BY e.line LIMIT $4`,
      [q.jobId, q.userId, q.afterLine, q.limit],
    );
    return (rows as Row[]).map((r) => ({
      line: num(r.line),
      number: (r.number as string | null) ?? null,
      reason: r.reason as string,
      raw: r.raw as string,
    }));
  }
}

/** Whether `owner` runs the job (the row locked until the transaction ends). */
async function holds(c: pg.PoolClient, jobId: number, owner: string): Promise<boolean> {
  const { rowCount } = await c.query(
    "SELECT 1 FROM import_jobs WHERE id = $1 AND owner = $2 AND state = 'running' FOR UPDATE",
    [jobId, owner],
  );
  return (rowCount ?? 0) > 0;
}
