/**
 * The composition root: config → store → gateway → connectors → interfaces.
 * Today it hands argv to the CLI; the gateway is wired here as it lands.
 */
import { runCli } from './cli/program.js';

await runCli(process.argv);
