/**
 * CSV imports of contacts as background jobs. `create` checks the upload (size, header,
 * columns, group) and stores it with a queued job; the runner takes jobs one at a time
 * and applies each in batches, every batch one transaction with the job's progress (see
 * ContactImportStore). A job left running by a stop or a crash is resumed, not failed: its
 * cursor says exactly which rows are applied, and applying the rest gives the same result
 * as an uninterrupted run (the customer's file is not lost to a restart, and nothing is
 * counted twice). On a clean stop the runner gives its job back at once; after a crash
 * the job waits for its lease to lapse (LEASE_MS), so two nodes never run it together.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import { isCountryCode } from '../domain/index.js';
import type {
  ContactImportStore,
  ContactInput,
  ImportJob,
  ImportRowError,
} from '../store/engine-store/index.js';
import type { ContactService } from './contacts.js';
import { EngineError, invalid, notFound } from './errors.js';
import { LIMITS, contactOfRow, csvLine, sniff, type ColumnMapping } from './contact-csv.js';

export type { ImportJob, ImportRowError, ColumnMapping };

export interface ContactImportOptions {
  /** The largest file accepted (bytes); default 50 MiB. */
  maxBytes?: number;
  /** Rows per batch (per transaction); default 2000. */
  batchRows?: number;
  /** How often an idle runner looks for queued jobs (ms); a new job wakes it at once. */
  pollMs?: number;
  /** Errors of the runner (a failed job is also recorded on the job). */
  onError?: (err: unknown, jobId: number) => void;
  /** After each batch committed (its job id): progress for logs and metrics. */
  onBatch?: (jobId: number) => void;
}

export const DEFAULT_IMPORT_MAX_BYTES = 50 * 1024 * 1024;
/** A runner that stops renewing its lease this long (a crash) loses the job to the next claim. */
export const LEASE_MS = 30_000;
/** Rows parsed between two turns of the event loop. */
const YIELD_ROWS = 200;

export interface NewImportRequest {
  csv: Buffer;
  fileName?: string | null;
  /** The account's group by id, or by name (created when it has none by that name). */
  groupId?: number;
  groupName?: string;
  /** Default country of national numbers; default: the account's. */
  country?: string | null;
  /** Whether the first row is a header; default: detected. */
  header?: boolean;
  mapping?: ColumnMapping;
}

export class ContactImports {
  private readonly owner = `importer-${randomUUID()}`;
  private readonly maxBytes: number;
  private readonly batchRows: number;
  private readonly pollMs: number;
  private running: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly store: ContactImportStore,
    private readonly contacts: ContactService,
    private readonly opts: ContactImportOptions = {},
  ) {
    this.maxBytes = opts.maxBytes ?? DEFAULT_IMPORT_MAX_BYTES;
    this.batchRows = opts.batchRows ?? 2000;
    this.pollMs = opts.pollMs ?? 1000;
  }

  /** The largest upload (bytes). */
  get maxUploadBytes(): number {
    return this.maxBytes;
  }

  /** Checks and stores an upload as a queued job (400 naming the field when it cannot be imported). */
  async create(userId: number, accountCountry: string | null, r: NewImportRequest): Promise<ImportJob> {
    if (r.csv.length === 0) throw invalid('csv', 'the file is empty');
    if (r.csv.length > this.maxBytes)
      throw new EngineError(
        413,
        'HERMOD_ERR_IMPORT_TOO_LARGE',
        `the file has ${r.csv.length} bytes, at most ${this.maxBytes} are accepted: split it`,
      );
    const country = r.country !== undefined ? r.country : accountCountry;
    if (country !== null && !isCountryCode(country))
      throw invalid('country', 'an ISO 3166 alpha-2 country code in capitals (e.g. GB)');
    const sniffed = await sniff(r.csv, {
      country,
      ...(r.header !== undefined ? { header: r.header } : {}),
      ...(r.mapping ? { mapping: r.mapping } : {}),
    });
    let groupId: number | null = null;
    if (r.groupId !== undefined) {
      if (!(await this.contacts.group(userId, r.groupId))) throw notFound(`contact group ${r.groupId}`);
      groupId = r.groupId;
    } else if (r.groupName !== undefined) groupId = (await this.contacts.groupNamed(userId, r.groupName)).id;
    const job = await this.store.createImport({
      userId,
      groupId,
      country,
      fileName: r.fileName ?? null,
      csv: r.csv,
      ...sniffed,
    });
    this.wake?.();
    return job;
  }

  get(userId: number, id: number): Promise<ImportJob | undefined> {
    return this.store.getImport({ userId, id });
  }

  list(userId: number, limit: number): Promise<ImportJob[]> {
    return this.store.listImports({ userId, limit });
  }

  /** The job's invalid rows as CSV (line, number, reason, row), a page at a time from the store. */
  async *errorsCsv(userId: number, id: number): AsyncGenerator<string> {
    yield csvLine(['line', 'number', 'reason', 'row']);
    for (let after = 0; ;) {
      const page = await this.store.listImportErrors({ userId, jobId: id, afterLine: after, limit: 1000 });
      if (page.length === 0) return;
      yield page.map((e) => csvLine([e.line, e.number, e.reason, e.raw])).join('');
      after = page[page.length - 1].line;
    }
  }

  /** Starts the runner (jobs queued, or left running by a previous process, are taken). */
  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.running = this.loop();
  }

  /** Stops after the batch in hand; the job is given back and resumes at the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
    this.running = undefined;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let job: ImportJob | undefined;
      try {
        job = await this.store.claimImport({ owner: this.owner, leaseMs: LEASE_MS });
      } catch (err) {
        this.opts.onError?.(err, 0);
      }
      if (!job) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.pollMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
        continue;
      }
      try {
        await this.run(job);
      } catch (err) {
        this.opts.onError?.(err, job.id);
        // Stopping (the store may be closing): the job stays running and resumes at the next start.
        if (this.stopping) continue;
        await this.store
          .finishImport({
            jobId: job.id,
            owner: this.owner,
            state: 'failed',
            error: err instanceof Error ? err.message : String(err),
          })
          .catch((e: unknown) => this.opts.onError?.(e, job.id));
      }
    }
  }

  /** Applies a job from its cursor to the end of its file, a batch per transaction. */
  private async run(job: ImportJob): Promise<void> {
    const parser = parse({
      info: true,
      raw: true,
      bom: job.bytesDone === 0,
      delimiter: job.delimiter,
      relax_column_count: true,
      // A row CSV cannot read (a stray quote) is reported with its line, and the rest goes on.
      skip_records_with_error: true,
    });
    // Rows CSV could not read, by where they start (reported in order with the others).
    const skipped: { bytes: number; reason: string }[] = [];
    parser.on('skip', (err: CsvError & { bytes?: number }) => {
      skipped.push({ bytes: err.bytes ?? 0, reason: `not readable as CSV: ${err.message}` });
    });
    // Line numbers from the bytes (csv-parse's own count takes a CRLF inside quotes as two).
    const lines = new LineCounter();
    const store = this.store;
    const source = Readable.from(
      (async function* () {
        for await (const chunk of store.readImport(job.id, job.bytesDone)) {
          lines.add(chunk);
          yield chunk;
        }
      })(),
    );
    source.on('error', (err) => parser.destroy(err));
    source.pipe(parser);
    const lineAt = (bytes: number): number => job.linesDone + lines.newlinesBefore(bytes) + 1;

    let batch = this.emptyBatch(job);
    const takeSkipped = (before: number) => {
      while (skipped.length > 0 && skipped[0].bytes < before) {
        const e = skipped.shift()!;
        batch.errors.push({ line: lineAt(e.bytes), number: null, reason: e.reason, raw: '' });
        batch.rows++;
      }
    };
    const records = parser as AsyncIterable<{
      record: string[];
      raw: string;
      info: { bytes: number };
    }>;
    for await (const r of records) {
      if (this.stopping) {
        source.destroy();
        await this.store.releaseImport({ jobId: job.id, owner: this.owner });
        return;
      }
      const end = r.info.bytes;
      // Rows CSV could not read before this one; then this one's first line: its last line
      // (the one before its line feed, if it ends with one) less the line feeds inside it.
      takeSkipped(end);
      const beforeFeed = lineAt(end - 1);
      const after = lineAt(end);
      const line = (after > beforeFeed ? beforeFeed : after) - countNewlines(r.raw.replace(/[\r\n]+$/, ''));
      batch.bytesDone = job.bytesDone + end;
      batch.linesDone = after - 1;
      // A blank line is not a row.
      if (r.record.every((c) => c.trim() === '')) continue;
      batch.rows++;
      // Records arrive as microtasks: without a macrotask now and then, parsing a batch would
      // hold the event loop (the gateway's sockets and timers) for its whole length.
      if (batch.rows % YIELD_ROWS === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const row = contactOfRow(r.record, job.columns, job.country);
      if ('contact' in row) batch.contacts.push(row.contact);
      else batch.errors.push({ line, number: row.number, reason: row.reason, raw: rawOf(r.raw) });
      if (batch.rows >= this.batchRows) {
        if (!(await this.commit(job, batch))) {
          source.destroy();
          return;
        }
        batch = this.emptyBatch(job, batch);
      }
    }
    takeSkipped(Infinity);
    batch.bytesDone = job.sizeBytes;
    if (!(await this.commit(job, batch))) return;
    await this.store.finishImport({ jobId: job.id, owner: this.owner, state: 'completed' });
  }

  private emptyBatch(job: ImportJob, after?: Batch): Batch {
    return {
      contacts: [],
      errors: [],
      rows: 0,
      bytesDone: after?.bytesDone ?? job.bytesDone,
      linesDone: after?.linesDone ?? job.linesDone,
    };
  }

  /** False when the job is no longer this runner's (its lease lapsed and another took it). */
  private async commit(job: ImportJob, b: Batch): Promise<boolean> {
    const ok = await this.store.applyImportBatch({
      jobId: job.id,
      userId: job.userId,
      owner: this.owner,
      leaseMs: LEASE_MS,
      groupId: job.groupId,
      ...b,
    });
    if (ok) this.opts.onBatch?.(job.id);
    return ok;
  }
}

interface Batch {
  contacts: ContactInput[];
  errors: ImportRowError[];
  rows: number;
  bytesDone: number;
  linesDone: number;
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * Counts line feeds in a stream of chunks up to a byte offset (offsets asked in increasing
 * order; chunks behind the last offset are let go).
 */
class LineCounter {
  private readonly chunks: Buffer[] = [];
  /** Offset of chunks[0] in the stream. */
  private base = 0;
  /** Counted up to here. */
  private pos = 0;
  private count = 0;

  add(chunk: Buffer): void {
    this.chunks.push(chunk);
  }

  newlinesBefore(offset: number): number {
    while (this.pos < offset && this.chunks.length > 0) {
      const c = this.chunks[0];
      const end = this.base + c.length;
      const upto = Math.min(offset, end);
      for (
        let i = c.indexOf(10, this.pos - this.base);
        i >= 0 && i < upto - this.base;
        i = c.indexOf(10, i + 1)
      )
        this.count++;
      this.pos = upto;
      if (upto === end) {
        this.chunks.shift();
        this.base = end;
      }
    }
    return this.count;
  }
}

/** A row as the error report shows it: as read, without its line end, cut at LIMITS.raw. */
const rawOf = (raw: string): string =>
  raw
    .replace(/\r?\n?$/, '')
    .replace(/\r$/, '')
    .slice(0, LIMITS.raw);
