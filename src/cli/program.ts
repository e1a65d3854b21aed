import { cliIo, say, warn, withIo, type CliIo } from './io.js';
import { Command, CommanderError } from 'commander';
import { HermodError } from '../lib/errors.js';
import { readFileSync } from 'node:fs';
import { simulateCommand } from './simulate.js';
import { sendCommand } from './send.js';
import { keywordsCommand } from './keywords.js';
import { adminCommands } from './admin/index.js';
import { configCommand } from './config-check.js';
import { peopleCommands } from './people.js';
import { contactsCommand } from './contacts.js';
import { ledgerCommand, reportsCommand } from './money.js';
import { CliError } from './admin-client.js';
import { campaignsCommand } from './campaigns.js';
import { lifecycleCommands } from './lifecycle.js';
import { clusterCommand } from './cluster.js';

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
      const config = loadConfig(cliIo().env, cliIo().cwd);
      const h = await startHermod(config, { sampleData: config.sampleData, demoMms: config.demo });
      const host = config.server.host;
      say(`Hermod ${pkg.version} is running${config.demo ? ` (demo mode: listening on ${host} only)` : ''}.`);
      say(
        config.store.type === 'postgres'
          ? `  store:      PostgreSQL (schema ${config.store.schema})`
          : `  store:      SQLite at ${config.store.path}`,
      );
      // What runs: the store's definitions (the admin API's changes win over the file).
      for (const c of h.gateway.listConnectors().flatMap((k) => h.definitions.get(k.id) ?? [])) {
        say(
          `  connector:  ${c.id} (${c.type === 'smpp' ? `SMPP ${c.host}:${c.port} as "${c.systemId}"` : c.type === 'http' ? `HTTP ${new URL(c.url.replace(/\{\w+\}/g, 'x')).host}` : c.type === 'mm7' ? `MM7 ${new URL(c.url).host}` : c.type === 'telnyx' || c.type === 'twilio' ? `${c.type === 'telnyx' ? 'Telnyx' : 'Twilio'} API ${new URL(c.baseUrl).host}` : 'built-in SMSC simulator'})`,
        );
      }
      if (h.demoMms)
        say(
          `  MMSC:       ${h.demoMms.mmsc.url}  (built-in MMSC simulator: MMS go out over MM7, reports come back)`,
        );
      say(`  SMPP:       ${host}:${h.smppPort}${config.demo ? '  system_id "demo", password "demo"' : ''}`);
      if (h.smppTlsPort !== undefined) say(`  SMPP (TLS): ${host}:${h.smppTlsPort}`);
      say(`  HTTP:       http://${host}:${h.httpPort}  (Jasmin-compatible: /send /balance /rate /ping)`);
      if (h.kannelPort !== undefined)
        say(`  Kannel:     http://${host}:${h.kannelPort}/cgi-bin/sendsms  (Kannel-compatible)`);
      const keyHint =
        config.demo && config.admin.keys.includes(DEMO_ADMIN_KEY)
          ? `  admin key "${DEMO_ADMIN_KEY}" (demo)`
          : config.admin.keys.length
            ? ''
            : '  (closed: no admin.keys / HERMOD_ADMIN_KEY)';
      const adminAt =
        h.adminPort !== undefined ? `${config.server.adminHost}:${h.adminPort}` : `${host}:${h.apiPort}`;
      say(`  admin API:  http://${adminAt}/v1/admin${keyHint}`);
      if (h.adminPort !== undefined) say(`  metrics:    http://${adminAt}/metrics  (and /docs)`);
      say('');
      const { DEMO_API_KEY } = await import('../config/index.js');
      const api = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${h.apiPort}`;
      say(
        `  Console:    ${api}/${config.demo ? '  (sign in as demo / demo, or as the operator admin / admin)' : '  (create a sign-in with: npx hermod operators add EMAIL)'}`,
      );
      say(
        `  REST API:   ${api}/v1  (OpenAPI ${api}/openapi.json, docs ${api}/docs, ${api}/metrics, ${api}/readyz)`,
      );
      say('');
      say('Send a first message over REST:');
      const key = config.demo ? DEMO_API_KEY : '<your API key>';
      say(
        `  curl -s ${api}/v1/messages -H 'Authorization: Bearer ${key}' -H 'Content-Type: application/json' -d '{"to":"+447700900123","from":"Hermod","text":"Hello from Hermod"}'`,
      );
      const user = config.demo ? 'demo' : (config.users[0]?.username ?? 'USER');
      const password = config.demo ? 'demo' : 'PASSWORD';
      say('or over the Jasmin-compatible HTTP API (the answer is JSON: {"data":{"messageid":...}}):');
      say(
        `  curl -s http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${h.httpPort}/send -d username=${user} -d password=${password} -d to=447700900123 -d "content=Hello from Hermod"`,
      );
      say('or over SMPP (bind any SMPP client as transceiver to get receipts):');
      say(`  npx hermod send --port ${h.smppPort} --to 447700900123 --text "Hello from Hermod"`);
      if (h.demoMms) {
        say('Send an MMS (a picture, through the built-in MMSC over MM7, with its delivery report):');
        const mms = {
          to: '+447700900123',
          from: 'Hermod',
          text: 'A picture from Hermod',
          media_urls: [h.demoMms.pictureUrl],
        };
        say(
          `  curl -s ${api}/v1/messages -H 'Authorization: Bearer ${key}' -H 'Content-Type: application/json' -d '${JSON.stringify(mms)}'`,
        );
      }
      say(
        `Operate it with the CLI, e.g.  npx hermod connectors list --url http://${host}:${h.apiPort}${config.demo ? '' : ' --key <admin key>'}`,
      );
      const stop = async (signal: string) => {
        say(`${signal}: draining and shutting down`);
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
  program.addCommand(clusterCommand());

  return program;
}

/**
 * Runs `hermod` with argv (node's: the first two entries are skipped) and returns the exit
 * code, writing to io's streams and never calling process.exit: the binary passes the
 * process's own, tests run commands in-process. A long-running command (`start`,
 * `simulate`) resolves once it is up and keeps the process alive.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  return withIo(io, async (run) => {
    const program = buildProgram();
    configure(program, run.env);
    try {
      await program.parseAsync(argv);
      return run.exitCode;
    } catch (err) {
      // --help, --version and commander's usage errors (already printed through writeErr).
      if (err instanceof CommanderError) return err.exitCode;
      if (err instanceof CliError) {
        warn(`error: ${err.message}`);
        return err.exitCode;
      }
      // Configuration mistakes are the operator's to fix: say what and where, no stack trace.
      if (err instanceof HermodError && err.code === 'HERMOD_ERR_CONFIG') {
        warn(err.message);
        return 2;
      }
      throw err;
    }
  });
}

/**
 * Every command throws instead of exiting and writes to the run's streams; options with an
 * environment variable read it from the run's env (commander itself reads process.env, which
 * is the same object when the binary runs).
 */
function configure(cmd: Command, env: NodeJS.ProcessEnv): void {
  cmd.exitOverride().configureOutput({
    writeOut: (s) => void cliIo().stdout.write(s),
    writeErr: (s) => void cliIo().stderr.write(s),
    // A terminal's width, as commander measures process.stdout; 80 when piped.
    getOutHelpWidth: () => (cliIo().stdout as { columns?: number }).columns ?? 80,
    getErrHelpWidth: () => (cliIo().stderr as { columns?: number }).columns ?? 80,
  });
  for (const o of cmd.options) {
    const value = o.envVar === undefined ? undefined : env[o.envVar];
    if (value !== undefined) cmd.setOptionValueWithSource(o.attributeName(), value, 'env');
  }
  for (const sub of cmd.commands) configure(sub, env);
}
