import { isPossiblePhoneNumber, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js';
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
  const raw = input.trim();
  let digits = raw.replace(/[\s().-]/g, '');
  if (digits.startsWith('+')) digits = digits.slice(1);
  else if (digits.startsWith('00')) digits = digits.slice(2);
  if (!/^\d+$/.test(digits)) throw new InvalidNumberError(input, 'only digits, spaces and a leading + are allowed');
  if (digits.length >= 3 && digits.length <= 8) return digits; // short code
  if (!isPossiblePhoneNumber('+' + digits)) throw new InvalidNumberError(input, 'not a possible international number');
  return digits;
}

/**
 * The ISO 3166 alpha-2 country of an E.164 number (digits, no "+"), or undefined when
 * no country has the calling code (short codes, +882…). Numbers of a shared calling code
 * (+1, +7, +44 crown dependencies) are told apart by their leading digits; a number that
 * is possible but in no assigned range (the +44 7700 900xxx drama range) gets the calling
 * code's main country.
 */
export function countryOf(e164: string): string | undefined {
  if (e164.length <= 8) return undefined;
  const n = parsePhoneNumberFromString('+' + e164);
  if (!n) return undefined;
  // getPossibleCountries() exists at runtime (main country first) but is missing from the typings.
  return n.country ?? (n as unknown as { getPossibleCountries?: () => string[] }).getPossibleCountries?.()[0];
}

/** True for an ISO 3166 alpha-2 code libphonenumber-js knows ("IT", "FR"). */
export function isCountryCode(code: string): boolean {
  return /^[A-Z]{2}$/.test(code) && isSupportedCountry(code);
}
