/** `hermod users`: customer accounts (GET/POST /v1/admin/users and per-user actions). */
import { say } from '../io.js';
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
import { userSetCommand } from './user-set.js';
import { apiKeysCommand } from './user-keys.js';

const USER_COLUMNS = ['username', 'enabled', 'balance', 'rate'];

export function usersCommand(): Command {
  const cmd = new Command('users').description(
    'customer accounts: list, show, add, change, credit, unbind, REST API keys',
  );
  cmd.addCommand(
    apiCommand('list', 'list users').action(async (o: ApiOptions) => {
      const r = await new AdminClient(o).get<{ users: Obj[] }>('/users');
      if (o.json) return printJson(r);
      printTable(r.users, USER_COLUMNS);
    }),
  );
  cmd.addCommand(
    apiCommand('show', 'one user')
      .argument('<username>')
      .action(async (username: string, o: ApiOptions) => {
        const u = await new AdminClient(o).get<Obj>(`/users/${encodeURIComponent(username)}`);
        if (o.json) return printJson(u);
        printRecord(u);
      }),
  );
  cmd.addCommand(
    apiCommand('add', 'create a user (its username is also its SMPP system_id)')
      .argument('<username>')
      .requiredOption('--password <password>', 'at most 8 characters (SMPP)')
      .option('--balance <amount>', 'initial credit', '0')
      .option('--rate <amount>', 'price per message part', '0')
      .option('--disabled', 'create it disabled')
      .action(
        async (
          username: string,
          o: ApiOptions & { password: string; balance: string; rate: string; disabled?: boolean },
        ) => {
          const u = await new AdminClient(o).request<Obj>('POST', '/users', {
            username,
            password: o.password,
            balance: o.balance,
            rate: o.rate,
            enabled: !o.disabled,
          });
          if (o.json) return printJson(u);
          say(`created ${username} (balance ${String(u.balance)}, rate ${String(u.rate)})`);
        },
      ),
  );
  cmd.addCommand(userSetCommand());
  cmd.addCommand(
    apiCommand('credit', 'add credit to a user (a negative amount takes it away)')
      .argument('<username>')
      .argument('<amount>', 'decimal, e.g. 25 or 0.5')
      .option('--note <text>', 'shown in the ledger (an invoice number, a reason)')
      .action(async (username: string, amount: string, o: ApiOptions & { note?: string }) => {
        const u = await new AdminClient(o).request<Obj>(
          'POST',
          `/users/${encodeURIComponent(username)}/credit`,
          { amount, ...(o.note !== undefined ? { note: o.note } : {}) },
        );
        if (o.json) return printJson(u);
        say(`${username}: balance ${String(u.balance)}`);
      }),
  );
  cmd.addCommand(
    apiCommand(
      'unbind',
      'end every SMPP bind of a user now (disable the user, or set settings.access, to keep them out)',
    )
      .argument('<username>')
      .action(async (username: string, o: ApiOptions) => {
        const r = await new AdminClient(o).request<{ username: string; unbound: number }>(
          'POST',
          `/users/${encodeURIComponent(username)}/unbind`,
        );
        if (o.json) return printJson(r);
        say(`${username}: ${r.unbound} bind${r.unbound === 1 ? '' : 's'} ended`);
      }),
  );
  cmd.addCommand(apiKeysCommand());
  return cmd;
}
