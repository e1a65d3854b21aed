import { isPossiblePhoneNumber } from 'libphonenumber-js';
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
