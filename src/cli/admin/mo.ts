/** `hermod mo`: inbound messages (GET /v1/admin/inbound). */
import { say } from '../io.js';
import { Command } from 'commander';
import {
  AdminClient,
  CliError,
  apiCommand,
  printJson,
  printTable,
  type ApiOptions,
} from '../admin-client.js';
import { type Obj, positiveInt, qs } from './shared.js';

/** `hermod mo list`: inbound messages of every kind (GET /v1/admin/inbound). */
export function moCommand(): Command {
  const cmd = new Command('mo').description(
    'inbound messages (MO): routed to a customer, to a URL, or by no route',
  );
  cmd.addCommand(
    apiCommand('list', 'inbound messages, newest first, routed or not')
      .option('--unrouted', 'only those no MO route took (stored, delivered to nobody)')
      .option('--routed', 'only those an MO route took (to a customer or a URL)')
      .option('--from <number>', 'only from this handset')
      .option('--to <number>', 'only to this number or short code of ours')
      .option('--connector <id>', 'only those that arrived on this connector')
      .option('--user <username>', 'only those routed to this customer')
      .option('--limit <n>', 'at most this many (1-500)', positiveInt, 50)
      .option('--cursor <cursor>', 'the next page: the cursor printed after the previous one')
      .action(
        async (
          o: ApiOptions & {
            unrouted?: boolean;
            routed?: boolean;
            from?: string;
            to?: string;
            connector?: string;
            user?: string;
            limit: number;
            cursor?: string;
          },
        ) => {
          if (o.unrouted && o.routed) throw new CliError('give --routed or --unrouted, not both', 2);
          const routed = o.unrouted ? 'false' : o.routed ? 'true' : undefined;
          const r = await new AdminClient(o).get<{ inbound: Obj[]; nextCursor: string | null }>(
            `/inbound${qs({ routed, from: o.from, to: o.to, connector: o.connector, user: o.user, limit: o.limit, cursor: o.cursor })}`,
          );
          if (o.json) return printJson(r);
          printTable(
            r.inbound.map((m) => ({
              ...m,
              target:
                m.routedTo !== null
                  ? `user ${String(m.routedTo)}`
                  : m.routedUrl !== null
                    ? `url ${String(m.routedUrl)}`
                    : '(no route)',
            })),
            ['id', 'receivedAt', 'connector', 'from', 'to', 'target', 'text'],
          );
          if (r.nextCursor) say(`more: --cursor ${r.nextCursor}`);
        },
      ),
  );
  return cmd;
}
