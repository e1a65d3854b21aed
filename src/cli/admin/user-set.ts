/** `hermod users set` and its flag parsers: PATCH /v1/admin/users/{name}. */
import { Command, InvalidArgumentError } from 'commander';
import { AdminClient, apiCommand, printJson, printRecord, type ApiOptions } from '../admin-client.js';
import { type Obj } from './shared.js';

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
export function userSetCommand(): Command {
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
