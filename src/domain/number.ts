import {
  getCountries,
  getCountryCallingCode,
  isPossiblePhoneNumber,
  isSupportedCountry,
  parsePhoneNumberFromString,
} from 'libphonenumber-js';
import {
  Metadata,
  parsePhoneNumberFromString as parseWithMetadata,
  type CountryCode,
  type MetadataJson,
} from 'libphonenumber-js/core';
// The metadata the default entry point above uses (its `min` set).
import minMetadata from 'libphonenumber-js/min/metadata';
import { HermodError } from '../lib/errors.js';

export class InvalidNumberError extends HermodError {
  constructor(input: string, why: string) {
    super('HERMOD_ERR_INVALID_NUMBER', `"${input}" is not a valid phone number: ${why}`);
  }
}

export interface NormalizeOptions {
  /**
   * The ISO 3166 alpha-2 country a national number ("07700 900123") is read in (an
   * account's or an import's default country). Without it only international forms pass.
   */
  defaultCountry?: string | null;
}

/**
 * A destination as E.164 digits without '+' ("447700900123"). Accepts "+44 7700 900123",
 * "0044...", "447700900123", and with a default country its national form ("07700 900123"
 * with GB). Short codes (3–8 digits) pass through unchanged, unless the default country
 * has a valid national number of that length (8-digit mobiles in Denmark, Singapore…).
 */
export function normalizeMsisdn(input: string, opts: NormalizeOptions = {}): string {
  const country = opts.defaultCountry ?? '';
  const key = country ? `${country}\0${input}` : input;
  const hit = normalized.get(key);
  if (hit !== undefined) return hit;
  const digits = normalizeUncached(input, country);
  if (normalized.size >= 50_000) normalized.clear();
  normalized.set(key, digits);
  return digits;
}

/** Numbers seen recently (bulk sends repeat them; libphonenumber's check is the costly part). */
const normalized = new Map<string, string>();

function normalizeUncached(input: string, country: string): string {
  const raw = input.trim();
  let digits = raw.replace(/[\s().-]/g, '');
  let international = false;
  if (digits.startsWith('+')) {
    digits = digits.slice(1);
    international = true;
  } else if (digits.startsWith('00')) {
    digits = digits.slice(2);
    international = true;
  }
  if (!/^\d+$/.test(digits))
    throw new InvalidNumberError(input, 'only digits, spaces and a leading + are allowed');
  if (!international && country) {
    const national = nationalNumber(digits, country);
    if (national !== undefined) return national;
  }
  if (digits.length >= 3 && digits.length <= 8) return digits; // short code
  if (!isPossibleNumber(digits))
    throw new InvalidNumberError(
      input,
      country && !international
        ? `neither a national number of ${country} nor a possible international number`
        : 'not a possible international number',
    );
  return digits;
}

/**
 * `digits` read as a number of `country`, or undefined when it reads better as international
 * digits or a short code. Digits that start with the country's calling code and are a
 * possible international number stay international ("447700900123" with GB): a national
 * number never starts with its own calling code in the plans where it could be confused
 * (a trunk prefix 0, or none as in +1). Up to 8 digits must be a valid national number,
 * not only a possible one, or they stay a short code.
 */
function nationalNumber(digits: string, country: string): string | undefined {
  if (!isCountryCode(country)) throw new InvalidNumberError(digits, `unknown country "${country}"`);
  if (digits.startsWith(callingCodeOfCountry(country)) && digits.length > 8 && isPossibleNumber(digits))
    return undefined;
  // The common case without libphonenumber's parse (its regular expressions cost ~20 µs a
  // number, the most of a 100,000-row import): a trunk prefix 0 that is all the country's
  // national prefix rule says, dropped, and the rest checked as an international number.
  const trunk = digits.length > 8 && digits.startsWith('0') ? plainTrunkZero(country) : undefined;
  if (trunk && !trunk.test(digits)) {
    const international = callingCodeOfCountry(country) + digits.slice(1);
    if (isPossibleNumber(international)) return international;
  }
  const n = parsePhoneNumberFromString(digits, country as CountryCode);
  if (!n) return undefined;
  if (digits.length <= 8 ? !n.isValid() : !n.isPossible()) return undefined;
  return n.number.slice(1);
}

const trunkZero = new Map<string, RegExp | null>();

/**
 * For a country whose national prefix is a plain 0 (GB, DE, FR…; not IT, which keeps it,
 * nor AR or MX with rules): its international call prefix (00, and Israel's 01x carrier
 * prefixes), which a national number must not start with. Null for the other countries.
 */
function plainTrunkZero(country: string): RegExp | null {
  let idd = trunkZero.get(country);
  if (idd === undefined) {
    const meta = new Metadata(minMetadata);
    meta.selectNumberingPlan(country as CountryCode);
    const plan = meta.numberingPlan as unknown as Plan & {
      nationalPrefix(): string | undefined;
      IDDPrefix(): string;
    };
    const forParsing = plan.nationalPrefixForParsing();
    idd =
      plan.nationalPrefix() === '0' && (forParsing === undefined || forParsing === '0')
        ? new RegExp(`^(?:${plan.IDDPrefix()})`)
        : null;
    trunkZero.set(country, idd);
  }
  return idd;
}

/** The parts of a libphonenumber-js numbering plan read here (its typings leave them out). */
interface Plan {
  possibleLengths(): number[] | undefined;
  leadingDigits(): string | undefined;
  nationalNumberPattern(): string;
  nationalPrefixForParsing(): string | undefined;
}

/** A calling code shared by several countries, as isPossiblePhoneNumber would read it. */
interface SharedCode {
  /** National number lengths possible in every country of the code. */
  all: Set<number>;
  /** Lengths possible in at least one. */
  any: Set<number>;
  /** The main country's national prefix (stripping it lets the country decide). */
  prefix: RegExp | undefined;
  /** Per country, in libphonenumber's order: its lengths and how it claims a number. */
  countries: { lengths: Set<number>; claims: { leading: string } | { pattern: RegExp } }[];
}

let shared: { codes: Map<string, SharedCode>; oneCountry: MetadataJson } | undefined;

function sharedCodes(): NonNullable<typeof shared> {
  if (shared) return shared;
  const codes = new Map<string, SharedCode>();
  const meta = new Metadata(minMetadata);
  for (const [code, countries] of Object.entries(minMetadata.country_calling_codes)) {
    if (countries.length < 2) continue;
    const plans = countries.map((c) => {
      meta.selectNumberingPlan(c as CountryCode);
      const plan = meta.numberingPlan as unknown as Plan;
      const leading = plan.leadingDigits();
      return {
        lengths: new Set(plan.possibleLengths() ?? []),
        // getCountryByNationalNumber: the leading digits if the plan has them, else a number type,
        // which needs the plan's whole-number pattern to match first.
        claims: leading ? { leading } : { pattern: new RegExp(`^(?:${plan.nationalNumberPattern()})$`) },
        prefix: plan.nationalPrefixForParsing(),
      };
    });
    const any = new Set(plans.flatMap((p) => [...p.lengths]));
    const all = new Set([...any].filter((n) => plans.every((p) => p.lengths.has(n))));
    const prefix = plans[0].prefix;
    codes.set(code, {
      all,
      any,
      prefix: prefix ? new RegExp(`^(?:${prefix})`) : undefined,
      countries: plans,
    });
  }
  // The same metadata with one country per calling code: parsing no longer looks for the country.
  const oneCountry: MetadataJson = {
    ...minMetadata,
    country_calling_codes: Object.fromEntries(
      Object.entries(minMetadata.country_calling_codes).map(([k, v]) => [k, v.slice(0, 1)]),
    ),
  };
  shared = { codes, oneCountry };
  return shared;
}

/**
 * isPossiblePhoneNumber('+' + digits), without its costly part where it can be spared.
 * For a calling code several countries share (+1, +7, +44, +61, …), libphonenumber-js
 * first finds the number's country, testing each country's number types (a dozen regular
 * expressions each; about 10 µs for a UK number), and then checks the national number's
 * length against that country's possible lengths. That country only matters when the
 * length is possible in some of them and not in others, and then only if one where it is
 * not could claim the number. Otherwise the answer is the same whichever country it is,
 * and a parse that skips the search (one country per code) gives it. Unique numbers are
 * the normal case of a bulk send, so the cache in normalizeMsisdn does not help there.
 * Exported for the test that holds it to libphonenumber-js's own answer.
 */
export function isPossibleNumber(digits: string): boolean {
  const code = callingCodeOf(digits);
  const s = code === undefined ? undefined : sharedCodes().codes.get(code);
  if (code === undefined || s === undefined) return isPossiblePhoneNumber('+' + digits);
  const national = digits.slice(code.length);
  // A national prefix is stripped only when the country says the rest is possible: its call.
  if (s.prefix?.test(national)) return isPossiblePhoneNumber('+' + digits);
  const n = parseWithMetadata('+' + digits, { extract: false }, sharedCodes().oneCountry);
  if (!n) return false;
  // Read as above (codes are a prefix code, digits stay digits); checked rather than assumed.
  if (n.countryCallingCode !== code || n.nationalNumber !== national)
    return isPossiblePhoneNumber('+' + digits);
  const length = n.nationalNumber.length;
  if (s.all.has(length)) return true;
  if (!s.any.has(length)) return false;
  // Possible in the main country (used when none claims the number) and not claimable by a
  // country where it is impossible: whichever country it is, it is possible.
  const safe =
    s.countries[0].lengths.has(length) &&
    s.countries.every(
      (c) =>
        c.lengths.has(length) ||
        ('leading' in c.claims ? national.search(c.claims.leading) !== 0 : !c.claims.pattern.test(national)),
    );
  return safe || isPossiblePhoneNumber('+' + digits);
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
  return (
    n.country ??
    (n as unknown as { getPossibleCountries?: () => string[] }).getPossibleCountries?.()[0] ??
    shared[0]
  );
}

/** True for an ISO 3166 alpha-2 code libphonenumber-js knows ("IT", "FR"). */
export function isCountryCode(code: string): boolean {
  return /^[A-Z]{2}$/.test(code) && isSupportedCountry(code);
}
