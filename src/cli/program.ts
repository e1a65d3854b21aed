import { Command } from 'commander';
import { HermodError } from '../lib/errors.js';
import { readFileSync } from 'node:fs';
import { simulateCommand } from './simulate.js';
import { sendCommand } from './send.js';
import { keywordsCommand } from './keywords.js';
import { adminCommands } from './admin.js';
import { configCommand } from './config-check.js';
import { peopleCommands } from './people.js';
import { contactsCommand } from './contacts.js';
import { ledgerCommand, reportsCommand } from './money.js';
import { CliError } from './admin-client.js';
import { campaignsCommand } from './campaigns.js';
import { lifecycleCommands } from './lifecycle.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** Builds the `hermod` command tree. Each subcommand lives in its own module. */
export function buildProgram(): Command {
  const program = new Command('hermod')
    .description('Hermod SMS gateway: SMPP and HTTP in, SMPP out, routing, billing and delivery reports')
    .version(pkg.version);

  program
    .command('start')
    .description('start the gateway (embedded SQLite store and built-in SMSC simulator by default)')
    .action(async () => {
      const { startHermod } = await import('../compose/index.js');
      const { loadConfig, DEMO_ADMIN_KEY } = await import('../config/index.js');
      const config = loadConfig();
      const h = await startHermod(config, { sampleData: config.demo });
      const host = config.server.host;
      console.log(
        `Hermod ${pkg.version} is running${config.demo ? ` (demo mode: listening on ${host} only)` : ''}.`,
      );
      console.log(
        config.store.type === 'postgres'
          ? `  store:      PostgreSQL (schema ${config.store.schema})`
          : `  store:      SQLite at ${config.store.path}`,
      );
      // What runs: the store's definitions (the admin API's changes win over the file).
      for (const c of h.gateway.listConnectors().flatMap((k) => h.definitions.get(k.id) ?? [])) {
        console.log(
          `  connector:  ${c.id} (${c.type === 'smpp' ? `SMPP ${c.host}:${c.port} as "${c.systemId}"` : c.type === 'http' ? `HTTP ${new URL(c.url.replace(/\{\w+\}/g, 'x')).host}` : 'built-in SMSC simulator'})`,
        );
      }
      console.log(
        `  SMPP:       ${host}:${h.smppPort}${config.demo ? '  system_id "demo", password "demo"' : ''}`,
      );
      if (h.smppTlsPort !== undefined) console.log(`  SMPP (TLS): ${host}:${h.smppTlsPort}`);
      console.log(
        `  HTTP:       http://${host}:${h.httpPort}  (Jasmin-compatible: /send /balance /rate /ping)`,
      );
      const keyHint =
        config.demo && config.admin.keys.includes(DEMO_ADMIN_KEY)
          ? `  admin key "${DEMO_ADMIN_KEY}" (demo)`
          : config.admin.keys.length
            ? ''
            : '  (closed: no admin.keys / HERMOD_ADMIN_KEY)';
      const adminAt =
        h.adminPort !== undefined ? `${config.server.adminHost}:${h.adminPort}` : `${host}:${h.apiPort}`;
      console.log(`  admin API:  http://${adminAt}/v1/admin${keyHint}`);
      if (h.adminPort !== undefined) console.log(`  metrics:    http://${adminAt}/metrics  (and /docs)`);
      console.log('');
      const { DEMO_API_KEY } = await import('../config/index.js');
      const api = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${h.apiPort}`;
      console.log(
        `  Console:    ${api}/${config.demo ? '  (sign in as demo / demo, or as the operator admin / admin)' : '  (create a sign-in with: npx hermod operators add EMAIL)'}`,
      );
      console.log(
        `  REST API:   ${api}/v1  (OpenAPI ${api}/openapi.json, docs ${api}/docs, ${api}/metrics, ${api}/readyz)`,
      );
      console.log('');
      console.log('Send a first message over REST:');
      const key = config.demo ? DEMO_API_KEY : '<your API key>';
      console.log(
        `  curl -s ${api}/v1/messages -H 'Authorization: Bearer ${key}' -H 'Content-Type: application/json' -d '{"to":"+447700900123","from":"Hermod","text":"Hello from Hermod"}'`,
      );
      const user = config.demo ? 'demo' : (config.users[0]?.username ?? 'USER');
      const password = config.demo ? 'demo' : 'PASSWORD';
      console.log('or over the Jasmin-compatible HTTP API (the answer is JSON: {"data":{"messageid":...}}):');
      console.log(
        `  curl -s http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${h.httpPort}/send -d username=${user} -d password=${password} -d to=447700900123 -d "content=Hello from Hermod"`,
      );
      console.log('or over SMPP (bind any SMPP client as transceiver to get receipts):');
      console.log(`  npx hermod send --port ${h.smppPort} --to 447700900123 --text "Hello from Hermod"`);
      console.log(
        `Operate it with the CLI, e.g.  npx hermod connectors list --url http://${host}:${h.apiPort}${config.demo ? '' : ' --key <admin key>'}`,
      );
      const stop = async (signal: string) => {
        console.log(`${signal}: draining and shutting down`);
        await h.stop();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
    });

  program.addCommand(simulateCommand());
  program.addCommand(sendCommand());
  for (const c of adminCommands()) program.addCommand(c);
  program.addCommand(configCommand());
  for (const c of peopleCommands()) program.addCommand(c);
  program.addCommand(keywordsCommand());
  program.addCommand(campaignsCommand());
  program.addCommand(contactsCommand());
  program.addCommand(ledgerCommand());
  program.addCommand(reportsCommand());
  for (const c of lifecycleCommands()) program.addCommand(c);

  return program;
}

export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CliError) {
      console.error(`error: ${err.message}`);
      process.exit(err.exitCode);
    }
    // Configuration mistakes are the operator's to fix: say what and where, no stack trace.
    if (err instanceof HermodError && err.code === 'HERMOD_ERR_CONFIG') {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
}
