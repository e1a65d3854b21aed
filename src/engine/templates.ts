/**
 * Message templates and personalisation. A template is text with placeholders:
 * `{{first_name}}`, `{{last_name}}`, `{{number}}` (the recipient's number, E.164 with '+'),
 * `{{custom.<key>}}` (a contact's custom field), each with an optional default after a bar
 * (`{{first_name|there}}`). A template is parsed when it is saved: an unknown placeholder or
 * a pair of braces left open is refused there, naming it, so nothing is ever sent with a
 * placeholder written out literally. Rendering is a pure function of the parsed template and
 * one recipient; a field that is missing (absent or empty) and has no default makes the
 * recipient skipped with the field's name, never sent with a hole.
 */
import type { TemplateRow, TemplateStore } from '../store/engine-store/index.js';
import { encodeContent, type Encoding, type Gateway } from '../gateway/index.js';
import type { User } from '../domain/index.js';
import { EngineError, invalid, notFound } from './errors.js';

/** The named fields a placeholder may take, besides `custom.<key>`. */
export const TEMPLATE_FIELDS = ['first_name', 'last_name', 'number'] as const;
type NamedField = (typeof TEMPLATE_FIELDS)[number];

/** A custom field's key: letters, digits, '_' and '-', as contacts' custom fields are named. */
const CUSTOM_KEY = /^[A-Za-z0-9_-]{1,64}$/;

export type TemplateField = NamedField | `custom.${string}`;

export type TemplatePart =
  { kind: 'text'; text: string } | { kind: 'field'; field: TemplateField; fallback?: string };

export interface ParsedTemplate {
  parts: TemplatePart[];
  /** The distinct placeholders, in order of first use (`first_name`, `custom.code`). */
  fields: string[];
}

/** What a template is rendered for: a contact (or a number from a list, with no names). */
export interface Personalisation {
  /** E.164 digits, without '+'. */
  msisdn: string;
  firstName?: string | null;
  lastName?: string | null;
  fields?: Record<string, string>;
}

export type Rendered = { ok: true; text: string } | { ok: false; missing: string };

/** A template that cannot be saved: the placeholder (or position) at fault in the message. */
export class TemplateSyntaxError extends EngineError {
  constructor(
    readonly placeholder: string,
    why: string,
  ) {
    super(400, 'HERMOD_ERR_TEMPLATE', why);
  }
}

/**
 * Parses template text. `{{` opens a placeholder that must close with `}}` on the same
 * placeholder (no nested braces); single braces are plain text. Whitespace around a name is
 * allowed (`{{ first_name }}`); the default is everything after the first bar, as written.
 */
export function parseTemplate(text: string): ParsedTemplate {
  const parts: TemplatePart[] = [];
  const fields: string[] = [];
  let at = 0;
  let plain = '';
  while (at < text.length) {
    const open = text.indexOf('{{', at);
    if (open < 0) {
      plain += text.slice(at);
      break;
    }
    plain += text.slice(at, open);
    const close = text.indexOf('}}', open + 2);
    const nextOpen = text.indexOf('{{', open + 2);
    if (close < 0 || (nextOpen >= 0 && nextOpen < close))
      throw new TemplateSyntaxError(
        text.slice(open, open + 20),
        `unclosed placeholder at character ${open + 1}: "${text.slice(open, open + 20)}"`,
      );
    const inner = text.slice(open + 2, close);
    const bar = inner.indexOf('|');
    const name = (bar < 0 ? inner : inner.slice(0, bar)).trim();
    const fallback = bar < 0 ? undefined : inner.slice(bar + 1);
    const placeholder = `{{${inner}}}`;
    if (fallback !== undefined && /[{}]/.test(fallback))
      throw new TemplateSyntaxError(placeholder, `the default of ${placeholder} may not contain braces`);
    const field = fieldOf(name);
    if (!field)
      throw new TemplateSyntaxError(
        placeholder,
        `unknown placeholder ${placeholder}: use {{first_name}}, {{last_name}}, {{number}} or {{custom.<key>}}`,
      );
    if (plain) parts.push({ kind: 'text', text: plain });
    plain = '';
    parts.push(fallback === undefined ? { kind: 'field', field } : { kind: 'field', field, fallback });
    if (!fields.includes(field)) fields.push(field);
    at = close + 2;
  }
  if (plain) parts.push({ kind: 'text', text: plain });
  return { parts, fields };
}

function fieldOf(name: string): TemplateField | undefined {
  if ((TEMPLATE_FIELDS as readonly string[]).includes(name)) return name as NamedField;
  if (name.startsWith('custom.') && CUSTOM_KEY.test(name.slice(7))) return name as TemplateField;
  return undefined;
}

/** The text for one recipient, or the first placeholder it has no value (and no default) for. */
export function render(t: ParsedTemplate, p: Personalisation): Rendered {
  let out = '';
  for (const part of t.parts) {
    if (part.kind === 'text') {
      out += part.text;
      continue;
    }
    const value = valueOf(part.field, p);
    if (value !== undefined && value !== '') out += value;
    else if (part.fallback !== undefined) out += part.fallback;
    else return { ok: false, missing: part.field };
  }
  return { ok: true, text: out };
}

function valueOf(field: string, p: Personalisation): string | undefined {
  switch (field) {
    case 'first_name':
      return p.firstName ?? undefined;
    case 'last_name':
      return p.lastName ?? undefined;
    case 'number':
      return `+${p.msisdn}`;
    default:
      return p.fields?.[field.slice(7)];
  }
}

/** True when the text has no placeholder (the same for every recipient). */
export const isPlain = (t: ParsedTemplate): boolean => t.fields.length === 0;

export interface Template {
  id: number;
  name: string;
  text: string;
  /** Its placeholders, as parsed. */
  fields: string[];
  createdAt: number;
  updatedAt: number;
}

/** One recipient's message as it would be sent: text, alphabet, parts and price. */
export interface MessagePreview {
  to: string;
  text: string;
  encoding: Encoding;
  /** Characters (UTF-16 code units the encoder counts are not what a handset shows: code points). */
  characters: number;
  segments: number;
  pricePerPartMicros: number;
  priceMicros: number;
}

const MAX_TEMPLATE = 1600;

export class TemplateService {
  constructor(
    private readonly store: TemplateStore,
    private readonly gateway: Gateway,
  ) {}

  async create(userId: number, name: string, text: string): Promise<Template> {
    const parsed = checked(text);
    return toTemplate(await this.store.createTemplate({ userId, name, text }), parsed);
  }

  async update(userId: number, id: number, change: { name?: string; text?: string }): Promise<Template> {
    if (change.text !== undefined) checked(change.text);
    const row = await this.store.updateTemplate({ userId, id, ...change });
    if (!row) throw notFound(`template ${id}`);
    return toTemplate(row, parseTemplate(row.text));
  }

  async get(userId: number, id: number): Promise<Template | undefined> {
    const row = await this.store.getTemplate({ userId, id });
    return row && toTemplate(row, parseTemplate(row.text));
  }

  async list(userId: number, after: number, limit: number): Promise<Template[]> {
    return (await this.store.listTemplates({ userId, after, limit })).map((r) =>
      toTemplate(r, parseTemplate(r.text)),
    );
  }

  async delete(userId: number, id: number): Promise<void> {
    if (!(await this.store.deleteTemplate({ userId, id }))) throw notFound(`template ${id}`);
  }

  /**
   * One recipient's message, priced as the gateway would charge it now (gateway.quote: the
   * route and the connector's parts). Throws 422 HERMOD_ERR_TEMPLATE_FIELD_MISSING naming the
   * field when the recipient has no value for it and the placeholder no default.
   */
  async preview(user: User, text: string, p: Personalisation, sender?: string): Promise<MessagePreview> {
    const r = render(checked(text), p);
    if (!r.ok)
      throw new EngineError(
        422,
        'HERMOD_ERR_TEMPLATE_FIELD_MISSING',
        `the recipient has no ${r.missing} and {{${r.missing}}} has no default: it would be skipped`,
      );
    return previewOf(this.gateway, user, p.msisdn, r.text, sender);
  }
}

/** The rendered text of one recipient priced by the gateway (quote), with its alphabet. */
export async function previewOf(
  gateway: Gateway,
  user: User,
  msisdn: string,
  text: string,
  sender?: string,
): Promise<MessagePreview> {
  const q = await gateway.quote({ user, destination: msisdn, text, ...(sender ? { source: sender } : {}) });
  return {
    to: `+${q.destination}`,
    text,
    encoding: encodeContent({ text }).encoding,
    characters: [...text].length,
    segments: q.parts ?? 1,
    pricePerPartMicros: q.pricePerPartMicros,
    priceMicros: q.totalMicros ?? q.pricePerPartMicros,
  };
}

/** Parsed, or a 400 naming the placeholder at fault; empty and overlong texts refused. */
export function checked(text: string, field = 'text'): ParsedTemplate {
  if (text.length === 0) throw invalid(field, 'must not be empty');
  if (text.length > MAX_TEMPLATE) throw invalid(field, `at most ${MAX_TEMPLATE} characters`);
  return parseTemplate(text);
}

const toTemplate = (r: TemplateRow, p: ParsedTemplate): Template => ({
  id: r.id,
  name: r.name,
  text: r.text,
  fields: p.fields,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});
