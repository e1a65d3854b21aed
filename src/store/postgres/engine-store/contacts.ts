/**
 * Contacts and contact groups on PostgreSQL (ContactStore). A batch of contacts is one
 * statement (unnest of column arrays: insert the new, update the existing), so an import
 * costs a round trip per batch, not per row.
 */
import type pg from 'pg';
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
import { num, type NamedMigration, type PgHandle } from './handle.js';

export const CONTACTS_MIGRATIONS: readonly NamedMigration[] = [
  {
    name: 'contacts/1',
    sql: `CREATE TABLE contacts (
       id BIGSERIAL PRIMARY KEY,
       user_id INTEGER NOT NULL,
       msisdn TEXT NOT NULL,
       first_name TEXT,
       last_name TEXT,
       fields JSONB NOT NULL DEFAULT '{}',
       notes TEXT,
       created_at BIGINT NOT NULL,
       updated_at BIGINT NOT NULL,
       UNIQUE (user_id, msisdn)
     );
     CREATE TABLE contact_groups (
       id BIGSERIAL PRIMARY KEY,
       user_id INTEGER NOT NULL,
       name TEXT NOT NULL,
       description TEXT,
       members INTEGER NOT NULL DEFAULT 0,
       created_at BIGINT NOT NULL,
       updated_at BIGINT NOT NULL,
       UNIQUE (user_id, name)
     );
     CREATE TABLE contact_group_members (
       group_id BIGINT NOT NULL,
       contact_id BIGINT NOT NULL,
       added_at BIGINT NOT NULL,
       PRIMARY KEY (group_id, contact_id)
     );
     CREATE INDEX contact_group_members_by_contact ON contact_group_members (contact_id);`,
  },
];

type Row = Record<string, unknown>;

export const toContactGroup = (r: Row): ContactGroup => ({
  id: num(r.id),
  userId: num(r.user_id),
  name: r.name as string,
  description: (r.description as string | null) ?? null,
  members: num(r.members),
  createdAt: num(r.created_at),
  updatedAt: num(r.updated_at),
});

// Bits of `given`: which optional fields a row sets (absent ones stay as stored).
const FIRST = 1;
const LAST = 2;
const NOTES = 4;

export class PgContactStore implements ContactStore {
  constructor(private readonly h: PgHandle) {}

  upsertContacts(u: UpsertContacts): Promise<UpsertedContacts> {
    // One row per number (a number twice in a batch would be updated twice by one statement).
    const byNumber = new Map<string, ContactInput>();
    for (const c of u.contacts) {
      const prev = byNumber.get(c.msisdn);
      byNumber.set(c.msisdn, prev ? { ...prev, ...c, fields: { ...prev.fields, ...c.fields } } : c);
    }
    const rows = [...byNumber.values()];
    return this.h.write(async (c) => {
      if (u.groupId !== undefined) await requireGroup(c, u.userId, u.groupId);
      const now = Date.now();
      const { rows: done } = await c.query(
        `WITH d AS (
           SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::jsonb[], $6::text[], $7::int[])
             AS d(msisdn, first_name, last_name, fields, notes, given)
         ), ins AS (
           INSERT INTO contacts (user_id, msisdn, first_name, last_name, fields, notes, created_at, updated_at)
           SELECT $1, msisdn, first_name, last_name, fields, notes, $8, $8 FROM d
           ON CONFLICT (user_id, msisdn) DO NOTHING
           RETURNING id, msisdn
         ), upd AS (
           UPDATE contacts c SET
             first_name = CASE WHEN d.given & ${FIRST} <> 0 THEN d.first_name ELSE c.first_name END,
             last_name = CASE WHEN d.given & ${LAST} <> 0 THEN d.last_name ELSE c.last_name END,
             notes = CASE WHEN d.given & ${NOTES} <> 0 THEN d.notes ELSE c.notes END,
             fields = c.fields || d.fields,
             updated_at = $8
           FROM d WHERE c.user_id = $1 AND c.msisdn = d.msisdn
           RETURNING c.id, c.msisdn
         )
         SELECT id, msisdn, true AS created FROM ins UNION ALL SELECT id, msisdn, false FROM upd`,
        [
          u.userId,
          rows.map((r) => r.msisdn),
          rows.map((r) => r.firstName ?? null),
          rows.map((r) => r.lastName ?? null),
          rows.map((r) => JSON.stringify(r.fields ?? {})),
          rows.map((r) => r.notes ?? null),
          rows.map(
            (r) =>
              (r.firstName !== undefined ? FIRST : 0) |
              (r.lastName !== undefined ? LAST : 0) |
              (r.notes !== undefined ? NOTES : 0),
          ),
          now,
        ],
      );
      const idOf = new Map<string, number>();
      let created = 0;
      for (const r of done as Row[]) {
        idOf.set(r.msisdn as string, num(r.id));
        if (r.created === true) created++;
      }
      const out: UpsertedContacts = {
        created,
        updated: u.contacts.length - created,
        ids: u.contacts.map((c) => idOf.get(c.msisdn)!),
      };
      if (u.groupId !== undefined) await addMembers(c, u.groupId, [...idOf.values()], now);
      return out;
    });
  }

  async getContact(q: { userId: number; id: number }): Promise<Contact | undefined> {
    return this.contactWhere('c.id = $2', [q.userId, q.id]);
  }

  async getContactByNumber(q: { userId: number; msisdn: string }): Promise<Contact | undefined> {
    return this.contactWhere('c.msisdn = $2', [q.userId, q.msisdn]);
  }

  createGroup(g: { userId: number; name: string; description?: string | null }): Promise<ContactGroup> {
    return this.h.write(async (c) => {
      const now = Date.now();
      const { rows } = await c.query(
        `INSERT INTO contact_groups (user_id, name, description, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
         ON CONFLICT (user_id, name) DO NOTHING RETURNING *`,
        [g.userId, g.name, g.description ?? null, now],
      );
      if (rows.length === 0) throw new ContactGroupExistsError(g.name);
      return toContactGroup(rows[0] as Row);
    });
  }

  async getGroup(q: { userId: number; id: number }): Promise<ContactGroup | undefined> {
    const { rows } = await this.h.pool.query('SELECT * FROM contact_groups WHERE id = $1 AND user_id = $2', [
      q.id,
      q.userId,
    ]);
    return rows[0] && toContactGroup(rows[0] as Row);
  }

  async getGroupByName(q: { userId: number; name: string }): Promise<ContactGroup | undefined> {
    const { rows } = await this.h.pool.query(
      'SELECT * FROM contact_groups WHERE user_id = $1 AND name = $2',
      [q.userId, q.name],
    );
    return rows[0] && toContactGroup(rows[0] as Row);
  }

  async listGroups(q: { userId: number }): Promise<ContactGroup[]> {
    const { rows } = await this.h.pool.query(
      'SELECT * FROM contact_groups WHERE user_id = $1 ORDER BY name',
      [q.userId],
    );
    return (rows as Row[]).map(toContactGroup);
  }

  addToGroup(m: GroupMembers): Promise<number> {
    return this.h.write(async (c) => {
      await requireGroup(c, m.userId, m.groupId);
      const { rows } = await c.query(
        'SELECT id FROM contacts WHERE user_id = $1 AND id = ANY($2::bigint[])',
        [m.userId, m.contactIds],
      );
      return addMembers(
        c,
        m.groupId,
        (rows as Row[]).map((r) => num(r.id)),
        Date.now(),
      );
    });
  }

  removeFromGroup(m: GroupMembers): Promise<number> {
    return this.h.write(async (c) => {
      await requireGroup(c, m.userId, m.groupId);
      const r = await c.query(
        'DELETE FROM contact_group_members WHERE group_id = $1 AND contact_id = ANY($2::bigint[])',
        [m.groupId, m.contactIds],
      );
      const n = r.rowCount ?? 0;
      if (n > 0)
        await c.query('UPDATE contact_groups SET members = members - $1, updated_at = $2 WHERE id = $3', [
          n,
          Date.now(),
          m.groupId,
        ]);
      return n;
    });
  }

  private async contactWhere(where: string, params: unknown[]): Promise<Contact | undefined> {
    const { rows } = await this.h.pool.query(
      `SELECT c.*, COALESCE((SELECT array_agg(m.group_id ORDER BY m.group_id) FROM contact_group_members m WHERE m.contact_id = c.id), '{}') AS groups
       FROM contacts c WHERE c.user_id = $1 AND ${where}`,
      params,
    );
    const r = rows[0] as Row | undefined;
    return r && toContact(r);
  }
}

export const toContact = (r: Row): Contact => ({
  id: num(r.id),
  userId: num(r.user_id),
  msisdn: r.msisdn as string,
  firstName: (r.first_name as string | null) ?? null,
  lastName: (r.last_name as string | null) ?? null,
  fields: (r.fields as Record<string, string>) ?? {},
  notes: (r.notes as string | null) ?? null,
  groups: ((r.groups as unknown[] | undefined) ?? []).map(num),
  createdAt: num(r.created_at),
  updatedAt: num(r.updated_at),
});

async function requireGroup(c: pg.PoolClient, userId: number, groupId: number): Promise<void> {
  const { rowCount } = await c.query('SELECT 1 FROM contact_groups WHERE id = $1 AND user_id = $2', [
    groupId,
    userId,
  ]);
  if (rowCount === 0) throw new UnknownContactGroupError(groupId);
}

/** Adds members, keeps the group's count; returns how many were new. */
async function addMembers(
  c: pg.PoolClient,
  groupId: number,
  contactIds: number[],
  now: number,
): Promise<number> {
  const r = await c.query(
    `INSERT INTO contact_group_members (group_id, contact_id, added_at)
     SELECT $1, id, $3 FROM unnest($2::bigint[]) AS id ON CONFLICT DO NOTHING`,
    [groupId, contactIds, now],
  );
  const n = r.rowCount ?? 0;
  if (n > 0)
    await c.query('UPDATE contact_groups SET members = members + $1, updated_at = $2 WHERE id = $3', [
      n,
      now,
      groupId,
    ]);
  return n;
}
