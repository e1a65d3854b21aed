/**
 * Operator commands over the admin API: messages, users, groups, connectors, routes, optouts,
 * stats, webhooks (Jasmin's jCli and Kannel's admin verbs as subcommands). No business logic here:
 * one file per command group, the helpers they share in shared.ts.
 */
import type { Command } from 'commander';
import { messagesCommand } from './messages.js';
import { moCommand } from './mo.js';
import { usersCommand } from './users.js';
import { connectorsCommand } from './connectors.js';
import { routesCommand } from './routes.js';
import { optoutsCommand } from './optouts.js';
import { statsCommand } from './stats.js';
import { groupsCommand } from './groups.js';
import { webhooksCommand } from './webhooks.js';

export function adminCommands(): Command[] {
  return [
    messagesCommand(),
    moCommand(),
    usersCommand(),
    connectorsCommand(),
    routesCommand(),
    optoutsCommand(),
    statsCommand(),
    groupsCommand(),
    webhooksCommand(),
  ];
}
