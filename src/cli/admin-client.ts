/** The CLI's side of the admin API: fetch with the admin key, problem+json errors as CliError. */
import { say } from './io.js';
import { Command, Option } from 'commander';
import { HermodError } from '../lib/errors.js';
import { DEMO_ADMIN_KEY } from '../config/demo-key.js';

/** An error the CLI reports as one line on stderr and an exit code (1 by default). */
export class CliError extends HermodError {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super('HERMOD_ERR_CLI', message);
  }
}

export interface ApiOptions {
  url: string;
  key?: string;
  json?: boolean;
}

/** Adds --url, --key and --json to a command that talks to the admin API. */
export function apiCommand(name: string, description: string): Command {
  return new Command(name)
    .description(description)
    .addOption(
      new Option('--url <url>', 'base URL of a running Hermod')
        .env('HERMOD_URL')
        .default('http://127.0.0.1:8080'),
    )
    .addOption(
      new Option('--key <key>', `admin key (default: the demo key "${DEMO_ADMIN_KEY}")`).env(
        'HERMOD_ADMIN_KEY',
      ),
    )
    .option('--json', 'print JSON instead of a table');
}

export class AdminClient {
  constructor(private readonly o: ApiOptions) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await this.send<T>(method, path, body)).body;
  }

  /** Like request, with the HTTP status (201 created / 200 replaced). */
  async send<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const url = `${this.o.url.replace(/\/+$/, '')}/v1/admin${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.o.key ?? DEMO_ADMIN_KEY}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(
        `cannot reach Hermod at ${this.o.url}: ${cause?.code ?? cause?.message ?? (err as Error).message}`,
      );
    }
    if (res.status === 204) return { status: 204, body: undefined as T };
    const text = await res.text();
    let doc: unknown;
    try {
      doc = text ? JSON.parse(text) : undefined;
    } catch {
      throw new CliError(`${method} ${url}: HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`);
    }
    if (!res.ok) {
      const p = doc as { detail?: string; code?: string } | undefined;
      throw new CliError(`${p?.detail ?? `HTTP ${res.status}`}${p?.code ? ` (${p.code})` : ''}`);
    }
    return { status: res.status, body: doc as T };
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }
}

/** Prints rows as aligned columns (a header, then one line per row). */
export function printTable(rows: Record<string, unknown>[], columns: string[]): void {
  const cell = (v: unknown) =>
    v === null || v === undefined ? '-' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) =>
    vals.map((v, i) => (i === vals.length - 1 ? v : v.padEnd(widths[i]))).join('  ');
  say(line(columns.map((c) => c.toUpperCase())));
  for (const r of rows) say(line(columns.map((c) => cell(r[c]))));
  if (rows.length === 0) say('(none)');
}

/** Prints an object as "key: value" lines. */
export function printRecord(r: Record<string, unknown>): void {
  const w = Math.max(...Object.keys(r).map((k) => k.length));
  for (const [k, v] of Object.entries(r))
    say(
      `${k.padEnd(w)}  ${v === null || v === undefined ? '-' : typeof v === 'object' ? JSON.stringify(v) : String(v)}`,
    );
}

export const printJson = (v: unknown): void => say(JSON.stringify(v, null, 2));
