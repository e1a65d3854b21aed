import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { simulateCommand } from './simulate.js';
import { sendCommand } from './send.js';

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
      const { startHermod, optionsFromEnv } = await import('../app.js');
      const opts = optionsFromEnv();
      const h = await startHermod(opts);
      console.log(`Hermod ${pkg.version} is running (demo mode: listening on ${opts.host} only).`);
      console.log(`  store:      SQLite at ${opts.dataDir}/hermod.db`);
      console.log(opts.upstream ? `  upstream:   SMPP ${opts.upstream.host}:${opts.upstream.port} as "${opts.upstream.systemId}"` : '  upstream:   the built-in SMSC simulator (receipts after 50-500 ms)');
      console.log(`  SMPP:       ${opts.host}:${h.smppPort}  system_id "demo", password "demo" (transceiver to get receipts)`);
      console.log('');
      console.log('Send a first message (or bind any SMPP client with demo/demo):');
      console.log(`  npx hermod send --port ${h.smppPort} --to 447700900123 --text "Hello from Hermod"`);
      console.log('Not built yet: the HTTP APIs (:1401, :8080), routing tables, the web console.');
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

  return program;
}

export async function runCli(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}
