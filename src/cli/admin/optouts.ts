/** `hermod optouts`: numbers that opted out of a sender (/v1/admin/optouts). */
import { say } from '../io.js';
import { Command } from 'commander';
import { AdminClient, apiCommand, printJson, printTable, type ApiOptions } from '../admin-client.js';
import { type Obj, positiveInt, qs } from './shared.js';

export function optoutsCommand(): Command {
  const cmd = new Command('optouts').description(
    'numbers that opted out of a sender (STOP keywords or by hand)',
  );
  cmd.addCommand(
    apiCommand('list', 'opt-outs')
      .option('--msisdn <number>', 'only this number')
      .option('--limit <n>', 'at most this many', positiveInt, 1000)
      .action(async (o: ApiOptions & { msisdn?: string; limit: number }) => {
        const r = await new AdminClient(o).get<{ optouts: Obj[] }>(
          `/optouts${qs({ msisdn: o.msisdn, limit: o.limit })}`,
        );
        if (o.json) return printJson(r);
        printTable(r.optouts, ['msisdn', 'sender', 'at']);
      }),
  );
  cmd.addCommand(
    apiCommand('add', 'opt a number out of a sender')
      .argument('<msisdn>')
      .argument('<sender>', 'the sender (short code, number or alphanumeric id) it no longer receives from')
      .action(async (msisdn: string, sender: string, o: ApiOptions) => {
        const r = await new AdminClient(o).request<Obj>('POST', '/optouts', { msisdn, sender });
        if (o.json) return printJson(r);
        say(`${String(r.msisdn)} opted out of ${sender}`);
      }),
  );
  cmd.addCommand(
    apiCommand('remove', 'remove an opt-out')
      .argument('<msisdn>')
      .argument('<sender>')
      .action(async (msisdn: string, sender: string, o: ApiOptions) => {
        await new AdminClient(o).request('DELETE', `/optouts/${encodeURIComponent(msisdn)}${qs({ sender })}`);
        if (o.json) return printJson({ msisdn, sender, removed: true });
        say(`${msisdn} may receive from ${sender} again`);
      }),
  );
  return cmd;
}
