/** `hermod messages`: list, show and tail messages (GET /v1/admin/messages). */
import { say, warn } from '../io.js';
import { Command, InvalidArgumentError } from 'commander';
import {
  AdminClient,
  apiCommand,
  printJson,
  printRecord,
  printTable,
  type ApiOptions,
} from '../admin-client.js';
import { type Obj, positiveInt, qs } from './shared.js';

const seconds = (v: string): number => {
  const n = Number(v);
  if (!(n > 0)) throw new InvalidArgumentError('must be a number of seconds > 0');
  return n;
};

const MESSAGE_COLUMNS = ['id', 'createdAt', 'user', 'from', 'to', 'state', 'connector', 'price', 'error'];

export function messagesCommand(): Command {
  const cmd = new Command('messages').description('list, show and follow messages');
  cmd.addCommand(
    apiCommand('list', 'list messages, newest first')
      .option(
        '--state <state>',
        'only this state (queued, sent, delivered, undelivered, expired, rejected, failed, …)',
      )
      .option('--connector <id>', 'only this connector')
      .option('--user <username>', 'only this user')
      .option('--to <number>', 'only this destination')
      .option('--limit <n>', 'at most this many (1-500)', positiveInt, 50)
      .option('--before <cursor>', 'the next page: the cursor printed after the previous one')
      .action(
        async (
          o: ApiOptions & {
            state?: string;
            connector?: string;
            user?: string;
            to?: string;
            limit: number;
            before?: string;
          },
        ) => {
          const r = await new AdminClient(o).get<{ messages: Obj[]; nextCursor: string | null }>(
            `/messages${qs({ state: o.state, connector: o.connector, user: o.user, to: o.to, limit: o.limit, before: o.before })}`,
          );
          if (o.json) return printJson(r);
          printTable(r.messages, MESSAGE_COLUMNS);
          if (r.nextCursor) say(`more: --before ${r.nextCursor}`);
        },
      ),
  );
  cmd.addCommand(
    apiCommand('show', 'one message with its text and state history')
      .argument('<id>', 'message id')
      .action(async (id: string, o: ApiOptions) => {
        const m = await new AdminClient(o).get<Obj & { history: Obj[] }>(
          `/messages/${encodeURIComponent(id)}`,
        );
        if (o.json) return printJson(m);
        const { history, ...rest } = m;
        printRecord(rest);
        say('');
        printTable(history, ['at', 'state', 'detail']);
      }),
  );
  cmd.addCommand(
    apiCommand('tail', 'print new messages as they are accepted (Ctrl-C to stop)')
      .option('--interval <s>', 'seconds between polls', seconds, 1)
      .option('--max <n>', 'exit after this many messages', positiveInt)
      .action(async (o: ApiOptions & { interval: number; max?: number }) => {
        const api = new AdminClient(o);
        // Start from the newest message now: tail shows what comes after.
        const head = await api.get<{ messages: { id: string }[] }>('/messages?limit=1');
        let after = head.messages[0]?.id ?? '0';
        let seen = 0;
        warn(`following new messages at ${o.url} (every ${o.interval} s)`);
        if (!o.json) say(MESSAGE_COLUMNS.map((c) => c.toUpperCase()).join('  '));
        for (;;) {
          const r = await api.get<{ messages: (Obj & { id: string })[] }>(
            `/messages${qs({ after, limit: 500 })}`,
          );
          for (const m of r.messages) {
            say(
              o.json
                ? JSON.stringify(m)
                : MESSAGE_COLUMNS.map((c) => (m[c] === null || m[c] === undefined ? '-' : String(m[c]))).join(
                    '  ',
                  ),
            );
            after = m.id;
            if (o.max !== undefined && ++seen >= o.max) return;
          }
          if (r.messages.length < 500) await new Promise((res) => setTimeout(res, o.interval * 1000));
        }
      }),
  );
  return cmd;
}
