/** `hermod config check [file]`: validates a configuration without starting anything. */
import { cliIo, say, warn, setExitCode } from './io.js';
import { Command } from 'commander';

export function configCommand(): Command {
  const cmd = new Command('config').description('configuration tools');
  cmd.addCommand(
    new Command('check')
      .description(
        'validate a configuration file (default: what `hermod start` would load) and print every problem with its key path',
      )
      .argument(
        '[file]',
        'the YAML file (default: HERMOD_CONFIG, ./hermod.yaml, else the demo configuration)',
      )
      .option('--json', 'print the result as JSON')
      .option(
        '--store',
        'also read the store the file names and check the connectors and routes a start would run with (changes made through the admin API win over the file); writes nothing, but opening a store of an older Hermod applies its migrations',
      )
      .action(async (file: string | undefined, o: { json?: boolean; store?: boolean }) => {
        // Loaded here, not at start: every other command starts faster without the loader.
        const { ConfigError, loadConfig } = await import('../config/index.js');
        const env = { ...cliIo().env, ...(file ? { HERMOD_CONFIG: file } : {}) };
        try {
          const c = loadConfig(env, cliIo().cwd);
          const summary: Record<string, unknown> = {
            ok: true,
            source: file ?? env.HERMOD_CONFIG ?? (c.demo ? 'demo configuration' : './hermod.yaml'),
            users: c.users.length,
            connectors: c.connectors.length,
            routes: c.routes.length,
            adminKeys: c.admin.keys.length,
          };
          const stored = o.store ? await checkStore(c) : undefined;
          if (stored) summary.store = stored;
          if (o.json) say(JSON.stringify(summary));
          else {
            say(
              `${String(summary.source)}: ok (${c.users.length} users, ${c.connectors.length} connectors, ${c.routes.length} routes, ${c.admin.keys.length} admin keys)`,
            );
            if (stored) say(storeLine(stored));
          }
        } catch (err) {
          if (!(err instanceof ConfigError)) throw err;
          if (o.json) say(JSON.stringify({ ok: false, issues: err.issues }));
          else warn(err.message);
          setExitCode(1);
        }
      }),
  );
  return cmd;
}

interface StoreCheck {
  where: string;
  exists: boolean;
  connectors?: number;
  routes?: number;
  moRoutes?: number;
  /** What the admin API changed that wins over the file. */
  overridden?: string[];
}

/** The connectors and routes a start would run with on this store; throws ConfigError when they do not hold together. */
async function checkStore(c: import('../config/index.js').Config): Promise<StoreCheck> {
  const { existsSync } = await import('node:fs');
  const { openStore, seedDefinitions } = await import('../compose/index.js');
  const where =
    c.store.type === 'sqlite' ? `SQLite at ${c.store.path}` : `PostgreSQL schema ${c.store.schema}`;
  if (c.store.type === 'sqlite' && !existsSync(c.store.path)) return { where, exists: false };
  // Beside a running gateway: its leases are live, so they are left alone.
  const store = await openStore(c.store, { reclaim: false });
  try {
    const e = await seedDefinitions(store, c, { write: false });
    return {
      where,
      exists: true,
      connectors: e.connectors.length,
      routes: e.routes.length,
      moRoutes: e.moRoutes.length,
      overridden: e.overridden,
    };
  } finally {
    await store.close();
  }
}

function storeLine(s: StoreCheck): string {
  if (!s.exists) return `${s.where}: no store yet (a first start creates it from the file)`;
  const over =
    s.overridden && s.overridden.length > 0
      ? `; the admin API's changes win over the file for ${s.overridden.join(', ')}`
      : '';
  return `${s.where}: ok (${s.connectors} connectors, ${s.routes} MT routes, ${s.moRoutes} MO routes would run${over})`;
}
