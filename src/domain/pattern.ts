/**
 * Regular expressions in configuration (route filters): JavaScript syntax in Unicode mode,
 * either bare ("^39\d+$") or slashed with flags ("/^stop\b/i"), since JavaScript has no
 * inline "(?i)". Throws SyntaxError for an invalid pattern or flag.
 */
export function compilePattern(pattern: string): RegExp {
  const m = pattern.match(/^\/(.*)\/([a-z]*)$/s);
  if (!m) return new RegExp(pattern, 'u');
  const flags = m[2];
  if (/[^ims]/.test(flags)) throw new SyntaxError(`unsupported flag in ${pattern} (use i, m or s)`);
  return new RegExp(m[1], flags + 'u');
}
