/** `hermod webhooks`: the callback delivery log and outbox (/v1/admin/webhooks). */
import { say } from '../io.js';
import { Command } from 'commander';
import { AdminClient, apiCommand, printJson, printTable, type ApiOptions } from '../admin-client.js';
import { type Obj, positiveInt, qs } from './shared.js';

export function webhooksCommand(): Command {
  const cmd = new Command('webhooks').description('outbound callbacks: the delivery log and the outbox');
  cmd.addCommand(
    apiCommand('log', 'delivery attempts, newest first (url, attempt, HTTP status or error, duration)')
      .option('--message <id>', "only this message's events")
      .option('--limit <n>', 'at most this many (1-1000)', positiveInt, 100)
      .action(async (o: ApiOptions & { message?: string; limit: number }) => {
        const r = await new AdminClient(o).get<{ attempts: Obj[] }>(
          `/webhooks/log${qs({ messageId: o.message, limit: o.limit })}`,
        );
        if (o.json) return printJson(r);
        printTable(r.attempts, [
          'at',
          'messageId',
          'eventId',
          'attempt',
          'status',
          'durationMs',
          'url',
          'error',
        ]);
      }),
  );
  cmd.addCommand(
    apiCommand('pending', 'callbacks not delivered yet, oldest first, with attempts and next try')
      .option('--limit <n>', 'at most this many (1-1000)', positiveInt, 100)
      .action(async (o: ApiOptions & { limit: number }) => {
        const r = await new AdminClient(o).get<{ total: number; pending: Obj[] }>(
          `/webhooks/pending${qs({ limit: o.limit })}`,
        );
        if (o.json) return printJson(r);
        say(`pending: ${r.total}`);
        printTable(r.pending, [
          'eventId',
          'kind',
          'messageId',
          'attempts',
          'nextAttemptAt',
          'url',
          'lastError',
        ]);
      }),
  );
  return cmd;
}
