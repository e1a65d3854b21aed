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
      console.log('Built so far: the SMPP protocol library (src/smpp). The gateway is not wired yet.');
    });

  program.addCommand(simulateCommand());

  return program;
}

export async function runCli(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}
