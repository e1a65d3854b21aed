/** `hermod config check [file]`: validates a configuration without starting anything. */
import { Command } from 'commander';

export function configCommand(): Command {
  const cmd = new Command('config').description('configuration tools');
  cmd.addCommand(
    new Command('check')
      .description('validate a configuration file (default: what `hermod start` would load) and print every problem with its key path')
      .argument('[file]', 'the YAML file (default: HERMOD_CONFIG, ./hermod.yaml, else the demo configuration)')
      .option('--json', 'print the result as JSON')
      .action(async (file: string | undefined, o: { json?: boolean }) => {
        // Loaded here, not at start: every other command starts faster without the loader.
        const { ConfigError, loadConfig } = await import('../config/index.js');
        const env = { ...process.env, ...(file ? { HERMOD_CONFIG: file } : {}) };
        try {
          const c = loadConfig(env);
          const summary = { ok: true, source: file ?? env.HERMOD_CONFIG ?? (c.demo ? 'demo configuration' : './hermod.yaml'), users: c.users.length, connectors: c.connectors.length, routes: c.routes.length, adminKeys: c.admin.keys.length };
          if (o.json) console.log(JSON.stringify(summary));
          else console.log(`${summary.source}: ok (${summary.users} users, ${summary.connectors} connectors, ${summary.routes} routes, ${summary.adminKeys} admin keys)`);
        } catch (err) {
          if (!(err instanceof ConfigError)) throw err;
          if (o.json) console.log(JSON.stringify({ ok: false, issues: err.issues }));
          else console.error(err.message);
          process.exitCode = 1;
        }
      }),
  );
  return cmd;
}
