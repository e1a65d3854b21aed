/**
 * `type: mm7` connectors (docs/configuration.md, docs/mms.md): an operator's MMSC over MM7.
 * Validated with key paths like the other connector types (validate.ts dispatches here);
 * its secrets (`password`, `inbound.password`) hidden in the admin API's views.
 */
import type { Mm7ConnectorOptions } from '../connectors/index.js';
import { describe, type Checker, type Obj } from './checker.js';
import { mmsMaxBytesOf } from './connector-mms.js';

/** The MM7 connector's options in the file's units (seconds). */
export interface Mm7ConnectorConfig extends Omit<Mm7ConnectorOptions, 'timeoutMs' | 'dlrExpiryMs'> {
  id: string;
  type: 'mm7';
  timeoutS: number;
  dlrExpiryS: number;
  /** As SmppConnectorConfig.dlrScope. */
  dlrScope?: string;
}

const VERSIONS = ['REL-5-MM7-1-2', 'REL-6-MM7-1-4'] as const;

/** The default body cap: the MM7 library's DEFAULT_LIMITS.maxBytes (8 MiB). */
export const MM7_DEFAULT_MAX_BYTES = 8 * 1024 * 1024;
/** The REST hooks route reads at most 16 MiB (src/http/provider-hooks.ts). */
const MM7_MAX_BYTES = 16 * 1024 * 1024;

const KEYS = [
  'id',
  'type',
  'url',
  'username',
  'password',
  'vaspId',
  'vasId',
  'serviceCode',
  'version',
  'soapAction',
  'timeoutS',
  'window',
  'throughput',
  'deliveryReport',
  'inbound',
  'maxBytes',
  'dlrExpiryS',
  'dlrScope',
  'mmsMaxBytes',
];

/** An optional non-empty string. */
function opt(c: Checker, o: Obj, key: string, p: string): string | undefined {
  return o[key] === undefined ? undefined : c.str(o, key, p);
}

/** `inbound`: the basic-auth credentials the MMSC calls Hermod with. */
function inboundOf(c: Checker, x: unknown, p: string): Mm7ConnectorConfig['inbound'] {
  const o = c.obj(x, p, ['username', 'password']);
  if (!o) return undefined;
  const username = c.str(o, 'username', p);
  const password = c.str(o, 'password', p);
  if (password !== undefined && password.length < 8)
    c.fail(`${p}.password`, 'at least 8 characters (it is all that guards the MM7 endpoint)');
  if (username?.includes(':')) c.fail(`${p}.username`, 'basic authentication user names cannot hold ":"');
  return username && password ? { username, password } : undefined;
}

export function checkMm7Connector(c: Checker, x: unknown, p: string): Mm7ConnectorConfig | undefined {
  const o = c.obj(x, p, KEYS);
  if (!o) return;
  const id = c.str(o, 'id', p);
  const url = c.str(o, 'url', p);
  if (url !== undefined && !/^https?:\/\/[^/]/.test(url))
    c.fail(`${p}.url`, `expected the MMSC's http:// or https:// MM7 URL, got ${describe(url)}`);
  else if (url !== undefined) {
    try {
      new URL(url);
    } catch {
      c.fail(`${p}.url`, `not a URL: ${describe(url)}`);
    }
  }
  const username = opt(c, o, 'username', p);
  const password =
    o.password === undefined
      ? undefined
      : typeof o.password === 'string'
        ? o.password
        : c.str(o, 'password', p);
  if (password !== undefined && username === undefined)
    c.fail(`${p}.password`, 'goes with username (HTTP basic authentication towards the MMSC)');
  const inbound = o.inbound === undefined ? undefined : inboundOf(c, o.inbound, `${p}.inbound`);
  let dlrScope: string | undefined;
  if (o.dlrScope !== undefined) {
    dlrScope = c.str(o, 'dlrScope', p);
    if (dlrScope !== undefined && dlrScope.length > 64) c.fail(`${p}.dlrScope`, 'at most 64 characters');
  }
  const def = {
    vaspId: opt(c, o, 'vaspId', p),
    vasId: opt(c, o, 'vasId', p),
    serviceCode: opt(c, o, 'serviceCode', p),
    version: c.oneOf(o, 'version', p, VERSIONS, 'REL-6-MM7-1-4') ?? 'REL-6-MM7-1-4',
    soapAction:
      o.soapAction === undefined
        ? undefined
        : typeof o.soapAction === 'string'
          ? o.soapAction
          : c.str(o, 'soapAction', p),
    timeoutS: c.num(o, 'timeoutS', p, { def: 30, min: 0.1, max: 600 }) ?? 30,
    window: c.num(o, 'window', p, { def: 10, min: 1, max: 1000, int: true }) ?? 10,
    throughput: o.throughput === undefined ? undefined : c.num(o, 'throughput', p, { min: 0.1 }),
    deliveryReport: c.bool(o, 'deliveryReport', p, true),
    maxBytes:
      c.num(o, 'maxBytes', p, {
        def: MM7_DEFAULT_MAX_BYTES,
        min: 64 * 1024,
        max: MM7_MAX_BYTES,
        int: true,
      }) ?? MM7_DEFAULT_MAX_BYTES,
    dlrExpiryS: c.num(o, 'dlrExpiryS', p, { def: 86_400, min: 0 }) ?? 86_400,
  };
  const mmsMaxBytes = mmsMaxBytesOf(c, o, p);
  if (!id || !url) return;
  const out: Mm7ConnectorConfig = { id, type: 'mm7', url, ...def };
  if (username !== undefined) out.username = username;
  if (password !== undefined) out.password = password;
  if (inbound) out.inbound = inbound;
  if (dlrScope !== undefined) out.dlrScope = dlrScope;
  if (mmsMaxBytes !== undefined) out.mmsMaxBytes = mmsMaxBytes;
  // Optional keys left out rather than written as undefined (the store keeps this form).
  for (const k of ['vaspId', 'vasId', 'serviceCode', 'soapAction', 'throughput'] as const)
    if (out[k] === undefined) delete out[k];
  return out;
}

/** The admin API's view of an MM7 connector (its top-level `password` already left out): `inbound.password` hidden. */
export function redactMm7(view: Obj, k: Mm7ConnectorConfig): Obj {
  return k.inbound ? { ...view, inbound: { ...k.inbound, password: '(hidden)' } } : view;
}

/**
 * An MM7 definition sent back to the admin API: a `password` left out, and an
 * `inbound.password` sent as `(hidden)`, keep the running connector's.
 */
export function keepMm7Secrets(o: Obj, existing: Mm7ConnectorConfig): Obj {
  const out = { ...o };
  if (o.password === undefined && (o.type ?? 'mm7') === 'mm7' && existing.password !== undefined)
    out.password = existing.password;
  const inbound = o.inbound;
  if (
    typeof inbound === 'object' &&
    inbound !== null &&
    (inbound as Obj).password === '(hidden)' &&
    existing.inbound
  )
    out.inbound = { ...(inbound as Obj), password: existing.inbound.password };
  return out;
}
