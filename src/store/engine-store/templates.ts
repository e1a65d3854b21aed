/**
 * Message templates of the SMS engine: named texts with placeholders, one list per account
 * (names unique per account). The store keeps the text as given; it is parsed and checked by
 * the engine (src/engine/templates.ts) before it gets here. Every method is scoped by the
 * account: another account's template looks like one that does not exist.
 */

export interface TemplateRow {
  id: number;
  userId: number;
  name: string;
  text: string;
  createdAt: number;
  updatedAt: number;
}

export interface TemplateStore {
  /** Throws TemplateExistsError when the account has a template by that name. */
  createTemplate(t: { userId: number; name: string; text: string }): Promise<TemplateRow>;

  getTemplate(q: { userId: number; id: number }): Promise<TemplateRow | undefined>;

  /** By id, after `after` (keyset), at most `limit`. */
  listTemplates(q: { userId: number; after: number; limit: number }): Promise<TemplateRow[]>;

  /** Changes the name and/or text; undefined when the account has no such template. */
  updateTemplate(u: {
    userId: number;
    id: number;
    name?: string;
    text?: string;
  }): Promise<TemplateRow | undefined>;

  /** True when it was there. */
  deleteTemplate(q: { userId: number; id: number }): Promise<boolean>;
}
