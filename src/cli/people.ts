/**
 * Web users from the command line (docs/engine/people.md):
 *
 * - `hermod operators add EMAIL` writes straight into the store the configuration names
 *   (the composition root), so it works on a fresh install: before any start, with no admin
 *   key, with the gateway running or not. Whoever can read the configuration and reach the
 *   store is already its operator; the admin API is not needed to prove it.
 * - `hermod members add --account A EMAIL --role R` is an operator's everyday task and goes
 *   through the admin API (admin key, or HERMOD_ADMIN_KEY), like the other operator commands.
 *
 * A password is never an argument (it would stay in the shell's history and `ps`): it is
 * read from stdin with --password-stdin, or made up and printed once.
 */
import { say, warn, cliIo } from './io.js';
import { Command, Option } from 'commander';
import { AdminClient, CliError, apiCommand, printJson, type ApiOptions } from './admin-client.js';

/** The first line of stdin (a password piped in), without its line ending. */
async function readStdinLine(): Promise<string> {
  if (cliIo().stdin.isTTY)
    throw new CliError('--password-stdin: pipe the password in (e.g. `printf %s "$PW" | hermod …`)', 2);
  let text = '';
  for await (const chunk of cliIo().stdin) text += String(chunk);
  const line = text.split(/\r?\n/)[0];
  if (!line) throw new CliError('--password-stdin: stdin is empty', 2);
  return line;
}

interface CreatedWebUser {
  user: { id: number; email: string; kind: string; role: string | null; accountId: number | null };
  setupToken?: string;
  setupExpiresAt?: string;
}

function operatorsCommand(): Command {
  const cmd = new Command('operators').description(
    'web users who operate Hermod (the console and the admin API)',
  );
  cmd.addCommand(
    new Command('add')
      .description(
        'create an operator in the store of the configuration (HERMOD_CONFIG, ./hermod.yaml, or the demo one): works on a fresh install, with or without a running gateway. Without --password-stdin a one-time password is printed, to be changed at the first sign-in',
      )
      .argument('<email>', "the operator's email (their sign-in name)")
      .option('--name <name>', 'display name (default: the part of the email before @)')
      .option('--password-stdin', 'read the password from stdin (the operator keeps it)')
      .option('--json', 'print JSON')
      .action(async (email: string, o: { name?: string; passwordStdin?: boolean; json?: boolean }) => {
        const password = o.passwordStdin ? await readStdinLine() : undefined;
        const { loadConfig } = await import('../config/index.js');
        const { addOperator } = await import('../compose/people.js');
        const config = loadConfig(cliIo().env, cliIo().cwd);
        let made;
        try {
          made = await addOperator(config, {
            email,
            ...(o.name !== undefined ? { displayName: o.name } : {}),
            ...(password !== undefined ? { password } : {}),
          });
        } catch (err) {
          const e = err as { code?: string; httpStatus?: number; message: string };
          // The service's refusals (email in use, a weak password) as the CLI's one line.
          if (typeof e.httpStatus === 'number') throw new CliError(`${e.message} (${e.code})`);
          throw err;
        }
        if (o.json)
          return printJson({
            id: made.user.id,
            email: made.user.email,
            ...(made.temporaryPassword ? { temporaryPassword: made.temporaryPassword } : {}),
          });
        if (made.temporaryPassword) {
          warn(
            `operator ${made.user.id} (${made.user.email}): one-time password below, to be changed at the first sign-in`,
          );
          say(made.temporaryPassword);
        } else say(`operator ${made.user.id} (${made.user.email}) created`);
      }),
  );
  return cmd;
}

function membersCommand(): Command {
  const cmd = new Command('members').description("web users of a customer account (the console's people)");
  cmd.addCommand(
    apiCommand(
      'add',
      'add a member to an account through the admin API. Without --password-stdin the member is invited: a one-time set-password token is printed (POST /v1/session/setup)',
    )
      .argument('<email>', "the member's email (their sign-in name)")
      .requiredOption('--account <username>', 'the customer account (its username)')
      .addOption(
        new Option('--role <role>', 'what the member may do')
          .choices(['owner', 'admin', 'sender', 'viewer'])
          .makeOptionMandatory(),
      )
      .option('--name <name>', 'display name (default: the part of the email before @)')
      .option('--password-stdin', 'read a temporary password from stdin (changed at the first sign-in)')
      .action(
        async (
          email: string,
          o: ApiOptions & { account: string; role: string; name?: string; passwordStdin?: boolean },
        ) => {
          const password = o.passwordStdin ? await readStdinLine() : undefined;
          const r = await new AdminClient(o).request<CreatedWebUser>('POST', '/web-users', {
            kind: 'member',
            email,
            account: o.account,
            role: o.role,
            ...(o.name !== undefined ? { displayName: o.name } : {}),
            ...(password !== undefined ? { password } : {}),
          });
          if (o.json) return printJson(r);
          if (r.setupToken) {
            warn(
              `member ${r.user.id} (${r.user.email}, ${o.role} of ${o.account}): set-password token below, valid until ${r.setupExpiresAt}`,
            );
            say(r.setupToken);
          } else say(`member ${r.user.id} (${r.user.email}, ${o.role} of ${o.account}) created`);
        },
      ),
  );
  return cmd;
}

export function peopleCommands(): Command[] {
  return [operatorsCommand(), membersCommand()];
}
