/**
 * What request logs may show of a URL: secrets in the query string (a provider hook's
 * `token`, a Jasmin-style `password`, an API key) replaced by `[redacted]`, and phone
 * numbers (`to`, `from` and the like) masked to their first four and last two digits, so a
 * log at info level carries neither credentials nor whole numbers (personal data).
 */
const SECRETS = new Set(['token', 'password', 'pass', 'key', 'api_key', 'apikey', 'secret', 'signature']);
const NUMBERS = new Set(['to', 'from', 'msisdn', 'destination', 'source']);

/** A phone number (or any value) with only its first four and last two characters kept. */
export function maskNumber(v: string): string {
  return v.length <= 6 ? '*'.repeat(v.length) : `${v.slice(0, 4)}${'*'.repeat(v.length - 6)}${v.slice(-2)}`;
}

export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  let changed = false;
  for (const [k, v] of [...params]) {
    const name = k.toLowerCase();
    if (SECRETS.has(name)) params.set(k, '[redacted]');
    else if (NUMBERS.has(name)) params.set(k, maskNumber(v));
    else continue;
    changed = true;
  }
  return changed ? `${url.slice(0, q)}?${params.toString()}` : url;
}
