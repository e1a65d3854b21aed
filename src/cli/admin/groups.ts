/** `hermod groups`: user groups (/v1/admin/groups). */
import { Command } from 'commander';
import {
  AdminClient,
  apiCommand,
  printJson,
  printRecord,
  printTable,
  type ApiOptions,
} from '../admin-client.js';
import { type Obj } from './shared.js';

export function groupsCommand(): Command {
  const cmd = new Command('groups').description(
    "user groups: list, create or change (a disabled group refuses its users' messages)",
  );
  cmd.addCommand(
    apiCommand('list', 'list groups with their number of users').action(async (o: ApiOptions) => {
      const r = await new AdminClient(o).get<{ groups: Obj[] }>('/groups');
      if (o.json) return printJson(r);
      printTable(r.groups, ['id', 'enabled', 'users', 'description']);
    }),
  );
  cmd.addCommand(
    apiCommand('set', 'create a group or change it (omitted fields are kept)')
      .argument('<id>')
      .option('--description <text>')
      .option('--enable', 'its users may send')
      .option('--disable', "refuse its users' messages")
      .action(
        async (id: string, o: ApiOptions & { description?: string; enable?: boolean; disable?: boolean }) => {
          const body: Obj = {};
          if (o.description !== undefined) body.description = o.description;
          if (o.enable) body.enabled = true;
          if (o.disable) body.enabled = false;
          const g = await new AdminClient(o).request<Obj>('PUT', `/groups/${encodeURIComponent(id)}`, body);
          if (o.json) return printJson(g);
          printRecord(g);
        },
      ),
  );
  return cmd;
}
