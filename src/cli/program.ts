import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { simulateCommand } from './simulate.js';

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
    .action(() => {
      console.log(`Hermod ${pkg.version}`);
      console.log('Built so far: the SMPP library (codec, text, receipts, sessions, client, server) and the SMSC simulator.');
      console.log('The gateway itself (store, routing, billing, HTTP APIs) is not wired yet.');
      console.log('');
      console.log('Try the simulator, then point any SMPP client at 127.0.0.1:2775 (any system_id/password):');
      console.log('  npx hermod simulate --port 2775 --latency 100-500 --undelivered 1 --delivered 9');
      console.log('  npx hermod simulate --help');
    });

  program.addCommand(simulateCommand());

  return program;
}

export async function runCli(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}
