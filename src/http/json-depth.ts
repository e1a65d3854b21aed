/**
 * JSON bodies nested beyond a depth are refused before they are parsed (issue 13 item 9: a
 * body nested 100,000 levels answered 500, from a recursion deeper than the stack). No API
 * of Hermod takes more than a few levels; the scan is one pass over the text, strings skipped.
 */
import type { FastifyInstance } from 'fastify';

export const MAX_JSON_DEPTH = 32;

/** The deepest nesting of `[` and `{` in JSON text, stopping as soon as it passes `limit`. */
export function jsonDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c)
        i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x7b || ch === 0x5b) {
      if (++depth > max) max = depth;
      if (max > limit) return max;
    } else if (ch === 0x7d || ch === 0x5d) depth--;
  }
  return max;
}

/**
 * Replaces the app's application/json parser with Fastify's own (prototype poisoning refused)
 * behind a depth check; `tooDeep` is the error the app answers 400 with.
 */
export function boundJsonDepth(
  app: FastifyInstance,
  tooDeep: (max: number) => Error,
  max = MAX_JSON_DEPTH,
): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = body as string; // parseAs: 'string'
    if (jsonDepth(text, max) > max) return done(tooDeep(max), undefined);
    parse(req, text, done);
  });
}
