/** Contacts and contact groups on SQLite (ContactStore). */
import type {
  Contact,
  ContactCursor,
  ContactFilter,
  ContactGroup,
  ContactInput,
  ContactPage,
  ContactPatch,
  ContactStore,
  GroupMembers,
  UpsertContacts,
  UpsertedContacts,
} from '../../engine-store/contacts.js';
import {
  ContactExistsError,
  ContactGroupExistsError,
  UnknownContactGroupError,
} from '../../engine-store/errors.js';
import { Statements, type NamedMigration, type SqliteHandle } from './handle.js';

export const CONTACTS_MIGRATIONS: readonly NamedMigration[] = [
  {
    name: 'contacts/1',
    sql: `CREATE TABLE contacts (
       id INTEGER PRIMARY KEY,
       user_id INTEGER NOT NULL,
       msisdn TEXT NOT NULL,
       first_name TEXT,
       last_name TEXT,
       fields TEXT NOT NULL DEFAULT '{}',
       notes TEXT,
       created_at INTEGER NOT NULL,
       updated_at INTEGER NOT NULL,
       UNIQUE (user_id, msisdn)
     );
     CREATE TABLE contact_groups (
       id INTEGER PRIMARY KEY,
       user_id INTEGER NOT NULL,
       name TEXT NOT NULL,
       description TEXT,
       members INTEGER NOT NULL DEFAULT 0,
       created_at INTEGER NOT NULL,
       updated_at INTEGER NOT NULL,
       UNIQUE (user_id, name)
     );
     CREATE TABLE contact_group_members (
       group_id INTEGER NOT NULL,
       contact_id INTEGER NOT NULL,
       added_at INTEGER NOT NULL,
       PRIMARY KEY (group_id, contact_id)
     );
     CREATE INDEX contact_group_members_by_contact ON contact_group_members (contact_id);`,
  },
  {
    // Keyset pages of an account's contacts in id order (the unique (user_id, msisdn)
    // index serves number order and number prefixes); a group's members page by the
    // membership key (group_id, contact_id).
    name: 'contacts/2',
    sql: `CREATE INDEX contacts_by_user ON contacts (user_id, id);
     CREATE INDEX contact_group_members_by_contact_group ON contact_group_members (contact_id, group_id);
     DROP INDEX contact_group_members_by_contact;`,
  },
  {
    // Custom-field equality by an index (PostgreSQL has its GIN index on the JSON): one row
    // per contact and field, kept by triggers whatever path changes a contact's fields.
    name: 'contacts/3',
    sql: `CREATE TABLE contact_fields (
       user_id INTEGER NOT NULL,
       key TEXT NOT NULL,
       value TEXT NOT NULL,
       contact_id INTEGER NOT NULL,
       PRIMARY KEY (user_id, key, value, contact_id)
     ) WITHOUT ROWID;
     CREATE INDEX contact_fields_by_contact ON contact_fields (contact_id);
     INSERT INTO contact_fields (user_id, key, value, contact_id)
       SELECT c.user_id, j.key, j.value, c.id FROM contacts c, json_each(c.fields) j;
     CREATE TRIGGER contact_fields_insert AFTER INSERT ON contacts BEGIN
       INSERT OR IGNORE INTO contact_fields (user_id, key, value, contact_id)
         SELECT new.user_id, j.key, j.value, new.id FROM json_each(new.fields) j;
     END;
     CREATE TRIGGER contact_fields_update AFTER UPDATE OF fields ON contacts
       WHEN old.fields IS NOT new.fields BEGIN
       DELETE FROM contact_fields WHERE contact_id = old.id;
       INSERT OR IGNORE INTO contact_fields (user_id, key, value, contact_id)
         SELECT new.user_id, j.key, j.value, new.id FROM json_each(new.fields) j;
     END;
     CREATE TRIGGER contact_fields_delete AFTER DELETE ON contacts BEGIN
       DELETE FROM contact_fields WHERE contact_id = old.id;
     END;`,
  },
];

interface ContactRow {
  id: number;
  /** JSON arrays of the group ids and opt-outs (CONTACT_COLUMNS), absent on a bare row. */
  groups_json?: string;
  optouts_json?: string;
  user_id: number;
  msisdn: string;
  first_name: string | null;
  last_name: string | null;
  fields: string;
  notes: string | null;
  created_at: number;
  updated_at: number;
}

interface GroupRow {
  id: number;
  user_id: number;
  name: string;
  description: string | null;
  members: number;
  created_at: number;
  updated_at: number;
}

export const toContactGroup = (r: GroupRow): ContactGroup => ({
  id: r.id,
  userId: r.user_id,
  name: r.name,
  description: r.description,
  members: r.members,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export class SqliteContactStore implements ContactStore {
  private readonly st: Statements;

  constructor(private readonly h: SqliteHandle) {
    this.st = new Statements(h.db);
    h.db.exec('CREATE TEMP TABLE IF NOT EXISTS contacts_doomed (id INTEGER PRIMARY KEY)');
  }

  upsertContacts(u: UpsertContacts): Promise<UpsertedContacts> {
    return this.h.write(() => {
      if (u.groupId !== undefined) this.requireGroup(u.userId, u.groupId);
      return this.upsertInWrite(u, Date.now());
    });
  }

  /** Inside a write (the import's batch too): upserts, adds to the group; the group is checked by the caller. */
  upsertInWrite(u: UpsertContacts, now: number): UpsertedContacts {
    const find = this.st.get('SELECT * FROM contacts WHERE user_id = ? AND msisdn = ?');
    const insert = this.st.get(
      'INSERT INTO contacts (user_id, msisdn, first_name, last_name, fields, notes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const update = this.st.get(
      'UPDATE contacts SET first_name = ?, last_name = ?, fields = ?, notes = ?, updated_at = ? WHERE id = ?',
    );
    const out: UpsertedContacts = { created: 0, updated: 0, ids: [] };
    for (const c of u.contacts) {
      const row = find.get(u.userId, c.msisdn) as ContactRow | undefined;
      if (!row) {
        const r = insert.run(
          u.userId,
          c.msisdn,
          c.firstName ?? null,
          c.lastName ?? null,
          JSON.stringify(c.fields ?? {}),
          c.notes ?? null,
          now,
          now,
        );
        out.ids.push(Number(r.lastInsertRowid));
        out.created++;
        continue;
      }
      const m = merged(row, c);
      update.run(m.firstName, m.lastName, JSON.stringify(m.fields), m.notes, now, row.id);
      out.ids.push(row.id);
      out.updated++;
    }
    if (u.groupId !== undefined) this.addMembers(u.groupId, out.ids, now);
    return out;
  }

  /** Inside a write: whether the group is the account's. */
  hasGroup(userId: number, groupId: number): boolean {
    return (
      this.st.get('SELECT 1 FROM contact_groups WHERE id = ? AND user_id = ?').get(groupId, userId) !==
      undefined
    );
  }

  async getContact(q: { userId: number; id: number }): Promise<Contact | undefined> {
    const r = this.st
      .get(`SELECT ${CONTACT_COLUMNS} FROM contacts c WHERE c.id = ? AND c.user_id = ?`)
      .get(q.id, q.userId) as ContactRow | undefined;
    return r && toContact(r);
  }

  async getContactByNumber(q: { userId: number; msisdn: string }): Promise<Contact | undefined> {
    const r = this.st
      .get(`SELECT ${CONTACT_COLUMNS} FROM contacts c WHERE c.user_id = ? AND c.msisdn = ?`)
      .get(q.userId, q.msisdn) as ContactRow | undefined;
    return r && toContact(r);
  }

  async updateContact(q: { userId: number; id: number; patch: ContactPatch }): Promise<Contact | undefined> {
    const done = await this.h.write(() => {
      const row = this.st.get('SELECT * FROM contacts WHERE id = ? AND user_id = ?').get(q.id, q.userId) as
        ContactRow | undefined;
      if (!row) return false;
      const p = q.patch;
      if (p.msisdn !== undefined && p.msisdn !== row.msisdn) {
        const taken = this.st
          .get('SELECT 1 FROM contacts WHERE user_id = ? AND msisdn = ?')
          .get(q.userId, p.msisdn);
        if (taken !== undefined) throw new ContactExistsError(p.msisdn);
      }
      const fields = JSON.parse(row.fields) as Record<string, string>;
      for (const [k, v] of Object.entries(p.fields ?? {}))
        if (v === null) delete fields[k];
        else fields[k] = v;
      this.st
        .get(
          'UPDATE contacts SET msisdn = ?, first_name = ?, last_name = ?, notes = ?, fields = ?, updated_at = ? WHERE id = ?',
        )
        .run(
          p.msisdn ?? row.msisdn,
          p.firstName !== undefined ? p.firstName : row.first_name,
          p.lastName !== undefined ? p.lastName : row.last_name,
          p.notes !== undefined ? p.notes : row.notes,
          JSON.stringify(fields),
          Date.now(),
          row.id,
        );
      return true;
    });
    return done ? this.getContact(q) : undefined;
  }

  deleteContacts(q: { userId: number; filter: ContactFilter }): Promise<number> {
    return this.h.write(() => {
      // The doomed ids in a temporary table (this connection's): the group counts, the
      // memberships and the contacts are then changed by three statements, with nothing
      // proportional to the matches held in memory.
      this.st.get('DELETE FROM temp.contacts_doomed').run();
      const q2 = filterQuery(q.userId, q.filter);
      this.st
        .get(`INSERT INTO temp.contacts_doomed (id) SELECT c.id ${q2.from} WHERE ${q2.where}`)
        .run(...q2.params);
      const now = Date.now();
      this.st
        .get(
          `UPDATE contact_groups SET members = members - (
             SELECT count(*) FROM contact_group_members m JOIN temp.contacts_doomed d ON d.id = m.contact_id
             WHERE m.group_id = contact_groups.id), updated_at = ?
           WHERE id IN (SELECT m.group_id FROM contact_group_members m JOIN temp.contacts_doomed d ON d.id = m.contact_id)`,
        )
        .run(now);
      this.st
        .get('DELETE FROM contact_group_members WHERE contact_id IN (SELECT id FROM temp.contacts_doomed)')
        .run();
      const n = this.st
        .get('DELETE FROM contacts WHERE id IN (SELECT id FROM temp.contacts_doomed)')
        .run().changes;
      this.st.get('DELETE FROM temp.contacts_doomed').run();
      return n;
    });
  }

  async listContacts(q: {
    userId: number;
    filter: ContactFilter;
    after?: ContactCursor;
    limit: number;
  }): Promise<ContactPage> {
    const { sql, params, by } = pageQuery(q.userId, q.filter, q.after, q.limit);
    const rows = this.st.get(sql).all(...params) as ContactRow[];
    const contacts = rows.map(toContact);
    const last = contacts.at(-1);
    return {
      contacts,
      next:
        last === undefined || contacts.length < q.limit
          ? undefined
          : by === 'msisdn'
            ? { by, msisdn: last.msisdn }
            : { by, id: last.id },
    };
  }

  async listContactIds(q: {
    userId: number;
    filter: ContactFilter;
    after?: ContactCursor;
    limit: number;
  }): Promise<{ ids: number[]; next: ContactCursor | undefined }> {
    const { sql, params, by } = pageQuery(q.userId, q.filter, q.after, q.limit, 'c.id, c.msisdn');
    const rows = this.st.get(sql).all(...params) as { id: number; msisdn: string }[];
    const last = rows.at(-1);
    return {
      ids: rows.map((r) => r.id),
      next:
        last === undefined || rows.length < q.limit
          ? undefined
          : by === 'msisdn'
            ? { by, msisdn: last.msisdn }
            : { by, id: last.id },
    };
  }

  async countContacts(q: { userId: number; filter: ContactFilter }): Promise<number> {
    const f = filterQuery(q.userId, q.filter);
    return (this.st.get(`SELECT count(*) AS n ${f.from} WHERE ${f.where}`).get(...f.params) as { n: number })
      .n;
  }

  async fieldKeys(q: { userId: number; limit: number }): Promise<string[]> {
    return (
      this.st
        .get(
          'SELECT DISTINCT j.key AS k FROM contacts c, json_each(c.fields) j WHERE c.user_id = ? ORDER BY j.key LIMIT ?',
        )
        .all(q.userId, q.limit) as { k: string }[]
    ).map((r) => r.k);
  }

  updateGroup(q: {
    userId: number;
    id: number;
    name?: string;
    description?: string | null;
  }): Promise<ContactGroup | undefined> {
    return this.h.write(() => {
      const row = this.st
        .get('SELECT * FROM contact_groups WHERE id = ? AND user_id = ?')
        .get(q.id, q.userId) as GroupRow | undefined;
      if (!row) return undefined;
      const name = q.name ?? row.name;
      if (
        name !== row.name &&
        this.st.get('SELECT 1 FROM contact_groups WHERE user_id = ? AND name = ?').get(q.userId, name) !==
          undefined
      )
        throw new ContactGroupExistsError(name);
      const description = q.description !== undefined ? q.description : row.description;
      const now = Date.now();
      this.st
        .get('UPDATE contact_groups SET name = ?, description = ?, updated_at = ? WHERE id = ?')
        .run(name, description, now, row.id);
      return toContactGroup({ ...row, name, description, updated_at: now });
    });
  }

  deleteGroup(q: { userId: number; id: number }): Promise<boolean> {
    return this.h.write(() => {
      if (!this.hasGroup(q.userId, q.id)) return false;
      this.st.get('DELETE FROM contact_group_members WHERE group_id = ?').run(q.id);
      this.st.get('DELETE FROM contact_groups WHERE id = ?').run(q.id);
      return true;
    });
  }

  addMatchingToGroup(q: { userId: number; groupId: number; filter: ContactFilter }): Promise<number> {
    return this.h.write(() => {
      this.requireGroup(q.userId, q.groupId);
      const f = filterQuery(q.userId, q.filter);
      const now = Date.now();
      const n = this.st
        .get(
          `INSERT INTO contact_group_members (group_id, contact_id, added_at) SELECT ?, c.id, ? ${f.from} WHERE ${f.where} ON CONFLICT DO NOTHING`,
        )
        .run(q.groupId, now, ...f.params).changes;
      if (n > 0)
        this.st
          .get('UPDATE contact_groups SET members = members + ?, updated_at = ? WHERE id = ?')
          .run(n, now, q.groupId);
      return n;
    });
  }

  removeMatchingFromGroup(q: { userId: number; groupId: number; filter: ContactFilter }): Promise<number> {
    return this.h.write(() => {
      this.requireGroup(q.userId, q.groupId);
      const f = filterQuery(q.userId, q.filter);
      const n = this.st
        .get(
          `DELETE FROM contact_group_members WHERE group_id = ? AND contact_id IN (SELECT c.id ${f.from} WHERE ${f.where})`,
        )
        .run(q.groupId, ...f.params).changes;
      if (n > 0)
        this.st
          .get('UPDATE contact_groups SET members = members - ?, updated_at = ? WHERE id = ?')
          .run(n, Date.now(), q.groupId);
      return n;
    });
  }

  createGroup(g: { userId: number; name: string; description?: string | null }): Promise<ContactGroup> {
    return this.h.write(() => {
      const now = Date.now();
      const r = this.st
        .get(
          'INSERT INTO contact_groups (user_id, name, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, name) DO NOTHING',
        )
        .run(g.userId, g.name, g.description ?? null, now, now);
      if (r.changes === 0) throw new ContactGroupExistsError(g.name);
      return toContactGroup(
        this.st.get('SELECT * FROM contact_groups WHERE id = ?').get(Number(r.lastInsertRowid)) as GroupRow,
      );
    });
  }

  async getGroup(q: { userId: number; id: number }): Promise<ContactGroup | undefined> {
    const r = this.st.get('SELECT * FROM contact_groups WHERE id = ? AND user_id = ?').get(q.id, q.userId) as
      GroupRow | undefined;
    return r && toContactGroup(r);
  }

  async getGroupByName(q: { userId: number; name: string }): Promise<ContactGroup | undefined> {
    const r = this.st
      .get('SELECT * FROM contact_groups WHERE user_id = ? AND name = ?')
      .get(q.userId, q.name) as GroupRow | undefined;
    return r && toContactGroup(r);
  }

  async listGroups(q: { userId: number }): Promise<ContactGroup[]> {
    return (
      this.st.get('SELECT * FROM contact_groups WHERE user_id = ? ORDER BY name').all(q.userId) as GroupRow[]
    ).map(toContactGroup);
  }

  addToGroup(m: GroupMembers): Promise<number> {
    return this.h.write(() => {
      this.requireGroup(m.userId, m.groupId);
      return this.addMembers(m.groupId, this.ownContacts(m.userId, m.contactIds), Date.now());
    });
  }

  removeFromGroup(m: GroupMembers): Promise<number> {
    return this.h.write(() => {
      this.requireGroup(m.userId, m.groupId);
      const del = this.st.get('DELETE FROM contact_group_members WHERE group_id = ? AND contact_id = ?');
      let n = 0;
      for (const id of m.contactIds) n += del.run(m.groupId, id).changes;
      if (n > 0)
        this.st
          .get('UPDATE contact_groups SET members = members - ?, updated_at = ? WHERE id = ?')
          .run(n, Date.now(), m.groupId);
      return n;
    });
  }

  /** Inside a write: throws UnknownContactGroupError unless the group is the account's. */
  private requireGroup(userId: number, groupId: number): void {
    if (
      this.st.get('SELECT 1 FROM contact_groups WHERE id = ? AND user_id = ?').get(groupId, userId) ===
      undefined
    )
      throw new UnknownContactGroupError(groupId);
  }

  /** The ids among `ids` that are the account's contacts. */
  private ownContacts(userId: number, ids: number[]): number[] {
    const own = this.st.get('SELECT 1 FROM contacts WHERE id = ? AND user_id = ?');
    return ids.filter((id) => own.get(id, userId) !== undefined);
  }

  /** Inside a write: adds members, keeps the group's count; returns how many were new. */
  private addMembers(groupId: number, contactIds: number[], now: number): number {
    const add = this.st.get(
      'INSERT INTO contact_group_members (group_id, contact_id, added_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    );
    let n = 0;
    for (const id of contactIds) n += add.run(groupId, id, now).changes;
    if (n > 0)
      this.st
        .get('UPDATE contact_groups SET members = members + ?, updated_at = ? WHERE id = ?')
        .run(n, now, groupId);
    return n;
  }
}

/**
 * A contact row's columns with its group ids and its opt-outs, as JSON arrays: one query
 * for a page, not one per row. The opt-outs are the gateway's own list (`optouts`).
 */
const CONTACT_COLUMNS = `c.*,
  (SELECT json_group_array(group_id) FROM (SELECT group_id FROM contact_group_members WHERE contact_id = c.id ORDER BY group_id)) AS groups_json,
  (SELECT json_group_array(json_object('sender', sender, 'at', at)) FROM (SELECT sender, at FROM optouts WHERE msisdn = c.msisdn ORDER BY sender)) AS optouts_json`;

export function toContact(r: ContactRow): Contact {
  return {
    id: r.id,
    userId: r.user_id,
    msisdn: r.msisdn,
    firstName: r.first_name,
    lastName: r.last_name,
    fields: JSON.parse(r.fields) as Record<string, string>,
    notes: r.notes,
    groups: r.groups_json ? (JSON.parse(r.groups_json) as number[]) : [],
    optOuts: r.optouts_json ? (JSON.parse(r.optouts_json) as { sender: string; at: number }[]) : [],
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** The end of a number-prefix range: "447" → "448", "4479" → "448", "99" → none. */
export function prefixEnd(prefix: string): string | undefined {
  const p = prefix.replace(/9+$/, '');
  return p === '' ? undefined : p.slice(0, -1) + String(Number(p.at(-1)) + 1);
}

/** LIKE's wildcards taken literally (ESCAPE '\\'). */
const likeLiteral = (s: string): string => s.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/**
 * FROM and WHERE of the account's contacts a filter matches (alias `c`). A group drives the
 * scan from its memberships (CROSS JOIN keeps SQLite from reordering): a small group of a
 * large account is read by its key, not found by probing every contact.
 */
function filterQuery(userId: number, f: ContactFilter): { from: string; where: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  let from = 'FROM contacts c';
  if (f.groupId !== undefined) {
    from = 'FROM contact_group_members m CROSS JOIN contacts c ON c.id = m.contact_id';
    where.push('m.group_id = ?');
    params.push(f.groupId);
  } else if (f.field !== undefined && !f.numberPrefix) {
    // A custom field value drives the scan from its index rows (aliased m as a group's
    // memberships are, so pages key on m.contact_id the same way).
    from = 'FROM contact_fields m CROSS JOIN contacts c ON c.id = m.contact_id';
    where.push('m.user_id = ? AND m.key = ? AND m.value = ?');
    params.push(userId, f.field.key, f.field.value);
  }
  where.push('c.user_id = ?');
  params.push(userId);
  if (f.numberPrefix !== undefined && f.numberPrefix !== '') {
    where.push('c.msisdn >= ?');
    params.push(f.numberPrefix);
    const end = prefixEnd(f.numberPrefix);
    if (end !== undefined) {
      where.push('c.msisdn < ?');
      params.push(end);
    }
  }
  if (f.name !== undefined && f.name !== '') {
    const like = `${likeLiteral(f.name.toLowerCase())}%`;
    where.push(
      `(lower(c.first_name) LIKE ? ESCAPE '\\' OR lower(c.last_name) LIKE ? ESCAPE '\\' OR lower(c.first_name || ' ' || c.last_name) LIKE ? ESCAPE '\\')`,
    );
    params.push(like, like, like);
  }
  if (f.field !== undefined && !from.includes('contact_fields')) {
    where.push(
      'EXISTS (SELECT 1 FROM contact_fields cf WHERE cf.user_id = c.user_id AND cf.key = ? AND cf.value = ? AND cf.contact_id = c.id)',
    );
    params.push(f.field.key, f.field.value);
  }
  if (f.optedOut !== undefined)
    where.push(`${f.optedOut ? '' : 'NOT '}EXISTS (SELECT 1 FROM optouts o WHERE o.msisdn = c.msisdn)`);
  if (f.ids !== undefined) {
    where.push('c.id IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(f.ids));
  }
  return { from, where: where.join(' AND '), params };
}

/**
 * A keyset page: by number when the filter has a number prefix (the (user_id, msisdn)
 * index gives the range in order), else by id ((user_id, id), or a group's memberships).
 */
export function pageQuery(
  userId: number,
  f: ContactFilter,
  after: ContactCursor | undefined,
  limit: number,
  columns = CONTACT_COLUMNS,
): { sql: string; params: unknown[]; by: ContactCursor['by'] } {
  const q = filterQuery(userId, f);
  const by: ContactCursor['by'] = f.numberPrefix ? 'msisdn' : 'id';
  const key = by === 'msisdn' ? 'c.msisdn' : q.from.includes(' m ') ? 'm.contact_id' : 'c.id';
  let where = q.where;
  const params = [...q.params];
  if (after !== undefined) {
    where += ` AND ${key} > ?`;
    params.push(after.by === 'msisdn' ? after.msisdn : after.id);
  }
  params.push(limit);
  return {
    sql: `SELECT ${columns} ${q.from} WHERE ${where} ORDER BY ${key} LIMIT ?`,
    params,
    by,
  };
}

/** A stored contact with what was given merged in (absent fields stay; custom fields add up). */
function merged(
  row: ContactRow,
  c: ContactInput,
): {
  firstName: string | null;
  lastName: string | null;
  fields: Record<string, string>;
  notes: string | null;
} {
  return {
    firstName: c.firstName !== undefined ? c.firstName : row.first_name,
    lastName: c.lastName !== undefined ? c.lastName : row.last_name,
    fields: { ...(JSON.parse(row.fields) as Record<string, string>), ...(c.fields ?? {}) },
    notes: c.notes !== undefined ? c.notes : row.notes,
  };
}
