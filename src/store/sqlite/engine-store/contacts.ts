/** Contacts and contact groups on SQLite (ContactStore). */
import type {
  Contact,
  ContactGroup,
  ContactInput,
  ContactStore,
  GroupMembers,
  UpsertContacts,
  UpsertedContacts,
} from '../../engine-store/contacts.js';
import { ContactGroupExistsError, UnknownContactGroupError } from '../../engine-store/errors.js';
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
];

interface ContactRow {
  id: number;
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
  }

  upsertContacts(u: UpsertContacts): Promise<UpsertedContacts> {
    return this.h.write(() => {
      if (u.groupId !== undefined) this.requireGroup(u.userId, u.groupId);
      const now = Date.now();
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
    });
  }

  async getContact(q: { userId: number; id: number }): Promise<Contact | undefined> {
    const r = this.st.get('SELECT * FROM contacts WHERE id = ? AND user_id = ?').get(q.id, q.userId) as
      ContactRow | undefined;
    return r && this.toContact(r);
  }

  async getContactByNumber(q: { userId: number; msisdn: string }): Promise<Contact | undefined> {
    const r = this.st
      .get('SELECT * FROM contacts WHERE user_id = ? AND msisdn = ?')
      .get(q.userId, q.msisdn) as ContactRow | undefined;
    return r && this.toContact(r);
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

  private toContact(r: ContactRow): Contact {
    const groups = (
      this.st
        .get('SELECT group_id FROM contact_group_members WHERE contact_id = ? ORDER BY group_id')
        .all(r.id) as { group_id: number }[]
    ).map((g) => g.group_id);
    return {
      id: r.id,
      userId: r.user_id,
      msisdn: r.msisdn,
      firstName: r.first_name,
      lastName: r.last_name,
      fields: JSON.parse(r.fields) as Record<string, string>,
      notes: r.notes,
      groups,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }
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
