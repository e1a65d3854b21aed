/**
 * CSV imports of contacts as durable background jobs. The uploaded file is stored with the
 * job, in chunks (`import_chunks`), in the same database: any node of a PostgreSQL cluster
 * can run or resume it, a restart loses nothing, and nothing depends on a shared disk. A job
 * is applied in batches: each batch's contacts, its invalid rows and the job's cursor (the
 * byte and line after the batch's last row) are committed in one transaction, so a job that
 * stops anywhere resumes at the first row not applied, neither skipping nor repeating one.
 * One runner owns a job at a time through a lease it renews with every batch.
 */
import type { ContactInput } from './contacts.js';

export type ImportState = 'queued' | 'running' | 'completed' | 'failed';

/** Which column (0-based) holds what; custom fields by key. */
export interface ImportColumns {
  number: number;
  firstName: number | null;
  lastName: number | null;
  notes: number | null;
  fields: [key: string, column: number][];
}

export interface ImportJob {
  id: number;
  userId: number;
  state: ImportState;
  /** The group every imported contact joins, if any. */
  groupId: number | null;
  /** The default country national numbers are read in. */
  country: string | null;
  /** The file's first row is a header (skipped; names the columns). */
  header: boolean;
  /** The field delimiter (detected: , ; tab or |). */
  delimiter: string;
  /** The header row's names (empty without a header). */
  headerNames: string[];
  columns: ImportColumns;
  fileName: string | null;
  sizeBytes: number;
  /** Rows read so far (blank lines are not rows). */
  total: number;
  created: number;
  updated: number;
  invalid: number;
  /** Where the next row starts: its byte in the file, and the line feeds before it. */
  bytesDone: number;
  linesDone: number;
  /** Why a failed job failed. */
  error: string | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

export interface NewImport {
  userId: number;
  groupId: number | null;
  country: string | null;
  header: boolean;
  delimiter: string;
  headerNames: string[];
  columns: ImportColumns;
  fileName: string | null;
  /** The whole file (stored in chunks with the job, in one transaction). */
  csv: Buffer;
  /** Where the first data row starts (after the header). */
  bytesDone: number;
  linesDone: number;
}

/** A row that was not imported: its line in the file (1-based), why, and the row as read. */
export interface ImportRowError {
  line: number;
  number: string | null;
  reason: string;
  raw: string;
}

export interface ImportBatch {
  jobId: number;
  userId: number;
  /** The runner's lease: a batch of a runner that lost its job is refused (false). */
  owner: string;
  leaseMs: number;
  groupId: number | null;
  contacts: ContactInput[];
  errors: ImportRowError[];
  /** Rows read in this batch (contacts + errors). */
  rows: number;
  /** The cursor after this batch. */
  bytesDone: number;
  linesDone: number;
}

export interface ContactImportStore {
  createImport(n: NewImport): Promise<ImportJob>;

  getImport(q: { userId: number; id: number }): Promise<ImportJob | undefined>;

  /** The account's imports, newest first. */
  listImports(q: { userId: number; limit: number }): Promise<ImportJob[]>;

  /**
   * Takes the oldest job that is queued, or running with a lapsed lease (its runner
   * stopped or died): state running, owned by `owner` until now + leaseMs.
   */
  claimImport(q: { owner: string; leaseMs: number }): Promise<ImportJob | undefined>;

  /** The stored file from byte `from` on, a chunk at a time. */
  readImport(jobId: number, from: number): AsyncIterable<Buffer>;

  /**
   * Applies one batch in one transaction: the contacts upserted (and added to the group),
   * the errors recorded, the counts and cursor advanced, the lease renewed. False (nothing
   * done) when `owner` no longer holds the job.
   */
  applyImportBatch(b: ImportBatch): Promise<boolean>;

  /** Ends a job (its file is deleted); false when `owner` no longer holds it. */
  finishImport(q: {
    jobId: number;
    owner: string;
    state: 'completed' | 'failed';
    error?: string;
  }): Promise<boolean>;

  /** Gives a running job back (a clean stop): the next claim takes it at once. */
  releaseImport(q: { jobId: number; owner: string }): Promise<void>;

  /** A job's invalid rows in line order, after line `afterLine`. */
  listImportErrors(q: {
    userId: number;
    jobId: number;
    afterLine: number;
    limit: number;
  }): Promise<ImportRowError[]>;
}

/** The stored file's chunk size: a chunk is one row of `import_chunks`. */
export const IMPORT_CHUNK_BYTES = 1 << 20;
