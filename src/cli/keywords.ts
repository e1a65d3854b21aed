/**
 * `hermod keywords list|add|results|delete`: a customer account's keyword services, through
 * REST v1 (/v1/keywords) with the account's API key. The rules (words, placeholders, the URL
 * guard) are the server's: the CLI prints its problem's detail as it is.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { CliError, printJson, printRecord, printTable } from './admin-client.js';

interface ClientOptions {
  url: string;
  key?: string;
  json?: boolean;
}

/** Adds --url, --key and --json to a command that talks to REST v1 as a customer. */
function restCommand(name: string, description: string): Command {
  return new Command(name)
    .description(description)
    .addOption(
      new Option('--url <url>', 'base URL of a running Hermod')
        .env('HERMOD_URL')
        .default('http://127.0.0.1:8080'),
    )
    .addOption(new Option('--key <key>', "the account's REST API key").env('HERMOD_API_KEY'))
    .option('--json', 'print JSON instead of a table');
}

async function call<T>(o: ClientOptions, method: string, path: string, body?: unknown): Promise<T> {
  if (!o.key) throw new CliError("give the account's API key: --key <key> or HERMOD_API_KEY");
  const url = `${o.url.replace(/\/+$/, '')}/v1${path}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${o.key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new CliError(
      `cannot reach Hermod at ${o.url}: ${cause?.code ?? cause?.message ?? (err as Error).message}`,
    );
  }
  if (res.status === 204) return undefined as T;
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

const positiveId = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
};
const collect = (v: string, prev: string[] = []) => [...prev, v];

type ServiceView = Record<string, unknown> & { id: number; keyword: string; aliases: string[] };

const row = (s: ServiceView) => ({
  ...s,
  number: s.number ?? 'any',
  aliases: s.aliases.join(',') || '-',
  does: s.kind === 'forward' ? s.url : s.kind === 'poll' ? (s.options as string[]).join('/') : s.reply,
});

export function keywordsCommand(): Command {
  const keywords = new Command('keywords').description(
    "a customer account's keyword services (auto-reply, JOIN/LEAVE a contact group, polls, forward to a URL) through REST v1",
  );

  keywords.addCommand(
    restCommand('list', 'list the keyword services').action(async (o: ClientOptions) => {
      const { data } = await call<{ data: ServiceView[] }>(o, 'GET', '/keywords');
      if (o.json) return printJson(data);
      printTable(data.map(row), ['id', 'number', 'keyword', 'aliases', 'kind', 'enabled', 'does']);
    }),
  );

  keywords.addCommand(
    restCommand('add', 'create a keyword service')
      .requiredOption('--keyword <word>', 'the keyword (one word, any case)')
      .addOption(
        new Option('--kind <kind>', 'what it does')
          .choices(['reply', 'subscribe', 'poll', 'forward'])
          .makeOptionMandatory(),
      )
      .option('--number <number>', 'the receiving number (default: any number routed to the account)')
      .option('--alias <word>', 'another word that triggers it (repeatable)', collect)
      .option(
        '--reply <text>',
        'the reply (reply), join confirmation (subscribe) or vote confirmation (poll); placeholders {{first_name|there}}…',
      )
      .option('--leave-reply <text>', 'subscribe: the leave confirmation')
      .option('--group <name>', 'subscribe: the contact group (created if missing)')
      .option('--option <answer>', 'poll: an answer (repeat for each, 2 to 20)', collect)
      .option('--forward-url <url>', 'forward: where the MO is posted; its answer is the reply')
      .option('--disabled', 'create it disabled')
      .action(async (o: ClientOptions & Record<string, unknown>) => {
        const body: Record<string, unknown> = { keyword: o.keyword, kind: o.kind };
        if (o.number !== undefined) body.number = o.number;
        if (o.alias !== undefined) body.aliases = o.alias;
        if (o.reply !== undefined) body.reply = o.reply;
        if (o.leaveReply !== undefined) body.leave_reply = o.leaveReply;
        if (o.group !== undefined) body.group = o.group;
        if (o.option !== undefined) body.options = o.option;
        if (o.forwardUrl !== undefined) body.url = o.forwardUrl;
        if (o.disabled) body.enabled = false;
        const s = await call<ServiceView>(o, 'POST', '/keywords', body);
        if (o.json) return printJson(s);
        printRecord(row(s));
      }),
  );

  keywords.addCommand(
    restCommand('results', "a poll's votes per answer")
      .argument('<id>', 'the poll service id', positiveId)
      .action(async (id: number, o: ClientOptions) => {
        const r = await call<{
          keyword: string;
          total: number;
          results: { answer: string; votes: number }[];
        }>(o, 'GET', `/keywords/${id}/results`);
        if (o.json) return printJson(r);
        printTable(
          r.results.map((x) => ({
            ...x,
            share: r.total === 0 ? '-' : `${Math.round((x.votes / r.total) * 100)}%`,
          })),
          ['answer', 'votes', 'share'],
        );
        console.log(`${r.total} vote${r.total === 1 ? '' : 's'} for ${r.keyword}`);
      }),
  );

  keywords.addCommand(
    restCommand('delete', 'delete a keyword service (a poll loses its votes)')
      .argument('<id>', 'the service id', positiveId)
      .action(async (id: number, o: ClientOptions) => {
        await call(o, 'DELETE', `/keywords/${id}`);
        if (o.json) return printJson({ deleted: id });
        console.log(`deleted keyword service ${id}`);
      }),
  );

  return keywords;
}
