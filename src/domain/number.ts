import { getCountries, getCountryCallingCode, isPossiblePhoneNumber, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js';
import { HermodError } from '../lib/errors.js';

export class InvalidNumberError extends HermodError {
  constructor(input: string, why: string) {
    super('HERMOD_ERR_INVALID_NUMBER', `"${input}" is not a valid phone number: ${why}`);
  }
}

/**
 * A destination as E.164 digits without '+' ("447700900123"). Accepts "+44 7700 900123",
 * "0044...", "447700900123". Short codes (3–8 digits) pass through unchanged.
 */
export function normalizeMsisdn(input: string): string {
  const hit = normalized.get(input);
  if (hit !== undefined) return hit;
  const digits = normalizeUncached(input);
  if (normalized.size >= 50_000) normalized.clear();
  normalized.set(input, digits);
  return digits;
}

/** Numbers seen recently (bulk sends repeat them; libphonenumber's check is the costly part). */
const normalized = new Map<string, string>();

function normalizeUncached(input: string): string {
  const raw = input.trim();
  let digits = raw.replace(/[\s().-]/g, '');
  if (digits.startsWith('+')) digits = digits.slice(1);
  else if (digits.startsWith('00')) digits = digits.slice(2);
  if (!/^\d+$/.test(digits)) throw new InvalidNumberError(input, 'only digits, spaces and a leading + are allowed');
  if (digits.length >= 3 && digits.length <= 8) return digits; // short code
  if (!isPossiblePhoneNumber('+' + digits)) throw new InvalidNumberError(input, 'not a possible international number');
  return digits;
}

let countriesByCode: Map<string, string[]> | undefined;

/** Calling code → the countries that share it, main country first ("1" → US, AG, …, CA, …). */
function byCallingCode(): Map<string, string[]> {
  if (!countriesByCode) {
    countriesByCode = new Map();
    for (const c of getCountries()) {
      const code = getCountryCallingCode(c);
      const list = countriesByCode.get(code) ?? [];
      list.push(c);
      countriesByCode.set(code, list);
    }
  }
  return countriesByCode;
}

/** The calling code an E.164 number starts with ("44" of "447700900123"), if any is assigned. */
export function callingCodeOf(e164: string): string | undefined {
  const codes = byCallingCode();
  // Calling codes are a prefix code (ITU-T E.164): at most one of 1, 2 or 3 digits matches.
  for (let n = 1; n <= 3; n++) if (codes.has(e164.slice(0, n))) return e164.slice(0, n);
  return undefined;
}

/** The calling code of a country ("IT" → "39"). */
export function callingCodeOfCountry(country: string): string {
  return getCountryCallingCode(country as Parameters<typeof getCountryCallingCode>[0]);
}

/**
 * The ISO 3166 alpha-2 country of an E.164 number (digits, no "+"), or undefined when
 * no country has the calling code (short codes, +882…). A calling code of one country
 * answers at once; numbers of a shared calling code (+1, +7, +39 with VA, +44 with the
 * crown dependencies) are told apart by libphonenumber-js from their leading digits; a
 * number that is possible but in no assigned range (the +44 7700 900xxx drama range) gets
 * the calling code's main country.
 */
export function countryOf(e164: string): string | undefined {
  if (e164.length <= 8) return undefined;
  const code = callingCodeOf(e164);
  if (code === undefined) return undefined;
  const shared = byCallingCode().get(code)!;
  if (shared.length === 1) return shared[0];
  const n = parsePhoneNumberFromString('+' + e164);
  if (!n) return undefined;
  // getPossibleCountries() exists at runtime (main country first) but is missing from the typings.
  return n.country ?? (n as unknown as { getPossibleCountries?: () => string[] }).getPossibleCountries?.()[0] ?? shared[0];
}

/** True for an ISO 3166 alpha-2 code libphonenumber-js knows ("IT", "FR"). */
export function isCountryCode(code: string): boolean {
  return /^[A-Z]{2}$/.test(code) && isSupportedCountry(code);
}
