/** Message templates on SQLite (TemplateStore). */
import type { TemplateRow, TemplateStore } from '../../engine-store/templates.js';
import { TemplateExistsError } from '../../engine-store/campaign-errors.js';
import { Statements, type NamedMigration, type SqliteHandle } from './handle.js';

export const TEMPLATES_MIGRATIONS: readonly NamedMigration[] = [
  {
    name: 'templates/1',
    sql: `CREATE TABLE templates (
       id INTEGER PRIMARY KEY,
       user_id INTEGER NOT NULL,
       name TEXT NOT NULL,
       text TEXT NOT NULL,
       created_at INTEGER NOT NULL,
       updated_at INTEGER NOT NULL,
       UNIQUE (user_id, name)
     );`,
  },
];

interface Row {
  id: number;
  user_id: number;
  name: string;
  text: string;
  created_at: number;
  updated_at: number;
}

const toRow = (r: Row): TemplateRow => ({
  id: r.id,
  userId: r.user_id,
  name: r.name,
  text: r.text,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export class SqliteTemplateStore implements TemplateStore {
  private readonly st: Statements;

  constructor(private readonly h: SqliteHandle) {
    this.st = new Statements(h.db);
  }

  createTemplate(t: { userId: number; name: string; text: string }): Promise<TemplateRow> {
    return this.h.write(() => {
      const now = Date.now();
      const r = this.st
        .get(
          'INSERT INTO templates (user_id, name, text, created_at, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, name) DO NOTHING',
        )
        .run(t.userId, t.name, t.text, now, now);
      if (r.changes === 0) throw new TemplateExistsError(t.name);
      return toRow(this.st.get('SELECT * FROM templates WHERE id = ?').get(Number(r.lastInsertRowid)) as Row);
    });
  }

  async getTemplate(q: { userId: number; id: number }): Promise<TemplateRow | undefined> {
    const r = this.st.get('SELECT * FROM templates WHERE id = ? AND user_id = ?').get(q.id, q.userId) as
      Row | undefined;
    return r && toRow(r);
  }

  async listTemplates(q: { userId: number; after: number; limit: number }): Promise<TemplateRow[]> {
    return (
      this.st
        .get('SELECT * FROM templates WHERE user_id = ? AND id > ? ORDER BY id LIMIT ?')
        .all(q.userId, q.after, q.limit) as Row[]
    ).map(toRow);
  }

  updateTemplate(u: {
    userId: number;
    id: number;
    name?: string;
    text?: string;
  }): Promise<TemplateRow | undefined> {
    return this.h.write(() => {
      const row = this.st.get('SELECT * FROM templates WHERE id = ? AND user_id = ?').get(u.id, u.userId) as
        Row | undefined;
      if (!row) return undefined;
      const name = u.name ?? row.name;
      if (
        name !== row.name &&
        this.st.get('SELECT 1 FROM templates WHERE user_id = ? AND name = ?').get(u.userId, name) !==
          undefined
      )
        throw new TemplateExistsError(name);
      this.st
        .get('UPDATE templates SET name = ?, text = ?, updated_at = ? WHERE id = ?')
        .run(name, u.text ?? row.text, Date.now(), u.id);
      return toRow(this.st.get('SELECT * FROM templates WHERE id = ?').get(u.id) as Row);
    });
  }

  deleteTemplate(q: { userId: number; id: number }): Promise<boolean> {
    return this.h.write(
      () => this.st.get('DELETE FROM templates WHERE id = ? AND user_id = ?').run(q.id, q.userId).changes > 0,
    );
  }
}
