/**
 * MMS media as the gateway knows it (docs/mms.md, "Foundation"): a message with media is an
 * MMS. The bytes live in the media store (src/store/media.ts) under their SHA-256; a message
 * or an MO carries references, never the bytes.
 */
import { randomBytes } from 'node:crypto';

/** What a connector can carry. A connector that declares nothing carries SMS only. */
export type Capability = 'sms' | 'mms';

/** One media item as a message, an MO or an upload answer names it. */
export interface MediaRef {
  /** `med_` and 24 random base62-ish characters: not guessable, not the content hash. */
  id: string;
  /** From the bytes (lib/media-type.ts), never from a name or a declared type. */
  contentType: string;
  /** Bytes. */
  size: number;
  /** The name it was uploaded or received with, when there was one. */
  filename?: string;
}

/** Default limits (seed 000: at least 5 MB per MMS). Configurable per connector later. */
export const MEDIA_LIMITS = {
  /** One file. */
  maxFileBytes: 5 * 1024 * 1024,
  /** All media of one message together. */
  maxMessageBytes: 5 * 1024 * 1024,
  /** Media items in one message. */
  maxItems: 10,
} as const;

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export const MEDIA_ID = /^med_[A-Za-z0-9]{24}$/;

export function newMediaId(): string {
  const bytes = randomBytes(24);
  let id = 'med_';
  for (const b of bytes) id += ID_ALPHABET[b % ID_ALPHABET.length];
  return id;
}

/** True for a message that carries media (an MMS). */
export function isMms(m: { meta?: { media?: readonly MediaRef[] } }): boolean {
  return (m.meta?.media?.length ?? 0) > 0;
}

/** What a connector can carry (default: SMS only). */
export function canCarry(c: { capabilities?: readonly Capability[] }, kind: Capability): boolean {
  return (c.capabilities ?? ['sms']).includes(kind);
}

/** The total media bytes of a message (0 for an SMS). */
export function mediaBytes(m: { meta?: { media?: readonly MediaRef[] } }): number {
  return (m.meta?.media ?? []).reduce((n, r) => n + r.size, 0);
}

/**
 * Whether a connector takes an MMS of `bytes` media bytes: it carries MMS and its
 * `mmsMaxBytes` (undefined: the gateway-wide `media.maxMessageBytes`, already enforced) is not exceeded.
 */
export function takesMms(
  c: { capabilities?: readonly Capability[]; mmsMaxBytes?: number },
  bytes: number,
): boolean {
  return canCarry(c, 'mms') && (c.mmsMaxBytes === undefined || bytes <= c.mmsMaxBytes);
}

/**
 * What an MMS becomes when its route has no MMS-capable connector: `sms_link`, an SMS with
 * the text and a signed link per media item (charged as SMS); `refuse`, refused with
 * HERMOD_ERR_NO_MMS_ROUTE. Set per account (`defaults.mmsFallback`), per route
 * (`mmsFallback`) and gateway-wide (`media.mmsFallback`, default `refuse`), first found wins.
 */
export type MmsFallback = 'sms_link' | 'refuse';

export const MMS_FALLBACKS: readonly MmsFallback[] = ['sms_link', 'refuse'];

/** An MMS's price when no rate card or route names one: this many times the SMS price (seed 000: 3–5×). */
export const DEFAULT_MMS_PRICE_FACTOR = 4;

/** The history detail of an accepted message: what its fallback did, else none. */
export function acceptedDetail(
  meta: { fallback?: string; linkedMedia?: readonly unknown[] } | undefined,
): string | null {
  if (meta?.fallback !== 'sms_link') return null;
  return `MMS sent as an SMS with ${meta.linkedMedia?.length ?? 0} media link(s): no MMS-capable connector on its route`;
}
