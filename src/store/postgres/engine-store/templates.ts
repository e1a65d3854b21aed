/** Message templates on PostgreSQL (TemplateStore). */
import type { TemplateRow, TemplateStore } from '../../engine-store/templates.js';
import { TemplateExistsError } from '../../engine-store/campaign-errors.js';
import { num, type NamedMigration, type PgHandle } from './handle.js';

export const TEMPLATES_MIGRATIONS: readonly NamedMigration[] = [
  {
    name: 'templates/1',
    sql: `CREATE TABLE templates (
       id BIGSERIAL PRIMARY KEY,
       user_id INTEGER NOT NULL,
       name TEXT NOT NULL,
       text TEXT NOT NULL,
       created_at BIGINT NOT NULL,
       updated_at BIGINT NOT NULL,
       UNIQUE (user_id, name)
     );`,
  },
];

type Row = Record<string, unknown>;

const toRow = (r: Row): TemplateRow => ({
  id: num(r.id),
  userId: num(r.user_id),
  name: r.name as string,
  text: r.text as string,
  createdAt: num(r.created_at),
  updatedAt: num(r.updated_at),
});

export class PgTemplateStore implements TemplateStore {
  constructor(private readonly h: PgHandle) {}

  async createTemplate(t: { userId: number; name: string; text: string }): Promise<TemplateRow> {
    const now = Date.now();
    const { rows } = await this.h.pool.query(
      `INSERT INTO templates (user_id, name, text, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
       ON CONFLICT (user_id, name) DO NOTHING RETURNING *`,
      [t.userId, t.name, t.text, now],
    );
    if (rows.length === 0) throw new TemplateExistsError(t.name);
    return toRow(rows[0] as Row);
  }

  async getTemplate(q: { userId: number; id: number }): Promise<TemplateRow | undefined> {
    const { rows } = await this.h.pool.query('SELECT * FROM templates WHERE id = $1 AND user_id = $2', [
      q.id,
      q.userId,
    ]);
    return rows[0] ? toRow(rows[0] as Row) : undefined;
  }

  async listTemplates(q: { userId: number; after: number; limit: number }): Promise<TemplateRow[]> {
    const { rows } = await this.h.pool.query(
      'SELECT * FROM templates WHERE user_id = $1 AND id > $2 ORDER BY id LIMIT $3',
      [q.userId, q.after, q.limit],
    );
    return (rows as Row[]).map(toRow);
  }

  async updateTemplate(u: {
    userId: number;
    id: number;
    name?: string;
    text?: string;
  }): Promise<TemplateRow | undefined> {
    try {
      const { rows } = await this.h.pool.query(
        `UPDATE templates SET name = COALESCE($3, name), text = COALESCE($4, text), updated_at = $5
         WHERE id = $1 AND user_id = $2 RETURNING *`,
        [u.id, u.userId, u.name ?? null, u.text ?? null, Date.now()],
      );
      return rows[0] ? toRow(rows[0] as Row) : undefined;
    } catch (err) {
      // 23505: unique_violation, the new name is another template's.
      if ((err as { code?: string }).code === '23505') throw new TemplateExistsError(u.name ?? '');
      throw err;
    }
  }

  async deleteTemplate(q: { userId: number; id: number }): Promise<boolean> {
    const r = await this.h.pool.query('DELETE FROM templates WHERE id = $1 AND user_id = $2', [
      q.id,
      q.userId,
    ]);
    return (r.rowCount ?? 0) > 0;
  }
}
