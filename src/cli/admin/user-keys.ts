/** `hermod users keys`: a user's REST API keys. */
import { say, warn } from '../io.js';
import { Command } from 'commander';
import { AdminClient, apiCommand, printJson, printTable, type ApiOptions } from '../admin-client.js';
import { type Obj, positiveInt } from './shared.js';

/** `hermod users keys`: a user's REST API keys (POST/GET/DELETE /users/{name}/api-keys). */
export function apiKeysCommand(): Command {
  const cmd = new Command('keys').description(
    "a user's REST API keys: create one (shown once), list them, revoke one",
  );
  const path = (username: string) => `/users/${encodeURIComponent(username)}/api-keys`;
  cmd.addCommand(
    apiCommand(
      'add',
      'create a REST API key for a user and print it: it is shown this once (Hermod keeps only its hash)',
    )
      .argument('<username>')
      .option('--label <text>', 'a note to tell the key by (e.g. where it is used)')
      .action(async (username: string, o: ApiOptions & { label?: string }) => {
        const k = await new AdminClient(o).request<{
          id: number;
          label: string | null;
          createdAt: string;
          key: string;
        }>('POST', path(username), o.label === undefined ? {} : { label: o.label });
        if (o.json) return printJson(k);
        say(k.key);
        warn(
          `key ${k.id} of ${username}${k.label === null ? '' : ` (${k.label})`}: store it now, it is not shown again`,
        );
      }),
  );
  cmd.addCommand(
    apiCommand('list', "a user's keys that are not revoked: ids, labels, creation times (never the key)")
      .argument('<username>')
      .action(async (username: string, o: ApiOptions) => {
        const r = await new AdminClient(o).get<{ apiKeys: Obj[] }>(path(username));
        if (o.json) return printJson(r);
        printTable(r.apiKeys, ['id', 'label', 'createdAt']);
      }),
  );
  cmd.addCommand(
    apiCommand('revoke', 'revoke a key: refused from the next request on')
      .argument('<username>')
      .argument('<id>', 'the key id (hermod users keys list)', positiveInt)
      .action(async (username: string, id: number, o: ApiOptions) => {
        await new AdminClient(o).request('DELETE', `${path(username)}/${id}`);
        if (o.json) return printJson({ username, id, revoked: true });
        say(`${username}: key ${id} revoked`);
      }),
  );
  return cmd;
}
