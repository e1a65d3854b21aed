/**
 * The entry point (`npm start`, `bin/hermod.js`): hands argv to the CLI. `hermod start`
 * runs the composition root, `startHermod` in src/compose/.
 */
import { runCli } from './cli/program.js';

process.exitCode = await runCli(process.argv, { stdout: process.stdout, stderr: process.stderr });
