/** `hermod stats`: messages by state and connector, queue depth, MO count (GET /v1/admin/stats). */
import { say } from '../io.js';
import { Command } from 'commander';
import { AdminClient, apiCommand, printJson, printTable, type ApiOptions } from '../admin-client.js';

export function statsCommand(): Command {
  return apiCommand('stats', 'messages by state and connector, queue depth, MO count').action(
    async (o: ApiOptions) => {
      const s = await new AdminClient(o).get<{
        messages: {
          total: number;
          byState: Record<string, number>;
          byConnector: Record<string, Record<string, number>>;
        };
        queue: { depth: number; byConnector: Record<string, number> };
        mo: { count: number };
        connectors: { total: number; bound: number };
      }>('/stats');
      if (o.json) return printJson(s);
      say(
        `messages: ${s.messages.total}   queue: ${s.queue.depth}   MO: ${s.mo.count}   connectors bound: ${s.connectors.bound}/${s.connectors.total}`,
      );
      const states = [
        ...new Set(Object.values(s.messages.byConnector).flatMap((x) => Object.keys(x))),
      ].sort();
      const rows = Object.entries(s.messages.byConnector).map(([id, counts]) => ({
        connector: id,
        queue: s.queue.byConnector[id] ?? 0,
        ...Object.fromEntries(states.map((st) => [st, counts[st] ?? 0])),
      }));
      say('');
      printTable(rows, ['connector', 'queue', ...states]);
    },
  );
}
