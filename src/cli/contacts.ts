/**
 * `hermod contacts import|export|list|errors`: a customer's address book over REST v1, with
 * an API key (--key or HERMOD_API_KEY). An import uploads the file, then follows the
 * background job with a progress bar (a line a second when stderr is not a terminal) and
 * prints the counts and where the report of invalid rows is.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { DEMO_API_KEY } from '../config/index.js';
import { CliError, printJson, printTable } from './admin-client.js';

interface ApiOptions {
  url: string;
  key?: string;
  json?: boolean;
}

/** A command that calls REST v1 as a customer: --url, --key (HERMOD_API_KEY), --json. */
function customerCommand(name: string, description: string): Command {
  return new Command(name)
    .description(description)
    .addOption(
      new Option('--url <url>', 'base URL of a running Hermod')
        .env('HERMOD_URL')
        .default('http://127.0.0.1:8080'),
    )
    .addOption(
      new Option('--key <key>', `the account's API key (default: the demo key "${DEMO_API_KEY}")`).env(
        'HERMOD_API_KEY',
      ),
    );
}

/** REST v1 with an API key; problem+json answers become a CliError with their detail and code. */
class CustomerClient {
  constructor(private readonly o: ApiOptions) {}

  base(): string {
    return this.o.url.replace(/\/+$/, '');
  }

  async fetch(
    method: string,
    path: string,
    body?: { type: string; data: string | Buffer },
  ): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(`${this.base()}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.o.key ?? DEMO_API_KEY}`,
          ...(body ? { 'content-type': body.type } : {}),
        },
        ...(body ? { body: body.data } : {}),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(
        `cannot reach Hermod at ${this.o.url}: ${cause?.code ?? cause?.message ?? (err as Error).message}`,
      );
    }
    if (!res.ok) {
      const text = await res.text();
      let p: { detail?: string; code?: string } | undefined;
      try {
        p = JSON.parse(text) as typeof p;
      } catch {
        p = undefined;
      }
      throw new CliError(`${p?.detail ?? `HTTP ${res.status}`}${p?.code ? ` (${p.code})` : ''}`);
    }
    return res;
  }

  async json<T>(method: string, path: string, body?: { type: string; data: string | Buffer }): Promise<T> {
    return (await (await this.fetch(method, path, body)).json()) as T;
  }
}

interface ImportView {
  id: number;
  state: 'queued' | 'running' | 'completed' | 'failed';
  progress: number;
  total: number;
  created: number;
  updated: number;
  invalid: number;
  group: number | null;
  error: string | null;
  errors_url: string;
  columns: Record<string, unknown>;
}

interface ContactView {
  id: number;
  number: string;
  first_name: string | null;
  last_name: string | null;
  groups: number[];
  opted_out: boolean;
  fields: Record<string, string>;
}

interface GroupView {
  id: number;
  name: string;
}

/** A group by id ("12") or name, as the API's id. */
async function groupId(client: CustomerClient, g: string): Promise<number> {
  if (/^\d+$/.test(g)) return Number(g);
  const groups = await client.json<{ data: GroupView[] }>('GET', '/v1/contact-groups');
  const found = groups.data.find((x) => x.name === g);
  if (!found) throw new CliError(`no contact group named "${g}"`);
  return found.id;
}

/** The search flags of list and export, as the query string of GET /v1/contacts. */
function searchOptions(c: Command): Command {
  return c
    .option('--group <group>', 'members of this group (name or id)')
    .option('--number <prefix>', 'numbers starting with this (+4477, or national with the default country)')
    .option('--name <prefix>', 'first name, last name or "first last" starting with this (any case)')
    .option('--field <key:value>', 'a custom field with this value');
}

interface SearchFlags {
  group?: string;
  number?: string;
  name?: string;
  field?: string;
  optedOut?: boolean;
}

async function searchQuery(client: CustomerClient, o: SearchFlags): Promise<URLSearchParams> {
  const q = new URLSearchParams();
  if (o.group !== undefined) q.set('group', String(await groupId(client, o.group)));
  if (o.number !== undefined) q.set('number', o.number);
  if (o.name !== undefined) q.set('name', o.name);
  if (o.field !== undefined) q.set('field', o.field);
  if (o.optedOut !== undefined) q.set('opted_out', String(o.optedOut));
  return q;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function importCommand(): Command {
  return customerCommand(
    'import',
    'import contacts from a CSV file (a background job, followed with a progress bar)',
  )
    .argument('<file>', 'the CSV file (UTF-8; the first row may be a header)')
    .option('--group <name>', 'put every imported contact in this group (created if none has the name)')
    .option('--country <cc>', "default country of national numbers, e.g. GB (default: the account's)")
    .option(
      '--map <mapping>',
      'columns by header name or position: number=Phone,first_name=Given,last_name=Surname,notes=Notes,field.code=Code ("-" skips a role; unmapped: guessed)',
    )
    .option('--header', 'the first row is a header (default: detected)')
    .option('--no-header', 'the first row is data')
    .option('--json', 'print the finished job as JSON')
    .addHelpText(
      'after',
      '\nExample:\n  hermod contacts import patients.csv --group Patients --country GB --map number=Mobile,field.code=Ref\n\nInvalid rows are not imported: the summary says where their report is (hermod contacts errors <id>).',
    )
    .action(
      async (
        file: string,
        o: ApiOptions & { group?: string; country?: string; map?: string; header?: boolean },
      ) => {
        const client = new CustomerClient(o);
        let data: Buffer;
        try {
          data = readFileSync(file);
        } catch (err) {
          throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
        }
        const q = new URLSearchParams({ file_name: basename(file) });
        if (o.group !== undefined) q.set('group', o.group);
        if (o.country !== undefined) q.set('country', o.country);
        if (o.map !== undefined) q.set('map', o.map);
        if (o.header !== undefined) q.set('header', String(o.header));
        let job = await client.json<ImportView>('POST', `/v1/imports?${q}`, { type: 'text/csv', data });
        const tty = !o.json && process.stderr.isTTY === true;
        const bar = tty
          ? new cliProgress.SingleBar(
              {
                format: 'importing [{bar}] {percentage}% rows={rows} invalid={invalid}',
                stream: process.stderr,
              },
              cliProgress.Presets.shades_classic,
            )
          : undefined;
        bar?.start(100, 0, { rows: 0, invalid: 0 });
        let lastLine = 0;
        while (job.state === 'queued' || job.state === 'running') {
          await sleep(250);
          job = await client.json<ImportView>('GET', `/v1/imports/${job.id}`);
          const pct = Math.floor(job.progress * 100);
          bar?.update(pct, { rows: job.total, invalid: job.invalid });
          if (!tty && !o.json && Date.now() - lastLine >= 1000) {
            console.error(`progress: ${pct}% rows=${job.total} invalid=${job.invalid}`);
            lastLine = Date.now();
          }
        }
        bar?.update(100, { rows: job.total, invalid: job.invalid });
        bar?.stop();
        if (o.json) printJson(job);
        if (job.state === 'failed')
          throw new CliError(`import ${job.id} failed: ${job.error ?? 'unknown error'}`);
        if (!o.json) {
          console.log(
            `import ${job.id} completed: ${job.total} rows, ${job.created} created, ${job.updated} updated, ${job.invalid} invalid`,
          );
          if (job.invalid > 0)
            console.log(
              `invalid rows were not imported; their report (line, number, reason): ${client.base()}${job.errors_url}\n  hermod contacts errors ${job.id} > import-${job.id}-errors.csv`,
            );
        }
      },
    );
}

function exportCommand(): Command {
  return searchOptions(customerCommand('export', 'export contacts as CSV to standard output (streamed)'))
    .option('--fields <keys>', 'the custom field columns, comma-separated (default: every key in use)')
    .addHelpText('after', '\nExample:\n  hermod contacts export --group Patients > patients.csv')
    .action(async (o: ApiOptions & SearchFlags & { fields?: string }) => {
      const client = new CustomerClient(o);
      const q = await searchQuery(client, o);
      if (o.fields !== undefined) q.set('fields', o.fields);
      const res = await client.fetch('GET', `/v1/contacts/export?${q}`);
      await pipeline(Readable.fromWeb(res.body! as import('node:stream/web').ReadableStream), process.stdout);
    });
}

function listCommand(): Command {
  return searchOptions(customerCommand('list', 'list contacts, a page at a time'))
    .option('--opted-out', 'only numbers opted out of a sender')
    .option('--limit <n>', 'contacts per page (1..1000)', '50')
    .option('--cursor <cursor>', 'the page after the one that printed this cursor')
    .option('--json', 'print JSON instead of a table')
    .action(async (o: ApiOptions & SearchFlags & { limit: string; cursor?: string }) => {
      const client = new CustomerClient(o);
      const q = await searchQuery(client, o);
      q.set('limit', o.limit);
      if (o.cursor !== undefined) q.set('cursor', o.cursor);
      const page = await client.json<{ data: ContactView[]; next_cursor: string | null }>(
        'GET',
        `/v1/contacts?${q}`,
      );
      if (o.json) return printJson(page);
      printTable(
        page.data.map((c) => ({
          id: c.id,
          number: c.number,
          name: [c.first_name, c.last_name].filter((x) => x).join(' ') || null,
          groups: c.groups.join(',') || null,
          opted_out: c.opted_out ? 'yes' : 'no',
        })),
        ['id', 'number', 'name', 'groups', 'opted_out'],
      );
      if (page.next_cursor) console.log(`more: --cursor ${page.next_cursor}`);
    });
}

function errorsCommand(): Command {
  return customerCommand('errors', "print an import's invalid rows as CSV (line, number, reason, row)")
    .argument('<id>', 'the import')
    .action(async (id: string, o: ApiOptions) => {
      if (!/^\d+$/.test(id)) throw new CliError(`"${id}" is not an import id`);
      const res = await new CustomerClient(o).fetch('GET', `/v1/imports/${id}/errors`);
      await pipeline(Readable.fromWeb(res.body! as import('node:stream/web').ReadableStream), process.stdout);
    });
}

export function contactsCommand(): Command {
  return new Command('contacts')
    .description("the account's contacts: import a CSV, export, list (REST v1, with an API key)")
    .addCommand(importCommand())
    .addCommand(exportCommand())
    .addCommand(listCommand())
    .addCommand(errorsCommand());
}
