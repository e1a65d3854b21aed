/**
 * `hermod ledger` and `hermod reports`: the operator's view of the ledger and the reports
 * through the admin API (an admin key; --account narrows to one customer), as a table, JSON
 * or CSV (docs/engine/money-and-reports.md).
 */
import { say, cliIo } from './io.js';
import { Option, type Command } from 'commander';
import { DEMO_ADMIN_KEY } from '../config/demo-key.js';
import { AdminClient, apiCommand, CliError, printJson, printTable, type ApiOptions } from './admin-client.js';

type Obj = Record<string, unknown>;

/** GET a CSV export of the admin API as text (problem+json errors as CliError). */
async function csvOf(o: ApiOptions, path: string): Promise<string> {
  const url = `${o.url.replace(/\/+$/, '')}/v1/admin${path}`;
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { authorization: `Bearer ${o.key ?? DEMO_ADMIN_KEY}`, accept: 'text/csv' },
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new CliError(
      `cannot reach Hermod at ${o.url}: ${cause?.code ?? cause?.message ?? (err as Error).message}`,
    );
  }
  const text = await res.text();
  if (!res.ok) {
    let p: { detail?: string; code?: string } | undefined;
    try {
      p = JSON.parse(text) as typeof p;
    } catch {
      p = undefined;
    }
    throw new CliError(`${p?.detail ?? `HTTP ${res.status}`}${p?.code ? ` (${p.code})` : ''}`);
  }
  return text;
}

const query = (params: Record<string, string | undefined>): string => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
};

interface LedgerOptions extends ApiOptions {
  account?: string;
  kind?: string;
  from?: string;
  to?: string;
  limit: string;
  csv?: boolean;
}

export function ledgerCommand(): Command {
  return apiCommand(
    'ledger',
    'the ledger (top-ups, charges, refunds, adjustments), newest first: every account or --account',
  )
    .option('--account <username>', 'one customer account')
    .addOption(
      new Option('--kind <kind>', 'only this kind').choices(['topup', 'charge', 'refund', 'adjustment']),
    )
    .option('--from <date>', 'ISO date or date-time (inclusive)')
    .option('--to <date>', 'ISO date or date-time (exclusive)')
    .option('--limit <n>', 'entries in the table or JSON (the CSV has every entry)', '50')
    .option('--csv', 'every entry of the filter as CSV on stdout')
    .action(async (o: LedgerOptions) => {
      const filter = { account: o.account, kind: o.kind, from: o.from, to: o.to };
      if (o.csv) return void cliIo().stdout.write(await csvOf(o, `/ledger${query(filter)}`));
      const r = await new AdminClient(o).get<{ entries: Obj[]; next: number | null }>(
        `/ledger${query({ ...filter, limit: o.limit })}`,
      );
      if (o.json) return printJson(r);
      printTable(r.entries, [
        'id',
        'at',
        'account',
        'kind',
        'amount',
        'balance',
        'messageId',
        'reason',
        'note',
      ]);
      if (r.next !== null) say(`(more: --limit, or --csv for every entry)`);
    });
}

interface ReportOptions extends ApiOptions {
  by: string;
  account?: string;
  from?: string;
  to?: string;
  csv?: boolean;
}

export function reportsCommand(): Command {
  return apiCommand(
    'reports',
    'messages by final state, delivery rate and time, revenue: per period or dimension',
  )
    .addOption(
      new Option('--by <group>', 'group by')
        .choices(['hour', 'day', 'month', 'country', 'connector', 'campaign', 'sender', 'account'])
        .default('day'),
    )
    .option('--account <username>', 'one customer account (default: all)')
    .option('--from <date>', 'ISO date or date-time (default: 30 days before --to)')
    .option('--to <date>', 'ISO date or date-time, exclusive (default: now)')
    .option('--csv', 'CSV on stdout')
    .action(async (o: ReportOptions) => {
      const q = query({ groupBy: o.by, account: o.account, from: o.from, to: o.to });
      if (o.csv) return void cliIo().stdout.write(await csvOf(o, `/reports${q}`));
      const r = await new AdminClient(o).get<{ groups: Obj[] }>(`/reports${q}`);
      if (o.json) return printJson(r);
      const rows = r.groups.map((g) => ({
        ...g,
        delivered: (g.states as Record<string, { messages: number }>).delivered?.messages ?? 0,
        rate: g.deliveryRate === null ? null : `${Math.round((g.deliveryRate as number) * 1000) / 10}%`,
        median:
          g.medianDeliveryMs === null ? null : `${Math.round((g.medianDeliveryMs as number) / 100) / 10}s`,
        p95: g.p95DeliveryMs === null ? null : `${Math.round((g.p95DeliveryMs as number) / 100) / 10}s`,
      }));
      printTable(rows, ['key', 'messages', 'parts', 'delivered', 'rate', 'median', 'p95', 'revenue', 'cost']);
    });
}
