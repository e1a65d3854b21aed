/**
 * The `media:` block (docs/configuration.md, docs/mms.md): where MMS media are kept, how
 * they are fetched and limited, how the URLs providers fetch them from are signed, and what
 * an MMS becomes without an MMS route. Every limit has a safe default.
 */
import { DEFAULT_MMS_PRICE_FACTOR, MEDIA_LIMITS, MMS_FALLBACKS, type MmsFallback } from '../domain/index.js';
import type { Checker, Obj } from './checker.js';

export interface MediaConfig {
  /** Where the bytes are kept; null: `media/` beside the SQLite file, or `$HERMOD_DATA_DIR/media` (compose/store.ts mediaDirOf). */
  dir: string | null;
  /** The base URL providers fetch signed media URLs from (`<publicUrl>/media/<id>?…`). */
  publicUrl: string;
  /**
   * True when `media.publicUrl` was written (not the listener's address, a guess): only then is
   * it the provider connectors' default `hookBaseUrl` (docs/providers.md).
   */
  publicUrlSet?: boolean;
  /**
   * The HMAC key of signed media URLs (HERMOD_MEDIA_KEY overrides); null: generated once and
   * kept in the media directory (`.signing-key`), which every node of a PostgreSQL
   * deployment shares with the media themselves.
   */
  signingKey: string | null;
  maxFileBytes: number;
  maxMessageBytes: number;
  maxItems: number;
  /** Deadline of a media URL download (s). */
  fetchDeadlineS: number;
  /** Validity of the signed URLs handed to providers (s). */
  urlTtlS: number;
  /** Validity of the links of an SMS fallback (s). */
  linkTtlS: number;
  /** Media older than this and not named by a queued message are deleted (days; 0 = kept for ever). */
  retentionDays: number;
  /** What an MMS becomes without an MMS route, when neither its account nor its route says. */
  mmsFallback: MmsFallback;
  /** An MMS's price without a rate card MMS column or a route `mmsRate`: this × the SMS price. */
  mmsPriceFactor: number;
}

const KEYS = [
  'dir',
  'publicUrl',
  'signingKey',
  'maxFileBytes',
  'maxMessageBytes',
  'maxItems',
  'fetchDeadlineS',
  'urlTtlS',
  'linkTtlS',
  'retentionDays',
  'mmsFallback',
  'mmsPriceFactor',
];

/** `media:`, the key from HERMOD_MEDIA_KEY when set; `api` is the API listener (for the default publicUrl). */
export function mediaOf(
  c: Checker,
  root: Obj,
  env: NodeJS.ProcessEnv,
  api: { host: string; port: number },
): MediaConfig {
  const p = 'media';
  const m = c.obj(root.media ?? {}, p, KEYS) ?? {};
  const host = api.host === '0.0.0.0' || api.host === '::' || api.host === '' ? '127.0.0.1' : api.host;
  const publicUrl =
    (m.publicUrl === undefined ? undefined : c.str(m, 'publicUrl', p)) ??
    `http://${host.includes(':') ? `[${host}]` : host}:${api.port}`;
  if (!/^https?:\/\/[^/]+/.test(publicUrl))
    c.fail(`${p}.publicUrl`, `expected an http(s) base URL, got ${JSON.stringify(publicUrl)}`);
  const fileKey = m.signingKey === undefined || m.signingKey === null ? undefined : c.str(m, 'signingKey', p);
  const signingKey = env.HERMOD_MEDIA_KEY ?? fileKey ?? null;
  if (signingKey !== null && signingKey.length < 16)
    c.fail(env.HERMOD_MEDIA_KEY ? 'HERMOD_MEDIA_KEY' : `${p}.signingKey`, 'at least 16 characters');
  const maxFileBytes =
    c.num(m, 'maxFileBytes', p, { def: MEDIA_LIMITS.maxFileBytes, min: 1, max: 100 * 2 ** 20, int: true }) ??
    MEDIA_LIMITS.maxFileBytes;
  const maxMessageBytes =
    c.num(m, 'maxMessageBytes', p, {
      def: MEDIA_LIMITS.maxMessageBytes,
      min: 1,
      max: 100 * 2 ** 20,
      int: true,
    }) ?? MEDIA_LIMITS.maxMessageBytes;
  return {
    dir: (m.dir === undefined ? undefined : c.str(m, 'dir', p)) ?? null,
    publicUrl: publicUrl.replace(/\/+$/, ''),
    publicUrlSet: m.publicUrl !== undefined,
    signingKey,
    maxFileBytes,
    maxMessageBytes,
    maxItems: c.num(m, 'maxItems', p, { def: MEDIA_LIMITS.maxItems, min: 1, max: 100, int: true }) ?? 10,
    fetchDeadlineS: c.num(m, 'fetchDeadlineS', p, { def: 15, min: 1, max: 300 }) ?? 15,
    urlTtlS: c.num(m, 'urlTtlS', p, { def: 3600, min: 60, max: 30 * 86_400, int: true }) ?? 3600,
    linkTtlS: c.num(m, 'linkTtlS', p, { def: 7 * 86_400, min: 60, max: 366 * 86_400, int: true }) ?? 604_800,
    retentionDays: c.num(m, 'retentionDays', p, { def: 30, min: 0, max: 36_500 }) ?? 30,
    mmsFallback: c.oneOf(m, 'mmsFallback', p, MMS_FALLBACKS, 'refuse') ?? 'refuse',
    mmsPriceFactor:
      c.num(m, 'mmsPriceFactor', p, { def: DEFAULT_MMS_PRICE_FACTOR, min: 0, max: 100 }) ??
      DEFAULT_MMS_PRICE_FACTOR,
  };
}
