/**
 * countryOf, remembered by number prefix. libphonenumber-js tells the countries that share a
 * calling code apart by parsing the whole number: 30-120 µs for +44 or +1 numbers, too much
 * for the per-message paths (the rate card at accept, the report counters at the final state,
 * inside the store's write). The country of a number is decided by its first digits (the
 * calling code and at most 6 more: Jersey's 447797, Vatican's 3906698), so the answer for
 * the first 9 digits is reused. At most 50,000 prefixes are kept; past that it starts over.
 */
import { countryOf } from './number.js';

const PREFIX = 9;
const MAX = 50_000;
let known = new Map<string, string | undefined>();

export function countryOfCached(e164: string): string | undefined {
  // Short numbers (short codes) have no country, and a prefix would be the whole number.
  if (e164.length <= PREFIX) return countryOf(e164);
  const key = e164.slice(0, PREFIX);
  if (known.has(key)) return known.get(key);
  const c = countryOf(e164);
  if (known.size >= MAX) known = new Map();
  known.set(key, c);
  return c;
}
