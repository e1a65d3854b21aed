/**
 * REST API keys: a random secret shown once to its owner; only its SHA-256 is stored, so
 * a copy of the database does not reveal a usable key. A key has 192 random bits, which
 * makes a slow hash (scrypt, as for SMPP passwords) unnecessary.
 */
import { createHash, randomBytes } from 'node:crypto';

export const API_KEY_PREFIX = 'hk_';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new random key and the hash to store. */
export function newApiKey(): { key: string; hash: string } {
  const key = API_KEY_PREFIX + randomBytes(24).toString('base64url');
  return { key, hash: hashApiKey(key) };
}
