/**
 * What an import would make of a file, before it is sent to run: the header and the
 * columns (guessed, or as mapped), and the first rows as the contacts they would become or
 * the reason they would be reported. The same sniff and row rules as the job
 * (contact-csv.ts), so the preview cannot disagree with the import; nothing is stored.
 */
import { parse } from 'csv-parse';
import { isCountryCode } from '../domain/index.js';
import type { ContactInput, ImportColumns } from '../store/engine-store/index.js';
import { invalid } from './errors.js';
import { contactOfRow, sniff, type ColumnMapping } from './contact-csv.js';

/** The part of a file a preview reads: the rows past it are not looked at. */
export const PREVIEW_MAX_BYTES = 1024 * 1024;
export const PREVIEW_MAX_ROWS = 100;

export interface PreviewRow {
  /** The row's first line in the file, 1 first. */
  line: number;
  /** The cells as read. */
  cells: string[];
  /** What would be saved (the number in E.164 without +), or why the row would be reported. */
  contact: ContactInput | null;
  error: string | null;
  /** The line of an earlier row with the same number: this row would be merged into it. */
  repeatOf: number | null;
}

export interface ImportPreview {
  header: boolean;
  delimiter: string;
  headerNames: string[];
  /** Columns of the widest row read. */
  width: number;
  columns: ImportColumns;
  rows: PreviewRow[];
}

export async function previewImport(
  csv: Buffer,
  opts: { country: string | null; header?: boolean; mapping?: ColumnMapping; rows: number },
): Promise<ImportPreview> {
  if (csv.length === 0) throw invalid('csv', 'the file is empty');
  if (opts.country !== null && !isCountryCode(opts.country))
    throw invalid('country', 'an ISO 3166 alpha-2 country code in capitals (e.g. GB)');
  const head = csv.subarray(0, PREVIEW_MAX_BYTES);
  const sniffed = await sniff(head, {
    country: opts.country,
    ...(opts.header !== undefined ? { header: opts.header } : {}),
    ...(opts.mapping ? { mapping: opts.mapping } : {}),
  });
  const parser = parse({
    info: true,
    bom: true,
    delimiter: sniffed.delimiter,
    relax_column_count: true,
    skip_records_with_error: true,
  });
  const rows: PreviewRow[] = [];
  const seen = new Map<string, number>();
  let width = sniffed.headerNames.length;
  // A row's line: the line feeds before the byte it starts at (where the one before ended).
  let newlines = 0;
  let start = 0;
  let first = true;
  const done = (async () => {
    for await (const r of parser as AsyncIterable<{ record: string[]; info: { bytes: number } }>) {
      const line = newlines + 1;
      for (let i = head.indexOf(10, start); i >= 0 && i < r.info.bytes; i = head.indexOf(10, i + 1))
        newlines++;
      start = r.info.bytes;
      const header = first && sniffed.header;
      first = false;
      if (header || r.record.every((c) => c.trim() === '')) continue;
      width = Math.max(width, r.record.length);
      const row = contactOfRow(r.record, sniffed.columns, opts.country);
      const contact = 'contact' in row ? row.contact : null;
      const repeatOf = contact ? (seen.get(contact.msisdn) ?? null) : null;
      if (contact && repeatOf === null) seen.set(contact.msisdn, line);
      rows.push({ line, cells: r.record, contact, error: 'reason' in row ? row.reason : null, repeatOf });
      if (rows.length >= opts.rows) break;
    }
  })();
  // A cut file may end inside a row: the rows before it are what the preview shows.
  parser.end(head);
  await done.catch(() => undefined);
  parser.destroy();
  return {
    header: sniffed.header,
    delimiter: sniffed.delimiter,
    headerNames: sniffed.headerNames,
    width,
    columns: sniffed.columns,
    rows,
  };
}
