/**
 * Contacts as CSV, both ways: which columns of an uploaded file hold what (a header row
 * detected, its names guessed into number, names, notes and custom fields, or mapped by the
 * customer), a row read into a contact or a reason it cannot be one, and rows written for
 * exports and error reports. Pure functions: the import job (contact-imports.ts) runs them.
 */
import { parse } from 'csv-parse';
import { InvalidNumberError, normalizeMsisdn } from '../domain/index.js';
import type { ContactInput, ImportColumns } from '../store/engine-store/index.js';
import { invalid } from './errors.js';

/** A column: its header name (any case) or its position, 1 first. */
export type ColumnRef = string | number;

/** What the customer says about the columns; what is not said is guessed from the header. */
export interface ColumnMapping {
  number?: ColumnRef;
  /** null: the column is not imported. */
  firstName?: ColumnRef | null;
  lastName?: ColumnRef | null;
  notes?: ColumnRef | null;
  /** Custom fields by key; given, it replaces the guessed ones. */
  fields?: Record<string, ColumnRef>;
}

export const LIMITS = {
  name: 100,
  notes: 2000,
  fieldValue: 500,
  fieldKey: 64,
  fields: 50,
  /** Of a row as the error report shows it. */
  raw: 1000,
} as const;

/** Header names (lower case, letters and digits only) of each column role. */
const ROLE_NAMES: Record<'number' | 'firstName' | 'lastName' | 'notes', readonly string[]> = {
  number: [
    'number',
    'phone',
    'phonenumber',
    'phoneno',
    'mobile',
    'mobilenumber',
    'mobilephone',
    'msisdn',
    'cell',
    'cellphone',
    'cellnumber',
    'tel',
    'telephone',
    'gsm',
  ],
  firstName: ['firstname', 'first', 'givenname', 'forename', 'name', 'fullname'],
  lastName: ['lastname', 'last', 'surname', 'familyname'],
  notes: ['notes', 'note', 'comment', 'comments'],
};

/** Columns an export writes that are not the contact's own data: not guessed into custom fields. */
const NOT_FIELDS = new Set(['id', 'groups', 'group', 'optedout', 'optouts', 'createdat', 'updatedat']);

const squash = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/** A header name as a custom field key: "Loyalty Code" → "loyalty_code". */
export const fieldKeyOf = (name: string): string =>
  name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, LIMITS.fieldKey);

/** Looks like a phone number: digits with the usual separators, at least six of them. */
const looksLikeNumber = (cell: string): boolean =>
  /^\+?[\d\s().-]+$/.test(cell.trim()) && cell.replace(/\D/g, '').length >= 6;

export interface Sniffed {
  header: boolean;
  delimiter: string;
  headerNames: string[];
  columns: ImportColumns;
  /** Where the first data row starts: its byte, and the line feeds before it. */
  bytesDone: number;
  linesDone: number;
}

/** The first records of a file (at most `n`), with the byte and line each ends at. */
async function firstRecords(
  csv: Buffer,
  n: number,
  delimiter: string,
): Promise<{ record: string[]; bytes: number; lines: number }[]> {
  const parser = parse({ info: true, bom: true, relax_column_count: true, to: n, delimiter });
  const out: { record: string[]; bytes: number; lines: number }[] = [];
  const done = (async () => {
    for await (const r of parser as AsyncIterable<{
      record: string[];
      info: { bytes: number; lines: number };
    }>)
      out.push({ record: r.record, bytes: r.info.bytes, lines: r.info.lines });
  })();
  // Enough of the file for two records however wide; the rest is never parsed here.
  parser.end(csv.subarray(0, 1 << 20));
  try {
    await done;
  } catch (err) {
    throw invalid('csv', `cannot be read as CSV: ${(err as Error).message}`);
  }
  return out;
}

/**
 * Reads the header (or sees there is none) and settles the columns: the mapping given,
 * the rest guessed. Throws a validation error naming `mapping.<role>` or `csv`.
 */
export async function sniff(
  csv: Buffer,
  opts: { header?: boolean; mapping?: ColumnMapping; country: string | null },
): Promise<Sniffed> {
  const delimiter = delimiterOf(csv);
  const records = await firstRecords(csv, 2, delimiter);
  if (records.length === 0) throw invalid('csv', 'the file has no rows');
  const first = records[0];
  const header =
    opts.header ?? !first.record.some((cell) => looksLikeNumber(cell) && isNumber(cell, opts.country));
  const names = header ? first.record.map((n) => n.trim()) : [];
  const width = Math.max(...records.map((r) => r.record.length));
  const m = opts.mapping ?? {};

  const column = (ref: ColumnRef, field: string): number => {
    if (typeof ref === 'number' || /^\d+$/.test(ref)) {
      const i = Number(ref) - 1;
      if (i < 0 || i >= width)
        throw invalid(field, `column ${ref} is not in the file (it has ${width} columns)`);
      return i;
    }
    const i = names.findIndex((n) => n.toLowerCase() === ref.trim().toLowerCase());
    if (i < 0)
      throw invalid(
        field,
        header
          ? `no column named "${ref}" (the header has: ${names.join(', ')})`
          : `the file has no header row: name columns by position (1 is the first)`,
      );
    return i;
  };
  const guess = (role: keyof typeof ROLE_NAMES, taken: Set<number>): number | null => {
    for (const want of ROLE_NAMES[role]) {
      const i = names.findIndex((n, j) => !taken.has(j) && squash(n) === want);
      if (i >= 0) return i;
    }
    return null;
  };

  const taken = new Set<number>();
  // A column mapped to a custom field is not also guessed as a name or notes.
  for (const ref of Object.values(m.fields ?? {}))
    if (typeof ref === 'number' || /^\d+$/.test(ref)) taken.add(Number(ref) - 1);
    else taken.add(names.findIndex((n) => n.toLowerCase() === ref.trim().toLowerCase()));
  let number: number | null;
  if (m.number !== undefined) number = column(m.number, 'mapping.number');
  else if (header) number = guess('number', taken);
  else {
    // No header: the first column whose first cell is a number.
    const i = first.record.findIndex((cell) => looksLikeNumber(cell) && isNumber(cell, opts.country));
    number = i >= 0 ? i : null;
  }
  if (number === null)
    throw invalid(
      'mapping.number',
      header
        ? `no column looks like the phone number (the header has: ${names.join(', ')}); name it`
        : 'no column of the first row is a phone number; name it by position',
    );
  taken.add(number);
  const role = (r: 'firstName' | 'lastName' | 'notes'): number | null => {
    const given = m[r];
    const i =
      given === null
        ? null
        : given !== undefined
          ? column(given, `mapping.${r}`)
          : header
            ? guess(r, taken)
            : null;
    if (i !== null) taken.add(i);
    return i;
  };
  const firstName = role('firstName');
  const lastName = role('lastName');
  const notes = role('notes');

  let fields: [string, number][];
  if (m.fields !== undefined) {
    fields = Object.entries(m.fields).map(([key, ref]) => {
      if (!/^[A-Za-z0-9_]{1,64}$/.test(key))
        throw invalid(`mapping.fields.${key}`, 'a key is 1 to 64 letters, digits or _');
      return [key, column(ref, `mapping.fields.${key}`)];
    });
  } else {
    const seen = new Set<string>();
    fields = [];
    names.forEach((n, i) => {
      const key = fieldKeyOf(n);
      if (taken.has(i) || key === '' || NOT_FIELDS.has(squash(n)) || seen.has(key)) return;
      seen.add(key);
      fields.push([key, i]);
    });
  }
  if (fields.length > LIMITS.fields)
    throw invalid(
      'mapping.fields',
      `${fields.length} columns would be custom fields, at most ${LIMITS.fields}: map the fields to keep`,
    );
  return {
    header,
    delimiter,
    headerNames: names,
    columns: { number, firstName, lastName, notes, fields },
    bytesDone: header ? first.bytes : 0,
    linesDone: header ? newlinesIn(csv.subarray(0, first.bytes)) : 0,
  };
}

/** The delimiter of the first line: the most frequent of , ; tab | outside quotes (Excel writes ; in much of Europe). */
export function delimiterOf(csv: Buffer): string {
  const head = csv.subarray(0, 64 * 1024).toString('utf8');
  const counts = new Map<string, number>([
    [',', 0],
    [';', 0],
    ['\t', 0],
    ['|', 0],
  ]);
  let quoted = false;
  for (const ch of head) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = ',';
  for (const [d, n] of counts) if (n > counts.get(best)!) best = d;
  return best;
}

function newlinesIn(b: Buffer): number {
  let n = 0;
  for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) n++;
  return n;
}

function isNumber(cell: string, country: string | null): boolean {
  try {
    normalizeMsisdn(cell, { defaultCountry: country });
    return true;
  } catch {
    return false;
  }
}

/** A row as a contact, or why it cannot be one (the reason the error report shows). */
export function contactOfRow(
  record: string[],
  columns: ImportColumns,
  country: string | null,
): { contact: ContactInput } | { reason: string; number: string | null } {
  const cell = (i: number | null): string | undefined => {
    if (i === null) return undefined;
    const v = record[i]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const raw = cell(columns.number);
  if (raw === undefined) return { reason: 'no number', number: null };
  let msisdn: string;
  try {
    msisdn = normalizeMsisdn(raw, { defaultCountry: country });
  } catch (err) {
    const why =
      err instanceof InvalidNumberError
        ? err.message.replace(/^".*" is not a valid phone number: /s, '')
        : String(err);
    return { reason: `invalid number: ${why}`, number: raw };
  }
  const contact: ContactInput = { msisdn };
  const text = (i: number | null, max: number, what: string): string | undefined | Error => {
    const v = cell(i);
    if (v !== undefined && v.length > max) return new Error(`${what} longer than ${max} characters`);
    return v;
  };
  const firstName = text(columns.firstName, LIMITS.name, 'first name');
  const lastName = text(columns.lastName, LIMITS.name, 'last name');
  const notes = text(columns.notes, LIMITS.notes, 'notes');
  for (const v of [firstName, lastName, notes])
    if (v instanceof Error) return { reason: v.message, number: raw };
  // Empty cells leave what a contact already has: an import adds, it does not erase.
  if (typeof firstName === 'string') contact.firstName = firstName;
  if (typeof lastName === 'string') contact.lastName = lastName;
  if (typeof notes === 'string') contact.notes = notes;
  const fields: Record<string, string> = {};
  for (const [key, i] of columns.fields) {
    const v = text(i, LIMITS.fieldValue, `field ${key}`);
    if (v instanceof Error) return { reason: v.message, number: raw };
    if (v !== undefined) fields[key] = v;
  }
  if (Object.keys(fields).length > 0) contact.fields = fields;
  return { contact };
}

/**
 * One CSV line (RFC 4180: quoted when needed, CRLF). A text cell a spreadsheet would read
 * as a formula (=, @, or +/- not followed by a digit) gets a leading apostrophe (OWASP's
 * CSV injection advice); numbers ("+447700900123") stay as they are.
 */
export function csvLine(cells: readonly (string | number | null | undefined)[]): string {
  return (
    cells
      .map((c) => {
        if (c === null || c === undefined) return '';
        let s = String(c);
        if (/^[=@\t\r]|^[+-](?!\d)/.test(s)) s = `'${s}`;
        return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
      })
      .join(',') + '\r\n'
  );
}
