/**
 * Contacts and contact groups on PostgreSQL (ContactStore). A batch of contacts is one
 * statement (unnest of column arrays: insert the new, update the existing), so an import
 * costs a round trip per batch, not per row.
 */
import type pg from 'pg';
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
  {
    // Keyset pages in id order; custom-field equality (fields @> '{"k":"v"}') by a GIN index.
    name: 'contacts/2',
    sql: `CREATE INDEX contacts_by_user ON contacts (user_id, id);
     CREATE INDEX contacts_fields ON contacts USING gin (fields jsonb_path_ops);
     CREATE INDEX contact_group_members_by_contact_group ON contact_group_members (contact_id, group_id);
     DROP INDEX contact_group_members_by_contact;`,
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
    return this.h.write(async (c) => {
      if (u.groupId !== undefined) await requireGroup(c, u.userId, u.groupId);
      return upsertWith(c, u, Date.now());
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

  async updateContact(q: { userId: number; id: number; patch: ContactPatch }): Promise<Contact | undefined> {
    const p = q.patch;
    const done = await this.h.write(async (c) => {
      const { rows } = await c.query(
        'SELECT msisdn FROM contacts WHERE id = $1 AND user_id = $2 FOR UPDATE',
        [q.id, q.userId],
      );
      if (rows.length === 0) return false;
      if (p.msisdn !== undefined && p.msisdn !== (rows[0] as Row).msisdn) {
        const taken = await c.query('SELECT 1 FROM contacts WHERE user_id = $1 AND msisdn = $2', [
          q.userId,
          p.msisdn,
        ]);
        if ((taken.rowCount ?? 0) > 0) throw new ContactExistsError(p.msisdn);
      }
      const set: Record<string, string> = {};
      const remove: string[] = [];
      for (const [k, v] of Object.entries(p.fields ?? {}))
        if (v === null) remove.push(k);
        else set[k] = v;
      await c.query(
        `UPDATE contacts SET
           msisdn = COALESCE($3, msisdn),
           first_name = CASE WHEN $4 THEN $5 ELSE first_name END,
           last_name = CASE WHEN $6 THEN $7 ELSE last_name END,
           notes = CASE WHEN $8 THEN $9 ELSE notes END,
           fields = (fields || $10::jsonb) - $11::text[],
           updated_at = $12
         WHERE id = $1 AND user_id = $2`,
        [
          q.id,
          q.userId,
          p.msisdn ?? null,
          p.firstName !== undefined,
          p.firstName ?? null,
          p.lastName !== undefined,
          p.lastName ?? null,
          p.notes !== undefined,
          p.notes ?? null,
          JSON.stringify(set),
          remove,
          Date.now(),
        ],
      );
      return true;
    });
    return done ? this.getContact(q) : undefined;
  }

  deleteContacts(q: { userId: number; filter: ContactFilter }): Promise<number> {
    return this.h.write(async (c) => {
      const f = filterQuery(q.userId, q.filter, []);
      // One statement: the contacts, their memberships and the groups' counts together.
      const { rows } = await c.query(
        `WITH doomed AS (
           DELETE FROM contacts WHERE id IN (SELECT c.id ${f.from} WHERE ${f.where}) RETURNING id
         ), gone AS (
           DELETE FROM contact_group_members m USING doomed d WHERE m.contact_id = d.id RETURNING m.group_id
         ), counts AS (
           SELECT group_id, count(*) AS n FROM gone GROUP BY group_id
         ), upd AS (
           UPDATE contact_groups g SET members = g.members - counts.n, updated_at = $${f.params.length + 1}
           FROM counts WHERE g.id = counts.group_id
         )
         SELECT count(*) AS n FROM doomed`,
        [...f.params, Date.now()],
      );
      return num((rows[0] as Row).n);
    });
  }

  async listContacts(q: {
    userId: number;
    filter: ContactFilter;
    after?: ContactCursor;
    limit: number;
  }): Promise<ContactPage> {
    const { rows, next } = await this.page(q, CONTACT_COLUMNS);
    return { contacts: rows.map(toContact), next };
  }

  async listContactIds(q: {
    userId: number;
    filter: ContactFilter;
    after?: ContactCursor;
    limit: number;
  }): Promise<{ ids: number[]; next: ContactCursor | undefined }> {
    const { rows, next } = await this.page(q, 'c.id, c.msisdn');
    return { ids: rows.map((r) => num(r.id)), next };
  }

  /** A keyset page: by number with a number prefix, else by id (a group's by its memberships). */
  private async page(
    q: { userId: number; filter: ContactFilter; after?: ContactCursor; limit: number },
    columns: string,
  ): Promise<{ rows: Row[]; next: ContactCursor | undefined }> {
    const f = filterQuery(q.userId, q.filter, []);
    const by: ContactCursor['by'] = q.filter.numberPrefix ? 'msisdn' : 'id';
    const key = by === 'msisdn' ? 'c.msisdn' : q.filter.groupId !== undefined ? 'm.contact_id' : 'c.id';
    const params = [...f.params];
    let where = f.where;
    if (q.after !== undefined) {
      params.push(q.after.by === 'msisdn' ? q.after.msisdn : q.after.id);
      where += ` AND ${key} > $${params.length}`;
    }
    params.push(q.limit);
    const { rows } = await this.h.pool.query(
      `SELECT ${columns} ${f.from} WHERE ${where} ORDER BY ${key} LIMIT $${params.length}`,
      params,
    );
    const last = (rows as Row[]).at(-1);
    return {
      rows: rows as Row[],
      next:
        last === undefined || rows.length < q.limit
          ? undefined
          : by === 'msisdn'
            ? { by, msisdn: last.msisdn as string }
            : { by, id: num(last.id) },
    };
  }

  async countContacts(q: { userId: number; filter: ContactFilter }): Promise<number> {
    const f = filterQuery(q.userId, q.filter, []);
    const { rows } = await this.h.pool.query(`SELECT count(*) AS n ${f.from} WHERE ${f.where}`, f.params);
    return num((rows[0] as Row).n);
  }

  async fieldKeys(q: { userId: number; limit: number }): Promise<string[]> {
    const { rows } = await this.h.pool.query(
      'SELECT DISTINCT k FROM contacts c, jsonb_object_keys(c.fields) AS k WHERE c.user_id = $1 ORDER BY k LIMIT $2',
      [q.userId, q.limit],
    );
    return (rows as Row[]).map((r) => r.k as string);
  }

  updateGroup(q: {
    userId: number;
    id: number;
    name?: string;
    description?: string | null;
  }): Promise<ContactGroup | undefined> {
    return this.h.write(async (c) => {
      const { rows } = await c.query(
        'SELECT * FROM contact_groups WHERE id = $1 AND user_id = $2 FOR UPDATE',
        [q.id, q.userId],
      );
      const row = rows[0] as Row | undefined;
      if (!row) return undefined;
      const name = q.name ?? (row.name as string);
      if (name !== row.name) {
        const taken = await c.query('SELECT 1 FROM contact_groups WHERE user_id = $1 AND name = $2', [
          q.userId,
          name,
        ]);
        if ((taken.rowCount ?? 0) > 0) throw new ContactGroupExistsError(name);
      }
      const { rows: out } = await c.query(
        'UPDATE contact_groups SET name = $2, description = $3, updated_at = $4 WHERE id = $1 RETURNING *',
        [q.id, name, q.description !== undefined ? q.description : row.description, Date.now()],
      );
      return toContactGroup(out[0] as Row);
    });
  }

  deleteGroup(q: { userId: number; id: number }): Promise<boolean> {
    return this.h.write(async (c) => {
      const r = await c.query(
        `WITH g AS (DELETE FROM contact_groups WHERE id = $1 AND user_id = $2 RETURNING id),
              m AS (DELETE FROM contact_group_members WHERE group_id IN (SELECT id FROM g))
         SELECT id FROM g`,
        [q.id, q.userId],
      );
      return (r.rowCount ?? 0) > 0;
    });
  }

  addMatchingToGroup(q: { userId: number; groupId: number; filter: ContactFilter }): Promise<number> {
    return this.h.write(async (c) => {
      await requireGroup(c, q.userId, q.groupId);
      const now = Date.now();
      const f = filterQuery(q.userId, q.filter, [q.groupId, now]);
      const r = await c.query(
        `INSERT INTO contact_group_members (group_id, contact_id, added_at)
         SELECT $1, c.id, $2 ${f.from} WHERE ${f.where} ON CONFLICT DO NOTHING`,
        f.params,
      );
      const n = r.rowCount ?? 0;
      if (n > 0)
        await c.query('UPDATE contact_groups SET members = members + $1, updated_at = $2 WHERE id = $3', [
          n,
          now,
          q.groupId,
        ]);
      return n;
    });
  }

  removeMatchingFromGroup(q: { userId: number; groupId: number; filter: ContactFilter }): Promise<number> {
    return this.h.write(async (c) => {
      await requireGroup(c, q.userId, q.groupId);
      const f = filterQuery(q.userId, q.filter, [q.groupId]);
      const r = await c.query(
        `DELETE FROM contact_group_members WHERE group_id = $1 AND contact_id IN (SELECT c.id ${f.from} WHERE ${f.where})`,
        f.params,
      );
      const n = r.rowCount ?? 0;
      if (n > 0)
        await c.query('UPDATE contact_groups SET members = members - $1, updated_at = $2 WHERE id = $3', [
          n,
          Date.now(),
          q.groupId,
        ]);
      return n;
    });
  }

  private async contactWhere(where: string, params: unknown[]): Promise<Contact | undefined> {
    const { rows } = await this.h.pool.query(
      `SELECT ${CONTACT_COLUMNS} FROM contacts c WHERE c.user_id = $1 AND ${where}`,
      params,
    );
    const r = rows[0] as Row | undefined;
    return r && toContact(r);
  }
}

/** A contact's columns with its group ids and its opt-outs (the gateway's own `optouts` list). */
const CONTACT_COLUMNS = `c.*,
  COALESCE((SELECT array_agg(gm.group_id ORDER BY gm.group_id) FROM contact_group_members gm WHERE gm.contact_id = c.id), '{}') AS groups,
  COALESCE((SELECT jsonb_agg(jsonb_build_object('sender', o.sender, 'at', o.at) ORDER BY o.sender) FROM optouts o WHERE o.msisdn = c.msisdn), '[]') AS opt_outs`;

/** The end of a number-prefix range: "447" → "448", "4479" → "448", "99" → none. */
function prefixEnd(prefix: string): string | undefined {
  const p = prefix.replace(/9+$/, '');
  return p === '' ? undefined : p.slice(0, -1) + String(Number(p.at(-1)) + 1);
}

/** LIKE's wildcards taken literally (ILIKE's default escape is the backslash). */
const likeLiteral = (s: string): string => s.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/**
 * FROM and WHERE of the account's contacts a filter matches (alias `c`), its parameters
 * after `params`. A group drives the scan from its memberships.
 */
function filterQuery(
  userId: number,
  f: ContactFilter,
  params: unknown[],
): { from: string; where: string; params: unknown[] } {
  const out = [...params];
  const p = (v: unknown): string => {
    out.push(v);
    return `$${out.length}`;
  };
  const where: string[] = [];
  let from = 'FROM contacts c';
  if (f.groupId !== undefined) {
    from = 'FROM contact_group_members m JOIN contacts c ON c.id = m.contact_id';
    where.push(`m.group_id = ${p(f.groupId)}`);
  }
  where.push(`c.user_id = ${p(userId)}`);
  if (f.numberPrefix !== undefined && f.numberPrefix !== '') {
    where.push(`c.msisdn >= ${p(f.numberPrefix)}`);
    const end = prefixEnd(f.numberPrefix);
    if (end !== undefined) where.push(`c.msisdn < ${p(end)}`);
  }
  if (f.name !== undefined && f.name !== '') {
    const like = p(`${likeLiteral(f.name)}%`);
    where.push(
      `(c.first_name ILIKE ${like} OR c.last_name ILIKE ${like} OR (c.first_name || ' ' || c.last_name) ILIKE ${like})`,
    );
  }
  if (f.field !== undefined)
    where.push(`c.fields @> ${p(JSON.stringify({ [f.field.key]: f.field.value }))}::jsonb`);
  if (f.optedOut !== undefined)
    where.push(`${f.optedOut ? '' : 'NOT '}EXISTS (SELECT 1 FROM optouts o WHERE o.msisdn = c.msisdn)`);
  if (f.ids !== undefined) where.push(`c.id = ANY(${p(f.ids)}::bigint[])`);
  return { from, where: where.join(' AND '), params: out };
}

/** Inside a write (the import's batch too): upserts, adds to the group (checked by the caller). One statement, and one for the group. */
export async function upsertWith(
  c: pg.PoolClient,
  u: UpsertContacts,
  now: number,
): Promise<UpsertedContacts> {
  // One row per number (a number twice in a batch would be updated twice by one statement).
  const byNumber = new Map<string, ContactInput>();
  for (const x of u.contacts) {
    const prev = byNumber.get(x.msisdn);
    byNumber.set(x.msisdn, prev ? { ...prev, ...x, fields: { ...prev.fields, ...x.fields } } : x);
  }
  const rows = [...byNumber.values()];
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
  optOuts: ((r.opt_outs as { sender: string; at: unknown }[] | undefined) ?? []).map((o) => ({
    sender: o.sender,
    at: num(o.at),
  })),
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
