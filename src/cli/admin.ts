/**
 * Operator commands over the admin API: messages, users, groups, connectors, routes, optouts,
 * stats, webhooks (Jasmin's jCli and Kannel's admin verbs as subcommands). No business logic here.
 */
import { say, warn, setExitCode } from './io.js';
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { parse as parseYaml } from 'yaml';
import {
  AdminClient,
  CliError,
  apiCommand,
  printJson,
  printRecord,
  printTable,
  type ApiOptions,
} from './admin-client.js';

type Obj = Record<string, unknown>;

const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
};

const seconds = (v: string): number => {
  const n = Number(v);
  if (!(n > 0)) throw new InvalidArgumentError('must be a number of seconds > 0');
  return n;
};

const smsCount = (v: string): number | null => {
  if (v === 'unlimited') return null;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError('must be a non-negative integer or "unlimited"');
  return n;
};

/** An account's own retention age: days, 0 (never) or "default" (the operator's, null). */
const days = (v: string): number | null => {
  if (v === 'default') return null;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError('must be a whole number of days, 0 (never) or "default"');
  return n;
};

const qs = (o: Record<string, string | number | undefined>): string => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) if (v !== undefined) p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
};

/** `--authorize httpSend=true,smppsBind=false`: authorization flags, merged over earlier ones. */
const authorizations = (v: string, prev: Record<string, boolean> = {}): Record<string, boolean> => {
  const out = { ...prev };
  for (const item of v
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0)) {
    const m = /^([A-Za-z]+)=(true|false|yes|no|on|off)$/i.exec(item);
    if (!m)
      throw new InvalidArgumentError(
        `"${item}": expected name=true or name=false (e.g. httpSend=true,smppsBind=false)`,
      );
    out[m[1]] = /^(true|yes|on)$/i.test(m[2]);
  }
  return out;
};

/** `--value-filter content=^hello` (repeatable: a regular expression may hold commas). */
const valueFilter = (v: string, prev: Record<string, string> = {}): Record<string, string> => {
  const eq = v.indexOf('=');
  if (eq < 1) throw new InvalidArgumentError(`"${v}": expected name=regex (e.g. destinationAddr=^44)`);
  return { ...prev, [v.slice(0, eq)]: v.slice(eq + 1) };
};

/** Messages per second, or "unlimited" (null). */
const perSecond = (v: string): number | null => {
  if (v === 'unlimited') return null;
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n))
    throw new InvalidArgumentError('must be messages per second > 0 or "unlimited"');
  return n;
};

/** A YAML or JSON file (YAML reads JSON too). */
function readDefinition(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`, 2);
  }
  try {
    return parseYaml(text) as unknown;
  } catch (err) {
    throw new CliError(`${file}: not YAML or JSON: ${(err as Error).message.split('\n')[0]}`, 2);
  }
}

/** A number given as a flag; left as text when it is not one, so the server names the key. */
const numberish = (v: string): number | string =>
  v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v;

const MESSAGE_COLUMNS = ['id', 'createdAt', 'user', 'from', 'to', 'state', 'connector', 'price', 'error'];

function messagesCommand(): Command {
  const cmd = new Command('messages').description('list, show and follow messages');
  cmd.addCommand(
    apiCommand('list', 'list messages, newest first')
      .option(
        '--state <state>',
        'only this state (queued, sent, delivered, undelivered, expired, rejected, failed, …)',
      )
      .option('--connector <id>', 'only this connector')
      .option('--user <username>', 'only this user')
      .option('--to <number>', 'only this destination')
      .option('--limit <n>', 'at most this many (1-500)', positiveInt, 50)
      .option('--before <cursor>', 'the next page: the cursor printed after the previous one')
      .action(
        async (
          o: ApiOptions & {
            state?: string;
            connector?: string;
            user?: string;
            to?: string;
            limit: number;
            before?: string;
          },
        ) => {
          const r = await new AdminClient(o).get<{ messages: Obj[]; nextCursor: string | null }>(
            `/messages${qs({ state: o.state, connector: o.connector, user: o.user, to: o.to, limit: o.limit, before: o.before })}`,
          );
          if (o.json) return printJson(r);
          printTable(r.messages, MESSAGE_COLUMNS);
          if (r.nextCursor) say(`more: --before ${r.nextCursor}`);
        },
      ),
  );
  cmd.addCommand(
    apiCommand('show', 'one message with its text and state history')
      .argument('<id>', 'message id')
      .action(async (id: string, o: ApiOptions) => {
        const m = await new AdminClient(o).get<Obj & { history: Obj[] }>(
          `/messages/${encodeURIComponent(id)}`,
        );
        if (o.json) return printJson(m);
        const { history, ...rest } = m;
        printRecord(rest);
        say('');
        printTable(history, ['at', 'state', 'detail']);
      }),
  );
  cmd.addCommand(
    apiCommand('tail', 'print new messages as they are accepted (Ctrl-C to stop)')
      .option('--interval <s>', 'seconds between polls', seconds, 1)
      .option('--max <n>', 'exit after this many messages', positiveInt)
      .action(async (o: ApiOptions & { interval: number; max?: number }) => {
        const api = new AdminClient(o);
        // Start from the newest message now: tail shows what comes after.
        const head = await api.get<{ messages: { id: string }[] }>('/messages?limit=1');
        let after = head.messages[0]?.id ?? '0';
        let seen = 0;
        warn(`following new messages at ${o.url} (every ${o.interval} s)`);
        if (!o.json) say(MESSAGE_COLUMNS.map((c) => c.toUpperCase()).join('  '));
        for (;;) {
          const r = await api.get<{ messages: (Obj & { id: string })[] }>(
            `/messages${qs({ after, limit: 500 })}`,
          );
          for (const m of r.messages) {
            say(
              o.json
                ? JSON.stringify(m)
                : MESSAGE_COLUMNS.map((c) => (m[c] === null || m[c] === undefined ? '-' : String(m[c]))).join(
                    '  ',
                  ),
            );
            after = m.id;
            if (o.max !== undefined && ++seen >= o.max) return;
          }
          if (r.messages.length < 500) await new Promise((res) => setTimeout(res, o.interval * 1000));
        }
      }),
  );
  return cmd;
}

const USER_COLUMNS = ['username', 'enabled', 'balance', 'rate'];

function usersCommand(): Command {
  const cmd = new Command('users').description(
    'customer accounts: list, show, add, change, credit, unbind, REST API keys',
  );
  cmd.addCommand(
    apiCommand('list', 'list users').action(async (o: ApiOptions) => {
      const r = await new AdminClient(o).get<{ users: Obj[] }>('/users');
      if (o.json) return printJson(r);
      printTable(r.users, USER_COLUMNS);
    }),
  );
  cmd.addCommand(
    apiCommand('show', 'one user')
      .argument('<username>')
      .action(async (username: string, o: ApiOptions) => {
        const u = await new AdminClient(o).get<Obj>(`/users/${encodeURIComponent(username)}`);
        if (o.json) return printJson(u);
        printRecord(u);
      }),
  );
  cmd.addCommand(
    apiCommand('add', 'create a user (its username is also its SMPP system_id)')
      .argument('<username>')
      .requiredOption('--password <password>', 'at most 8 characters (SMPP)')
      .option('--balance <amount>', 'initial credit', '0')
      .option('--rate <amount>', 'price per message part', '0')
      .option('--disabled', 'create it disabled')
      .action(
        async (
          username: string,
          o: ApiOptions & { password: string; balance: string; rate: string; disabled?: boolean },
        ) => {
          const u = await new AdminClient(o).request<Obj>('POST', '/users', {
            username,
            password: o.password,
            balance: o.balance,
            rate: o.rate,
            enabled: !o.disabled,
          });
          if (o.json) return printJson(u);
          say(`created ${username} (balance ${String(u.balance)}, rate ${String(u.rate)})`);
        },
      ),
  );
  cmd.addCommand(userSetCommand());
  cmd.addCommand(
    apiCommand('credit', 'add credit to a user (a negative amount takes it away)')
      .argument('<username>')
      .argument('<amount>', 'decimal, e.g. 25 or 0.5')
      .option('--note <text>', 'shown in the ledger (an invoice number, a reason)')
      .action(async (username: string, amount: string, o: ApiOptions & { note?: string }) => {
        const u = await new AdminClient(o).request<Obj>(
          'POST',
          `/users/${encodeURIComponent(username)}/credit`,
          { amount, ...(o.note !== undefined ? { note: o.note } : {}) },
        );
        if (o.json) return printJson(u);
        say(`${username}: balance ${String(u.balance)}`);
      }),
  );
  cmd.addCommand(
    apiCommand(
      'unbind',
      'end every SMPP bind of a user now (disable the user, or set settings.access, to keep them out)',
    )
      .argument('<username>')
      .action(async (username: string, o: ApiOptions) => {
        const r = await new AdminClient(o).request<{ username: string; unbound: number }>(
          'POST',
          `/users/${encodeURIComponent(username)}/unbind`,
        );
        if (o.json) return printJson(r);
        say(`${username}: ${r.unbound} bind${r.unbound === 1 ? '' : 's'} ended`);
      }),
  );
  cmd.addCommand(apiKeysCommand());
  return cmd;
}

/** The flags of `hermod users set`. */
interface UserSetFlags {
  password?: string;
  rate?: string;
  enable?: boolean;
  disable?: boolean;
  group?: string;
  smsCount?: number | null;
  allowFrom?: string;
  maxBinds?: number | null;
  authorize?: Record<string, boolean>;
  valueFilter?: Record<string, string>;
  throughputSmpp?: number | null;
  throughputHttp?: number | null;
  defaultSource?: string;
  redactAfterDays?: number | null;
  deleteAfterDays?: number | null;
}

/** `hermod users set`: PATCH /users/{name} with the settings its flags name, merged over the current ones. */
function userSetCommand(): Command {
  return apiCommand(
    'set',
    'change a user: password, rate, enabled, group, SMS-count quota, authorizations, value filters, throughput, default source, allowed addresses, bind cap, retention ages',
  )
    .argument('<username>')
    .option('--password <password>')
    .option('--rate <amount>')
    .option('--enable', 'allow it to bind and send')
    .option('--disable', 'refuse its binds and messages')
    .option('--group <id>', 'put it in this group ("none" for no group)')
    .option('--sms-count <n>', 'SMS parts it may still send ("unlimited" for no quota)', smsCount)
    .option(
      '--allow-from <list>',
      'addresses and CIDR ranges its SMPP binds and HTTP requests may come from, comma-separated ("any" for anywhere)',
    )
    .option('--max-binds <n>', 'simultaneous SMPP binds at most ("unlimited" for no cap)', smsCount)
    .option(
      '--authorize <list>',
      'authorizations, comma-separated name=true|false: httpSend, httpBalance, httpRate, smppsSend, smppsBind, longContent, dlrLevel, dlrMethod, sourceAddr, priority, validityPeriod, schedule, hexContent (repeatable; others are kept)',
      authorizations,
    )
    .option(
      '--value-filter <name=regex>',
      'a value filter: sourceAddr, destinationAddr, content, priority or validityPeriod must match the regex ("name=.*" for anything; repeatable)',
      valueFilter,
    )
    .option(
      '--throughput-smpp <n>',
      'messages per second over SMPP at most ("unlimited" for no cap)',
      perSecond,
    )
    .option(
      '--throughput-http <n>',
      'messages per second over HTTP at most ("unlimited" for no cap)',
      perSecond,
    )
    .option('--default-source <addr>', 'the source address used when a message gives none ("none" to clear)')
    .option(
      '--redact-after-days <n>',
      'its own retention: days before its messages are redacted (0 = never, "default" = the operator\'s)',
      days,
    )
    .option(
      '--delete-after-days <n>',
      'its own retention: days before its messages are deleted (0 = never, "default" = the operator\'s)',
      days,
    )
    .addHelpText(
      'after',
      '\nSettings are merged over the current ones: what a flag does not name is kept. Example:\n  hermod users set shop --authorize httpSend=true,smppsBind=false --value-filter destinationAddr=^44 --throughput-http 50 --default-source Shop',
    )
    .action(async (username: string, o: ApiOptions & UserSetFlags) => {
      const body = userPatch(o);
      const u = await new AdminClient(o).request<Obj>(
        'PATCH',
        `/users/${encodeURIComponent(username)}`,
        body,
      );
      if (o.json) return printJson(u);
      printRecord(u);
    });
}

/** The PATCH body of `hermod users set`: only what a flag names. */
function userPatch(o: UserSetFlags): Obj {
  const body: Obj = {};
  if (o.password !== undefined) body.password = o.password;
  if (o.rate !== undefined) body.rate = o.rate;
  if (o.enable) body.enabled = true;
  if (o.disable) body.enabled = false;
  if (o.group !== undefined) body.group = o.group === 'none' ? null : o.group;
  if (o.smsCount !== undefined) body.smsCount = o.smsCount;
  const access: Obj = {};
  if (o.allowFrom !== undefined)
    access.allowFrom =
      o.allowFrom === 'any'
        ? []
        : o.allowFrom
            .split(',')
            .map((a) => a.trim())
            .filter((a) => a.length > 0);
  if (o.maxBinds !== undefined) access.maxBinds = o.maxBinds;
  const settings: Obj = {};
  if (Object.keys(access).length > 0) settings.access = access;
  if (o.authorize !== undefined) settings.authorizations = o.authorize;
  if (o.valueFilter !== undefined) settings.valueFilters = o.valueFilter;
  const throughput: Obj = {};
  if (o.throughputSmpp !== undefined) throughput.smpp = o.throughputSmpp;
  if (o.throughputHttp !== undefined) throughput.http = o.throughputHttp;
  if (Object.keys(throughput).length > 0) settings.throughput = throughput;
  if (o.defaultSource !== undefined)
    settings.defaults = { sourceAddr: o.defaultSource === 'none' ? null : o.defaultSource };
  const retention: Obj = {};
  if (o.redactAfterDays !== undefined) retention.redactAfterDays = o.redactAfterDays;
  if (o.deleteAfterDays !== undefined) retention.deleteAfterDays = o.deleteAfterDays;
  if (Object.keys(retention).length > 0) settings.retention = retention;
  if (Object.keys(settings).length > 0) body.settings = settings;
  return body;
}

/** `hermod users keys`: a user's REST API keys (POST/GET/DELETE /users/{name}/api-keys). */
function apiKeysCommand(): Command {
  const cmd = new Command('keys').description(
    "a user's REST API keys: create one (shown once), list them, revoke one",
  );
  const path = (username: string) => `/users/${encodeURIComponent(username)}/api-keys`;
  cmd.addCommand(
    apiCommand(
      'add',
      'create a REST API key for a user and print it: it is shown this once (Hermod keeps only its hash)',
    )
      .argument('<username>')
      .option('--label <text>', 'a note to tell the key by (e.g. where it is used)')
      .action(async (username: string, o: ApiOptions & { label?: string }) => {
        const k = await new AdminClient(o).request<{
          id: number;
          label: string | null;
          createdAt: string;
          key: string;
        }>('POST', path(username), o.label === undefined ? {} : { label: o.label });
        if (o.json) return printJson(k);
        say(k.key);
        warn(
          `key ${k.id} of ${username}${k.label === null ? '' : ` (${k.label})`}: store it now, it is not shown again`,
        );
      }),
  );
  cmd.addCommand(
    apiCommand('list', "a user's keys that are not revoked: ids, labels, creation times (never the key)")
      .argument('<username>')
      .action(async (username: string, o: ApiOptions) => {
        const r = await new AdminClient(o).get<{ apiKeys: Obj[] }>(path(username));
        if (o.json) return printJson(r);
        printTable(r.apiKeys, ['id', 'label', 'createdAt']);
      }),
  );
  cmd.addCommand(
    apiCommand('revoke', 'revoke a key: refused from the next request on')
      .argument('<username>')
      .argument('<id>', 'the key id (hermod users keys list)', positiveInt)
      .action(async (username: string, id: number, o: ApiOptions) => {
        await new AdminClient(o).request('DELETE', `${path(username)}/${id}`);
        if (o.json) return printJson({ username, id, revoked: true });
        say(`${username}: key ${id} revoked`);
      }),
  );
  return cmd;
}

interface ConnectorRow extends Obj {
  id: string;
  window: { inUse: number; size: number };
  throughput: { perSecond: number; limit: number | null };
  counters: Record<string, number>;
}

const connectorRow = (c: ConnectorRow) => ({
  id: c.id,
  type: c.type,
  state: c.state,
  window: `${c.window.inUse}/${c.window.size}`,
  'msg/s': c.throughput.perSecond.toFixed(1),
  queue: c.queueDepth,
  submits: c.counters.submits,
  errors: c.counters.errors,
  receipts: c.counters.receipts,
  remote: c.remote,
});

/** The flags of `hermod connectors set`. */
interface ConnectorSetFlags {
  file?: string;
  type?: string;
  host?: string;
  port?: number | string;
  systemId?: string;
  password?: string;
  systemType?: string;
  window?: number | string;
  throughput?: number | string;
  tls?: boolean;
  endpoint?: string;
}

/** `hermod connectors set`: PUT /connectors/{id} with the definition of --file, flags over it. */
function connectorSetCommand(): Command {
  return apiCommand(
    'set',
    'create or replace a connector at runtime (kept in the store: it wins over the file at restart)',
  )
    .argument('<id>', 'connector id')
    .option('--file <file>', 'the definition: one entry of `connectors:` in hermod.yaml, as YAML or JSON')
    .option('--type <type>', 'smpp, simulator or http')
    .option(
      '--endpoint <url>',
      "http: the provider's endpoint (its url key); params, messageId and the rest come from --file",
    )
    .option('--host <host>', 'smpp: the SMSC host')
    .option('--port <port>', 'smpp: the SMSC port', numberish)
    .option('--system-id <id>', 'smpp: bind system_id')
    .option('--password <password>', 'smpp: bind password (left out when replacing: the stored one is kept)')
    .option('--system-type <type>', 'smpp: bind system_type')
    .option('--window <n>', 'smpp: submits in flight', numberish)
    .option('--throughput <n>', 'smpp: submits per second at most', numberish)
    .option('--tls', 'smpp: connect with TLS')
    .addHelpText(
      'after',
      '\nFlags override the same keys of --file. Example:\n  hermod connectors set up --type smpp --host smsc.example --port 2775 --system-id hermod --password s3cret',
    )
    .action(async (id: string, o: ApiOptions & ConnectorSetFlags) => {
      const fromFile = o.file === undefined ? {} : readDefinition(o.file);
      if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile))
        throw new CliError(
          `${o.file}: expected a mapping (one connector), got ${Array.isArray(fromFile) ? 'a list' : typeof fromFile}`,
          2,
        );
      const flags = {
        type: o.type,
        url: o.endpoint,
        host: o.host,
        port: o.port,
        systemId: o.systemId,
        password: o.password,
        systemType: o.systemType,
        window: o.window,
        throughput: o.throughput,
        tls: o.tls,
      };
      const body = {
        ...(fromFile as Obj),
        ...Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)),
      };
      const r = await new AdminClient(o).send<ConnectorRow>(
        'PUT',
        `/connectors/${encodeURIComponent(id)}`,
        body,
      );
      if (o.json) return printJson(r.body);
      say(`${id}: ${r.status === 201 ? 'created' : 'replaced'} (${String(r.body.state)})`);
    });
}

function connectorsCommand(): Command {
  const cmd = new Command('connectors').description(
    'upstream connectors: live status, add, change, remove, start and stop at runtime',
  );
  cmd.addCommand(
    apiCommand(
      'list',
      'connectors with bind state, window in use, throughput, counters and queue depth',
    ).action(async (o: ApiOptions) => {
      const r = await new AdminClient(o).get<{ connectors: ConnectorRow[] }>('/connectors');
      if (o.json) return printJson(r);
      printTable(r.connectors.map(connectorRow), [
        'id',
        'type',
        'state',
        'window',
        'msg/s',
        'queue',
        'submits',
        'errors',
        'receipts',
        'remote',
      ]);
    }),
  );
  cmd.addCommand(
    apiCommand('show', 'one connector: live status and the definition it runs with (never its password)')
      .argument('<id>', 'connector id')
      .action(async (id: string, o: ApiOptions) => {
        const c = await new AdminClient(o).get<ConnectorRow>(`/connectors/${encodeURIComponent(id)}`);
        if (o.json) return printJson(c);
        printRecord(c);
      }),
  );
  cmd.addCommand(connectorSetCommand());
  cmd.addCommand(
    apiCommand(
      'remove',
      'remove a connector for good (refused while a route names it or messages are queued for it)',
    )
      .argument('<id>', 'connector id')
      .action(async (id: string, o: ApiOptions) => {
        await new AdminClient(o).request('DELETE', `/connectors/${encodeURIComponent(id)}`);
        if (o.json) return printJson({ id, removed: true });
        say(`${id}: removed`);
      }),
  );
  for (const verb of ['start', 'stop'] as const) {
    cmd.addCommand(
      apiCommand(
        verb,
        verb === 'start'
          ? 'bind a stopped connector again'
          : 'unbind a connector (its queue is kept; routes prefer others meanwhile)',
      )
        .argument('<id>', 'connector id')
        .action(async (id: string, o: ApiOptions) => {
          const c = await new AdminClient(o).request<ConnectorRow>(
            'POST',
            `/connectors/${encodeURIComponent(id)}/${verb}`,
          );
          if (o.json) return printJson(c);
          say(`${id}: ${String(c.state)}`);
        }),
    );
  }
  return cmd;
}

/** A route list file's list: the document itself, or its `key` (a hermod.yaml works). */
const listIn = (doc: unknown, key: string): unknown =>
  Array.isArray(doc) ? doc : typeof doc === 'object' && doc !== null ? (doc as Obj)[key] : undefined;

type MtRoutes = { routes: (Obj & { prefixes: string[]; connectors: string[] })[] };

function printMtRoutes(o: ApiOptions, r: MtRoutes, verb?: 'set'): void {
  if (o.json) return printJson(r);
  if (verb) say(`${r.routes.length} route${r.routes.length === 1 ? '' : 's'} set:`);
  printTable(
    r.routes.map((x) => ({
      ...x,
      prefixes: x.prefixes.length ? x.prefixes.join(',') : '(any)',
      connectors: x.connectors.join(','),
    })),
    ['position', 'name', 'type', 'prefixes', 'connectors', 'rate'],
  );
}

type MoRoutes = {
  moRoutes: (Obj & {
    position: number;
    prefixes?: string[];
    originConnectors?: string[];
    user?: string;
    url?: string;
  })[];
  source: string | null;
};

function printMoRoutes(o: ApiOptions, r: MoRoutes, verb?: 'set'): void {
  if (o.json) return printJson(r);
  if (verb) say(`${r.moRoutes.length} MO route${r.moRoutes.length === 1 ? '' : 's'} set:`);
  printTable(
    r.moRoutes.map((x) => ({
      ...x,
      prefixes: x.prefixes?.length ? x.prefixes.join(',') : '(any)',
      origin: x.originConnectors?.join(',') ?? '(any)',
      target: x.user !== undefined ? `user ${x.user}` : `${String(x.method ?? 'POST')} ${x.url ?? ''}`,
    })),
    ['position', 'name', 'prefixes', 'origin', 'target'],
  );
}

function routesCommand(): Command {
  const cmd = new Command('routes').description(
    'MT routes: the ordered table, replace it, and "test a number"; MO routes with --mo',
  );
  cmd.addCommand(
    apiCommand('list', 'routes in order (first match wins)')
      .option('--mo', 'the MO routes (replies and inbound messages) instead')
      .action(async (o: ApiOptions & { mo?: boolean }) => {
        if (o.mo) return printMoRoutes(o, await new AdminClient(o).get<MoRoutes>('/mo-routes'));
        printMtRoutes(o, await new AdminClient(o).get<MtRoutes>('/routes'));
      }),
  );
  cmd.addCommand(
    apiCommand(
      'set',
      'replace the whole ordered route list at runtime (kept in the store: it wins over the file at restart)',
    )
      .requiredOption(
        '--file <file>',
        'the routes as YAML or JSON: a list, or a mapping with `routes:` (as in hermod.yaml)',
      )
      .option('--mo', 'set the MO routes instead (a list, or a mapping with `moRoutes:`)')
      .action(async (o: ApiOptions & { file: string; mo?: boolean }) => {
        const doc = readDefinition(o.file);
        if (o.mo) {
          const moRoutes = listIn(doc, 'moRoutes');
          if (moRoutes === undefined)
            throw new CliError(`${o.file}: expected a list of MO routes or a mapping with moRoutes:`, 2);
          return printMoRoutes(
            o,
            await new AdminClient(o).request<MoRoutes>('PUT', '/mo-routes', { moRoutes }),
            'set',
          );
        }
        const routes = listIn(doc, 'routes');
        if (routes === undefined)
          throw new CliError(`${o.file}: expected a list of routes or a mapping with routes:`, 2);
        printMtRoutes(o, await new AdminClient(o).request<MtRoutes>('PUT', '/routes', { routes }), 'set');
      }),
  );
  cmd.addCommand(
    apiCommand('test', 'which route, connectors and price a number gets')
      .argument('<number>', 'destination number')
      .option('--user <username>', 'route and price as this user would send it')
      .option('--from <sender>', 'source address (routes may filter on it)')
      .option('--text <text>', 'message text (content filters; parts and total price)')
      .action(async (number: string, o: ApiOptions & { user?: string; from?: string; text?: string }) => {
        const r = await new AdminClient(o).get<{
          to: string;
          routable: boolean;
          reason: string | null;
          route: Obj | null;
          connectors: { id: string; ready: boolean }[];
          price: string | null;
          priceSource: string | null;
          parts: number | null;
          total: string | null;
        }>(`/routes/test${qs({ to: number, user: o.user, from: o.from, text: o.text })}`);
        if (o.json) return printJson(r);
        if (!r.routable) {
          say(`${r.to}: ${r.reason ?? 'no route'}`);
          setExitCode(3);
          return;
        }
        printRecord({
          to: r.to,
          route: r.route
            ? `${String(r.route.name)} (#${String(r.route.position)}, ${String(r.route.type)})`
            : '(default: first connector)',
          connectors: r.connectors.map((c) => `${c.id}${c.ready ? '' : ' (down)'}`).join(', '),
          price:
            r.price === null
              ? '(the user’s rate: give --user)'
              : `${r.price} per part (${String(r.priceSource)})`,
          ...(r.parts !== null ? { parts: r.parts, total: r.total } : {}),
        });
      }),
  );
  return cmd;
}

function optoutsCommand(): Command {
  const cmd = new Command('optouts').description(
    'numbers that opted out of a sender (STOP keywords or by hand)',
  );
  cmd.addCommand(
    apiCommand('list', 'opt-outs')
      .option('--msisdn <number>', 'only this number')
      .option('--limit <n>', 'at most this many', positiveInt, 1000)
      .action(async (o: ApiOptions & { msisdn?: string; limit: number }) => {
        const r = await new AdminClient(o).get<{ optouts: Obj[] }>(
          `/optouts${qs({ msisdn: o.msisdn, limit: o.limit })}`,
        );
        if (o.json) return printJson(r);
        printTable(r.optouts, ['msisdn', 'sender', 'at']);
      }),
  );
  cmd.addCommand(
    apiCommand('add', 'opt a number out of a sender')
      .argument('<msisdn>')
      .argument('<sender>', 'the sender (short code, number or alphanumeric id) it no longer receives from')
      .action(async (msisdn: string, sender: string, o: ApiOptions) => {
        const r = await new AdminClient(o).request<Obj>('POST', '/optouts', { msisdn, sender });
        if (o.json) return printJson(r);
        say(`${String(r.msisdn)} opted out of ${sender}`);
      }),
  );
  cmd.addCommand(
    apiCommand('remove', 'remove an opt-out')
      .argument('<msisdn>')
      .argument('<sender>')
      .action(async (msisdn: string, sender: string, o: ApiOptions) => {
        await new AdminClient(o).request('DELETE', `/optouts/${encodeURIComponent(msisdn)}${qs({ sender })}`);
        if (o.json) return printJson({ msisdn, sender, removed: true });
        say(`${msisdn} may receive from ${sender} again`);
      }),
  );
  return cmd;
}

function statsCommand(): Command {
  return apiCommand('stats', 'messages by state and connector, queue depth, MO count').action(
    async (o: ApiOptions) => {
      const s = await new AdminClient(o).get<{
        messages: {
          total: number;
          byState: Record<string, number>;
          byConnector: Record<string, Record<string, number>>;
        };
        queue: { depth: number; byConnector: Record<string, number> };
        mo: { count: number };
        connectors: { total: number; bound: number };
      }>('/stats');
      if (o.json) return printJson(s);
      say(
        `messages: ${s.messages.total}   queue: ${s.queue.depth}   MO: ${s.mo.count}   connectors bound: ${s.connectors.bound}/${s.connectors.total}`,
      );
      const states = [
        ...new Set(Object.values(s.messages.byConnector).flatMap((x) => Object.keys(x))),
      ].sort();
      const rows = Object.entries(s.messages.byConnector).map(([id, counts]) => ({
        connector: id,
        queue: s.queue.byConnector[id] ?? 0,
        ...Object.fromEntries(states.map((st) => [st, counts[st] ?? 0])),
      }));
      say('');
      printTable(rows, ['connector', 'queue', ...states]);
    },
  );
}

function groupsCommand(): Command {
  const cmd = new Command('groups').description(
    "user groups: list, create or change (a disabled group refuses its users' messages)",
  );
  cmd.addCommand(
    apiCommand('list', 'list groups with their number of users').action(async (o: ApiOptions) => {
      const r = await new AdminClient(o).get<{ groups: Obj[] }>('/groups');
      if (o.json) return printJson(r);
      printTable(r.groups, ['id', 'enabled', 'users', 'description']);
    }),
  );
  cmd.addCommand(
    apiCommand('set', 'create a group or change it (omitted fields are kept)')
      .argument('<id>')
      .option('--description <text>')
      .option('--enable', 'its users may send')
      .option('--disable', "refuse its users' messages")
      .action(
        async (id: string, o: ApiOptions & { description?: string; enable?: boolean; disable?: boolean }) => {
          const body: Obj = {};
          if (o.description !== undefined) body.description = o.description;
          if (o.enable) body.enabled = true;
          if (o.disable) body.enabled = false;
          const g = await new AdminClient(o).request<Obj>('PUT', `/groups/${encodeURIComponent(id)}`, body);
          if (o.json) return printJson(g);
          printRecord(g);
        },
      ),
  );
  return cmd;
}

function webhooksCommand(): Command {
  const cmd = new Command('webhooks').description('outbound callbacks: the delivery log and the outbox');
  cmd.addCommand(
    apiCommand('log', 'delivery attempts, newest first (url, attempt, HTTP status or error, duration)')
      .option('--message <id>', "only this message's events")
      .option('--limit <n>', 'at most this many (1-1000)', positiveInt, 100)
      .action(async (o: ApiOptions & { message?: string; limit: number }) => {
        const r = await new AdminClient(o).get<{ attempts: Obj[] }>(
          `/webhooks/log${qs({ messageId: o.message, limit: o.limit })}`,
        );
        if (o.json) return printJson(r);
        printTable(r.attempts, [
          'at',
          'messageId',
          'eventId',
          'attempt',
          'status',
          'durationMs',
          'url',
          'error',
        ]);
      }),
  );
  cmd.addCommand(
    apiCommand('pending', 'callbacks not delivered yet, oldest first, with attempts and next try')
      .option('--limit <n>', 'at most this many (1-1000)', positiveInt, 100)
      .action(async (o: ApiOptions & { limit: number }) => {
        const r = await new AdminClient(o).get<{ total: number; pending: Obj[] }>(
          `/webhooks/pending${qs({ limit: o.limit })}`,
        );
        if (o.json) return printJson(r);
        say(`pending: ${r.total}`);
        printTable(r.pending, [
          'eventId',
          'kind',
          'messageId',
          'attempts',
          'nextAttemptAt',
          'url',
          'lastError',
        ]);
      }),
  );
  return cmd;
}

/** `hermod mo list`: inbound messages of every kind (GET /v1/admin/inbound). */
function moCommand(): Command {
  const cmd = new Command('mo').description(
    'inbound messages (MO): routed to a customer, to a URL, or by no route',
  );
  cmd.addCommand(
    apiCommand('list', 'inbound messages, newest first, routed or not')
      .option('--unrouted', 'only those no MO route took (stored, delivered to nobody)')
      .option('--routed', 'only those an MO route took (to a customer or a URL)')
      .option('--from <number>', 'only from this handset')
      .option('--to <number>', 'only to this number or short code of ours')
      .option('--connector <id>', 'only those that arrived on this connector')
      .option('--user <username>', 'only those routed to this customer')
      .option('--limit <n>', 'at most this many (1-500)', positiveInt, 50)
      .option('--cursor <cursor>', 'the next page: the cursor printed after the previous one')
      .action(
        async (
          o: ApiOptions & {
            unrouted?: boolean;
            routed?: boolean;
            from?: string;
            to?: string;
            connector?: string;
            user?: string;
            limit: number;
            cursor?: string;
          },
        ) => {
          if (o.unrouted && o.routed) throw new CliError('give --routed or --unrouted, not both', 2);
          const routed = o.unrouted ? 'false' : o.routed ? 'true' : undefined;
          const r = await new AdminClient(o).get<{ inbound: Obj[]; nextCursor: string | null }>(
            `/inbound${qs({ routed, from: o.from, to: o.to, connector: o.connector, user: o.user, limit: o.limit, cursor: o.cursor })}`,
          );
          if (o.json) return printJson(r);
          printTable(
            r.inbound.map((m) => ({
              ...m,
              target:
                m.routedTo !== null
                  ? `user ${String(m.routedTo)}`
                  : m.routedUrl !== null
                    ? `url ${String(m.routedUrl)}`
                    : '(no route)',
            })),
            ['id', 'receivedAt', 'connector', 'from', 'to', 'target', 'text'],
          );
          if (r.nextCursor) say(`more: --cursor ${r.nextCursor}`);
        },
      ),
  );
  return cmd;
}

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
