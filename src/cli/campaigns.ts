/**
 * `hermod campaigns create|start|pause|resume|cancel|status|list`: the SMS engine's campaigns
 * over REST v1 with a customer's API key (not the admin key). `status --watch` follows the
 * live statistics with a progress bar until the campaign ends or pauses.
 */
import { say, warn, cliIo } from './io.js';
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import cliProgress from 'cli-progress';
import { CliError, printJson, printRecord, printTable } from './admin-client.js';

interface RestOptions {
  url: string;
  key?: string;
  json?: boolean;
}

/** Calls REST v1 with the API key; problem+json answers become a CliError with the detail and code. */
export class RestClient {
  constructor(private readonly o: RestOptions) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    if (!this.o.key) throw new CliError('an API key is needed: --key or HERMOD_API_KEY', 2);
    const url = `${this.o.url.replace(/\/+$/, '')}/v1${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.o.key}`,
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
    return doc as T;
  }
}

/** A subcommand with --url, --key (HERMOD_API_KEY) and --json. */
function restCommand(name: string, description: string): Command {
  return new Command(name)
    .description(description)
    .addOption(
      new Option('--url <url>', 'base URL of a running Hermod (its REST API)')
        .env('HERMOD_URL')
        .default('http://127.0.0.1:8080'),
    )
    .addOption(new Option('--key <key>', "the account's REST API key").env('HERMOD_API_KEY'))
    .option('--json', 'print JSON instead of text');
}

const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
};
const ids = (v: string, prev: number[] = []): number[] => [
  ...prev,
  ...v.split(',').map((x) => positiveInt(x.trim())),
];
const many = (v: string, prev: string[] = []): string[] => [...prev, v];
const rate = (v: string): number => {
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError('must be messages per second > 0');
  return n;
};
const quiet = (v: string): { from: string; to: string } => {
  const m = /^(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(v);
  if (!m) throw new InvalidArgumentError('expected HH:MM-HH:MM, e.g. 21:00-08:00');
  return { from: m[1], to: m[2] };
};

/** The numbers of a CSV file: the first column of each line, a header line skipped when it is not a number. */
function numbersOf(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`, 2);
  }
  return text
    .split(/\r?\n/)
    .map((l) => l.split(',')[0].replace(/^"|"$/g, '').trim())
    .filter((n, i) => n.length > 0 && !(i === 0 && !/\d/.test(n)));
}

type Campaign = Record<string, unknown> & {
  id: number;
  state: string;
  estimate?: Record<string, unknown> | null;
};
type Stats = Record<string, unknown> & {
  state: string;
  recipients: number;
  skipped: Record<string, number>;
  refused: Record<string, number>;
  pending: number;
  queued: number;
  sent: number;
  delivered: number;
  failed: number;
  expired: number;
};

const client = (o: RestOptions) => new RestClient(o);

function show(c: Campaign, json?: boolean): void {
  if (json) return printJson(c);
  const { estimate, audience, ...rest } = c;
  printRecord({ ...rest, audience, ...(estimate ? { estimate } : {}) });
}

const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
/** Recipients the runner has dealt with (submitted or refused) out of those it will send to. */
const progressOf = (s: Stats) => {
  const skipped = sum(s.skipped) - (s.skipped.duplicate ?? 0);
  const total = s.recipients - skipped;
  return { total, done: total - s.pending };
};
const ENDED = new Set(['completed', 'canceled', 'paused', 'draft']);

function statusLine(s: Stats): string {
  const skipped =
    Object.entries(s.skipped)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ') || 'none';
  const refused =
    Object.entries(s.refused)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ') || 'none';
  return `${s.state}: recipients ${s.recipients}, pending ${s.pending}, queued ${s.queued}, sent ${s.sent}, delivered ${s.delivered}, failed ${s.failed}, expired ${s.expired}, cost ${String(s.cost)}, replies ${String(s.replies)}, opt-outs ${String(s.opt_outs)}; skipped: ${skipped}; refused: ${refused}`;
}

export function campaignsCommand(): Command {
  const cmd = new Command('campaigns').description(
    "an account's campaigns over REST v1 (API key): create, start, pause, resume, cancel, status, list",
  );
  cmd.addCommand(createCommand());
  for (const [verb, what] of TRANSITIONS) cmd.addCommand(transitionCommand(verb, what));
  cmd.addCommand(statusCommand());
  cmd.addCommand(listCommand());
  return cmd;
}

/** `hermod campaigns create`: POST /campaigns (and /start with --start). */
function createCommand(): Command {
  return restCommand('create', 'create a campaign (a draft; --start to start it at once)')
    .requiredOption('--name <name>', 'its name')
    .requiredOption('--from <sender>', 'the sender: a number or up to 11 letters and digits')
    .option('--text <text>', 'the text, with placeholders like {{first_name|there}}')
    .option('--template <id>', 'a template instead of --text', positiveInt)
    .option('--group <ids>', 'contact group ids (repeatable, or comma-separated)', ids)
    .option('--contact <ids>', 'contact ids (repeatable, or comma-separated)', ids)
    .option('--exclude-group <ids>', 'contact groups whose members are left out', ids)
    .option('--numbers <file>', 'a CSV file of numbers (first column; a header line is skipped)')
    .option('--schedule-at <time>', 'when: 2026-12-08T09:00:00Z, or a local time with --time-zone')
    .option('--time-zone <zone>', 'IANA time zone of --schedule-at (e.g. Europe/London)')
    .option(
      '--quiet-hours <from-to>',
      "no messages between these local times in the recipient's zone, e.g. 21:00-08:00",
      quiet,
    )
    .option('--rate <perSecond>', 'at most this many messages per second', rate)
    .option('--tag <tag>', 'a tag for routing (repeatable)', many)
    .option('--send-what-balance-covers', 'start even when the estimate exceeds the balance')
    .addOption(
      new Option('--repeat <every>', 'send again every day or week at the --schedule-at local time').choices([
        'day',
        'week',
      ]),
    )
    .option('--times <n>', 'with --repeat: occurrences in all (default: until canceled)', positiveInt)
    .option('--start', 'start it once created')
    .action(
      async (
        o: RestOptions & {
          name: string;
          from: string;
          text?: string;
          template?: number;
          group?: number[];
          contact?: number[];
          excludeGroup?: number[];
          numbers?: string;
          scheduleAt?: string;
          timeZone?: string;
          quietHours?: { from: string; to: string };
          rate?: number;
          tag?: string[];
          sendWhatBalanceCovers?: boolean;
          repeat?: 'day' | 'week';
          times?: number;
          start?: boolean;
        },
      ) => {
        if ((o.text === undefined) === (o.template === undefined))
          throw new CliError('give --text or --template', 2);
        const body = {
          name: o.name,
          from: o.from,
          ...(o.text !== undefined ? { text: o.text } : { template_id: o.template }),
          audience: {
            ...(o.group ? { groups: o.group } : {}),
            ...(o.contact ? { contacts: o.contact } : {}),
            ...(o.excludeGroup ? { exclude_groups: o.excludeGroup } : {}),
            ...(o.numbers ? { numbers: numbersOf(o.numbers) } : {}),
          },
          ...(o.scheduleAt ? { schedule_at: o.scheduleAt } : {}),
          ...(o.timeZone ? { time_zone: o.timeZone } : {}),
          ...(o.quietHours ? { quiet_hours: o.quietHours } : {}),
          ...(o.rate ? { rate_per_second: o.rate } : {}),
          ...(o.tag ? { tags: o.tag } : {}),
          ...(o.sendWhatBalanceCovers ? { send_what_balance_covers: true } : {}),
          ...(o.repeat ? { repeat: { every: o.repeat, ...(o.times ? { times: o.times } : {}) } } : {}),
        };
        const api = client(o);
        let c = await api.request<Campaign>('POST', '/campaigns', body);
        if (o.start) c = await api.request<Campaign>('POST', `/campaigns/${c.id}/start`);
        if (!o.json) say(`campaign ${c.id} created${o.start ? ` and ${c.state}` : ' (draft)'}`);
        show(c, o.json);
      },
    );
}

const TRANSITIONS = [
  [
    'start',
    'start a draft: resolve and price its audience and send (refused when the balance does not cover it)',
  ],
  ['pause', 'pause a running or scheduled campaign'],
  ['resume', 'resume a paused campaign'],
  ['cancel', 'cancel a campaign: what was not sent is skipped'],
] as const;

/** `hermod campaigns start|pause|resume|cancel <id>`: POST /campaigns/{id}/{verb}. */
function transitionCommand(verb: (typeof TRANSITIONS)[number][0], what: string): Command {
  return restCommand(verb, what)
    .argument('<id>', 'the campaign id', positiveInt)
    .action(async (id: number, o: RestOptions) => {
      const c = await client(o).request<Campaign>('POST', `/campaigns/${id}/${verb}`);
      if (!o.json) say(`campaign ${c.id}: ${c.state}`);
      show(c, o.json);
    });
}

/** `hermod campaigns status <id> [--watch]`: GET /campaigns/{id}/stats, once or until it ends. */
function statusCommand(): Command {
  return restCommand(
    'status',
    "a campaign's live statistics (--watch: follow it with a progress bar until it ends)",
  )
    .argument('<id>', 'the campaign id', positiveInt)
    .option('--watch', 'refresh until the campaign completes, is canceled or pauses')
    .option('--interval <ms>', 'refresh interval with --watch', positiveInt, 1000)
    .action(async (id: number, o: RestOptions & { watch?: boolean; interval: number }) => {
      const api = client(o);
      const get = () => api.request<Stats>('GET', `/campaigns/${id}/stats`);
      let s = await get();
      if (!o.watch) {
        if (o.json) printJson(s);
        else say(statusLine(s));
        return;
      }
      const tty = !o.json && cliIo().stderr.isTTY === true;
      const bar = tty
        ? new cliProgress.SingleBar(
            {
              format: `campaign ${id} [{bar}] {percentage}% {value}/{total} {state} delivered={delivered} failed={failed}`,
              stream: cliIo().stderr,
            },
            cliProgress.Presets.shades_classic,
          )
        : undefined;
      const p = progressOf(s);
      bar?.start(p.total, p.done, { state: s.state, delivered: s.delivered, failed: s.failed });
      for (;;) {
        const now = progressOf(s);
        if (bar) bar.update(now.done, { state: s.state, delivered: s.delivered, failed: s.failed });
        else if (!o.json)
          warn(`progress: ${now.done}/${now.total} ${s.state} delivered=${s.delivered} failed=${s.failed}`);
        if (ENDED.has(s.state)) break;
        await new Promise((r) => setTimeout(r, o.interval));
        s = await get();
      }
      bar?.stop();
      if (o.json) printJson(s);
      else say(statusLine(s));
    });
}

/** `hermod campaigns list`: GET /campaigns, a page at a time. */
function listCommand(): Command {
  return restCommand('list', "the account's campaigns, newest first")
    .addOption(
      new Option('--state <state>', 'only in this state').choices([
        'draft',
        'scheduled',
        'running',
        'paused',
        'completed',
        'canceled',
      ]),
    )
    .option('--limit <n>', 'at most this many', positiveInt, 50)
    .option('--before <id>', 'the page before this id (from the last line of the previous page)', positiveInt)
    .action(async (o: RestOptions & { state?: string; limit: number; before?: number }) => {
      const q = new URLSearchParams({ limit: String(o.limit) });
      if (o.state) q.set('state', o.state);
      if (o.before) q.set('before', String(o.before));
      const page = await client(o).request<{ data: Campaign[]; next: number | null }>(
        'GET',
        `/campaigns?${q}`,
      );
      if (o.json) return printJson(page);
      printTable(
        page.data.map((c) => ({
          ...c,
          recipients: c.estimate?.recipients ?? null,
          cost: c.estimate?.cost ?? null,
        })),
        ['id', 'name', 'state', 'from', 'recipients', 'cost', 'created_at'],
      );
      if (page.next !== null) say(`more: --before ${page.next}`);
    });
}
