/**
 * The webhook signatures of the two provider APIs Hermod speaks (docs/providers.md), both
 * ways: the connectors verify them, the provider simulator makes them. Pure node:crypto.
 *
 * - Telnyx: Ed25519 over `${telnyx-timestamp}|${raw body}`, base64 in
 *   `telnyx-signature-ed25519`; the account's public key is 32 raw bytes, base64 (as Mission
 *   Control shows it, and as the telnyx SDK's `TelnyxWebhook` takes it).
 * - Twilio: base64 HMAC-SHA1 with the auth token over the full URL Twilio requested followed
 *   by each POST parameter's name and value, names sorted (repeated names: each distinct
 *   value, sorted), in `X-Twilio-Signature` (twilio-node `getExpectedTwilioSignature`).
 */
import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  timingSafeEqual,
  verify,
  type KeyObject,
} from 'node:crypto';

/** Telnyx refuses, and so do we, a webhook whose timestamp is this far from now (5 minutes). */
export const TELNYX_TOLERANCE_S = 300;

// An Ed25519 SubjectPublicKeyInfo is this 12-byte prefix followed by the 32 raw key bytes (RFC 8410).
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** The Ed25519 public key from its base64 raw form; throws when it is not 32 bytes. */
export function telnyxPublicKey(base64: string): KeyObject {
  const raw = Buffer.from(base64, 'base64');
  if (raw.length !== 32 || raw.toString('base64') !== base64.trim())
    throw new Error(`an Ed25519 public key is 32 bytes in base64, got ${raw.length} bytes`);
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** A fresh key pair: the private key to sign with and the public key as Telnyx shows it. */
export function telnyxKeyPair(): { privateKey: KeyObject; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return { privateKey, publicKey: der.subarray(ED25519_SPKI_PREFIX.length).toString('base64') };
}

/** A private key from PKCS#8 PEM (a simulator started with a fixed key). */
export function ed25519PrivateKey(pem: string): KeyObject {
  return createPrivateKey(pem);
}

/** The two headers Telnyx sends with `body` at `timestampS`. */
export function telnyxSign(
  privateKey: KeyObject,
  body: string | Buffer,
  timestampS: number,
): { 'telnyx-signature-ed25519': string; 'telnyx-timestamp': string } {
  const signed = Buffer.concat([Buffer.from(`${timestampS}|`), Buffer.from(body)]);
  return {
    'telnyx-signature-ed25519': sign(null, signed, privateKey).toString('base64'),
    'telnyx-timestamp': String(timestampS),
  };
}

/** Why a Telnyx webhook is refused, or undefined when its signature and timestamp hold. */
export function telnyxRefusal(
  publicKey: KeyObject,
  body: Buffer,
  signature: string | undefined,
  timestamp: string | undefined,
  nowS: number,
): string | undefined {
  if (!signature || !timestamp) return 'no telnyx-signature-ed25519 or telnyx-timestamp header';
  if (!/^\d{1,15}$/.test(timestamp)) return 'telnyx-timestamp is not a unix time';
  if (Math.abs(nowS - Number(timestamp)) > TELNYX_TOLERANCE_S)
    return `telnyx-timestamp is more than ${TELNYX_TOLERANCE_S} s from now`;
  const sig = Buffer.from(signature, 'base64');
  if (sig.length !== 64) return 'telnyx-signature-ed25519 is not an Ed25519 signature';
  const signed = Buffer.concat([Buffer.from(`${timestamp}|`), body]);
  return verify(null, signed, publicKey, sig) ? undefined : 'the signature does not match';
}

/** POST parameters as Twilio signs them: a name may repeat (MediaUrl). */
export type FormParams = Readonly<Record<string, string | readonly string[]>>;

/** `X-Twilio-Signature` of a request to `url` with `params` (HMAC-SHA1, base64). */
export function twilioSignature(authToken: string, url: string, params: FormParams): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const v = params[name];
    const values = typeof v === 'string' ? [v] : [...new Set(v)].sort();
    for (const value of values) data += name + value;
  }
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

/**
 * True when `signature` signs the request: the URL as given, or with its scheme's default
 * port added or removed (Twilio signs the URL as configured, which a proxy may have changed).
 */
export function twilioVerify(
  authToken: string,
  url: string,
  params: FormParams,
  signature: string | undefined,
): boolean {
  if (!signature) return false;
  const got = Buffer.from(signature);
  return urlForms(url).some((u) => {
    const want = Buffer.from(twilioSignature(authToken, u, params));
    return want.length === got.length && timingSafeEqual(want, got);
  });
}

function urlForms(url: string): string[] {
  const m = /^(https?):\/\/([^/?#:]+)(:\d+)?(.*)$/i.exec(url);
  if (!m) return [url];
  const [, scheme, host, port, rest] = m;
  const standard = scheme.toLowerCase() === 'https' ? ':443' : ':80';
  if (port === undefined) return [url, `${scheme}://${host}${standard}${rest}`];
  return port === standard ? [url, `${scheme}://${host}${rest}`] : [url];
}

/** An urlencoded body as Twilio's parameters (repeated names kept as lists). */
export function formParams(body: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    const had = out[k];
    out[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
  }
  return out;
}
