/**
 * `type: telnyx` and `type: twilio`: provider APIs with presets (docs/providers.md). Their
 * definitions, checked with the file's rules (validate.ts dispatches here), shown without
 * their secrets, and the secrets GET hid put back when a definition is sent back.
 */
import { telnyxPublicKey } from '../lib/provider-signatures.js';
import { Checker, describe, type Obj } from './checker.js';
import { mmsMaxBytesOf } from './connector-mms.js';

/** What both provider connectors take besides their credentials. */
interface ProviderConnectorBase {
  id: string;
  /** The provider's API origin (default its public one; the provider simulator's in tests). */
  baseUrl: string;
  /**
   * Where the provider reaches this Hermod's REST port (its webhooks go to
   * `<hookBaseUrl>/v1/hooks/connectors/<id>/<type>`); unset: the configuration's `media.publicUrl`.
   */
  hookBaseUrl?: string;
  /** How long the signed media URLs handed to the provider stay valid. */
  mediaUrlTtlS: number;
  window: number;
  throughput?: number;
  timeoutS: number;
  dlrExpiryS: number;
  /** As SmppConnectorConfig.dlrScope. */
  dlrScope?: string;
  /** Total media bytes of one MMS it takes (absent: `media.maxMessageBytes`; docs/mms.md). */
  mmsMaxBytes?: number;
}

export interface TelnyxConnectorConfig extends ProviderConnectorBase {
  type: 'telnyx';
  /** API v2 key (Bearer). */
  apiKey: string;
  /** The account's webhook public key, base64 (Ed25519, 32 bytes). */
  publicKey: string;
  messagingProfileId?: string;
}

export interface TwilioConnectorConfig extends ProviderConnectorBase {
  type: 'twilio';
  accountSid: string;
  authToken: string;
  messagingServiceSid?: string;
}

export type ProviderConnectorConfig = TelnyxConnectorConfig | TwilioConnectorConfig;

export const PROVIDER_TYPES = ['telnyx', 'twilio'] as const;

const COMMON_KEYS = [
  'id',
  'type',
  'baseUrl',
  'hookBaseUrl',
  'mediaUrlTtlS',
  'window',
  'throughput',
  'timeoutS',
  'dlrExpiryS',
  'dlrScope',
  'mmsMaxBytes',
];

const DEFAULT_BASE = { telnyx: 'https://api.telnyx.com', twilio: 'https://api.twilio.com' } as const;

/** One `telnyx` or `twilio` connector at `p`; undefined (with issues recorded) when invalid. */
export function checkProviderConnector(
  c: Checker,
  x: unknown,
  p: string,
): ProviderConnectorConfig | undefined {
  const type = (x as Obj).type as 'telnyx' | 'twilio';
  const own =
    type === 'telnyx'
      ? ['apiKey', 'publicKey', 'messagingProfileId']
      : ['accountSid', 'authToken', 'messagingServiceSid'];
  const o = c.obj(x, p, [...COMMON_KEYS, ...own]);
  if (!o) return;
  const common = commonOf(c, o, p, type);
  if (type === 'telnyx') {
    const apiKey = c.str(o, 'apiKey', p);
    const publicKey = c.str(o, 'publicKey', p);
    if (publicKey !== undefined) {
      try {
        telnyxPublicKey(publicKey);
      } catch (err) {
        c.fail(
          `${p}.publicKey`,
          `${(err as Error).message} (Mission Control → Keys & Credentials → Public Key)`,
        );
      }
    }
    const profile = o.messagingProfileId === undefined ? undefined : c.str(o, 'messagingProfileId', p);
    if (!common || !apiKey || !publicKey) return;
    return { ...common, type, apiKey, publicKey, ...(profile ? { messagingProfileId: profile } : {}) };
  }
  const accountSid = c.str(o, 'accountSid', p);
  if (accountSid !== undefined && !/^AC[0-9a-fA-F]{32}$/.test(accountSid))
    c.fail(`${p}.accountSid`, `expected AC and 32 hex digits, got ${describe(accountSid)}`);
  const authToken = c.str(o, 'authToken', p);
  const service = o.messagingServiceSid === undefined ? undefined : c.str(o, 'messagingServiceSid', p);
  // Twilio signs the public URL it requested: without `hookBaseUrl` the connector uses
  // `media.publicUrl`, which must then be exactly the origin Twilio calls (docs/providers.md).
  if (!common || !accountSid || !authToken) return;
  return { ...common, type, accountSid, authToken, ...(service ? { messagingServiceSid: service } : {}) };
}

function commonOf(
  c: Checker,
  o: Obj,
  p: string,
  type: 'telnyx' | 'twilio',
): Omit<ProviderConnectorBase, never> | undefined {
  const id = c.str(o, 'id', p);
  const baseUrl = urlOf(c, o, 'baseUrl', p) ?? DEFAULT_BASE[type];
  const hookBaseUrl = o.hookBaseUrl === undefined ? undefined : urlOf(c, o, 'hookBaseUrl', p);
  let dlrScope: string | undefined;
  if (o.dlrScope !== undefined) {
    dlrScope = c.str(o, 'dlrScope', p);
    if (dlrScope !== undefined && dlrScope.length > 64) c.fail(`${p}.dlrScope`, 'at most 64 characters');
  }
  const mmsMaxBytes = mmsMaxBytesOf(c, o, p);
  if (!id) return;
  return {
    id,
    baseUrl,
    ...(hookBaseUrl ? { hookBaseUrl } : {}),
    mediaUrlTtlS: c.num(o, 'mediaUrlTtlS', p, { def: 3600, min: 60, max: 7 * 86_400, int: true }) ?? 3600,
    window: c.num(o, 'window', p, { def: 10, min: 1, max: 1000, int: true }) ?? 10,
    ...(o.throughput === undefined ? {} : { throughput: c.num(o, 'throughput', p, { min: 0.1 }) ?? 1 }),
    timeoutS: c.num(o, 'timeoutS', p, { def: 10, min: 0.1 }) ?? 10,
    dlrExpiryS: c.num(o, 'dlrExpiryS', p, { def: 86_400, min: 0 }) ?? 86_400,
    ...(dlrScope ? { dlrScope } : {}),
    ...(mmsMaxBytes !== undefined ? { mmsMaxBytes } : {}),
  };
}

/** An http(s) URL at `p.key` without a query or fragment; undefined when absent or wrong. */
function urlOf(c: Checker, o: Obj, key: string, p: string): string | undefined {
  if (o[key] === undefined) return undefined;
  const v = c.str(o, key, p);
  if (v === undefined) return undefined;
  try {
    const u = new URL(v);
    if ((u.protocol === 'http:' || u.protocol === 'https:') && !u.search && !u.hash)
      return v.replace(/\/+$/, '');
  } catch {
    // reported below
  }
  c.fail(`${p}.${key}`, `expected an http:// or https:// URL without a query, got ${describe(v)}`);
  return undefined;
}

const SECRETS = { telnyx: ['apiKey'], twilio: ['authToken'] } as const;

/** A provider connector as GET shows it: its API key or auth token `(hidden)`. */
export function redactProviderConnector(k: ProviderConnectorConfig, shown: Obj): Obj {
  const out = { ...shown };
  for (const s of SECRETS[k.type]) out[s] = '(hidden)';
  return out;
}

/** A definition sent back with the secrets GET hid: the running connector's put back. */
export function keepProviderSecrets(o: Obj, existing: ProviderConnectorConfig): Obj {
  if ((o.type ?? existing.type) !== existing.type) return o;
  const out = { ...o };
  for (const s of SECRETS[existing.type]) if (out[s] === '(hidden)') out[s] = (existing as unknown as Obj)[s];
  return out;
}
