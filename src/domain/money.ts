/**
 * Money as integer micro-units (1 unit = 1 000 000 micros), so that balances add and
 * subtract exactly. The unit is the operator's currency (Jasmin's is unitless too).
 * Safe up to Number.MAX_SAFE_INTEGER micros, about 9 000 000 000 units.
 */
import { HermodError } from '../lib/errors.js';

export const MICROS_PER_UNIT = 1_000_000;

export class InvalidAmountError extends HermodError {
  constructor(input: unknown, why: string) {
    super('HERMOD_ERR_INVALID_AMOUNT', `${JSON.stringify(String(input))} is not a valid amount: ${why}`);
  }
}

/**
 * Parses a decimal amount ("12.5", "-0.000001", 3) into micros without floating-point
 * arithmetic. At most 6 decimals; throws InvalidAmountError otherwise.
 */
export function toMicros(amount: string | number): number {
  let s: string;
  if (typeof amount === 'number') {
    if (!Number.isFinite(amount)) throw new InvalidAmountError(amount, 'not a finite number');
    // Shortest round-trip form of the float ("0.1", not 0.1000000000000000055...).
    s = String(amount);
    if (/e/i.test(s)) {
      s = amount.toFixed(6);
      if (Number(s) !== amount) throw new InvalidAmountError(amount, 'more than 6 decimals or too large');
    }
  } else {
    s = amount.trim();
  }
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m || (m[2] === '' && (m[3] ?? '') === ''))
    throw new InvalidAmountError(amount, 'expected digits with an optional "." and up to 6 decimals');
  const frac = m[3] ?? '';
  if (frac.length > 6) throw new InvalidAmountError(amount, 'more than 6 decimals');
  const micros = Number(m[2] || '0') * MICROS_PER_UNIT + Number(frac.padEnd(6, '0'));
  if (!Number.isSafeInteger(micros)) throw new InvalidAmountError(amount, 'too large');
  return m[1] === '-' && micros !== 0 ? -micros : micros;
}

/** Formats micros as a decimal string with at least 2 decimals: 1250000 → "1.25". */
export function formatMicros(micros: number): string {
  if (!Number.isSafeInteger(micros)) throw new InvalidAmountError(micros, 'micros must be a safe integer');
  const sign = micros < 0 ? '-' : '';
  const abs = Math.abs(micros);
  const units = Math.floor(abs / MICROS_PER_UNIT);
  let frac = String(abs % MICROS_PER_UNIT).padStart(6, '0');
  while (frac.length > 2 && frac.endsWith('0')) frac = frac.slice(0, -1);
  return `${sign}${units}.${frac}`;
}
