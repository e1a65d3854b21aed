/**
 * Contacts and contact groups as customers manage them: numbers normalised to E.164 before
 * they are stored (one contact per number and account), groups by id or name.
 */
import { InvalidNumberError, callingCodeOfCountry, normalizeMsisdn } from '../domain/index.js';
import type {
  Contact,
  ContactCursor,
  ContactFilter,
  ContactGroup,
  ContactInput,
  ContactPatch,
  ContactStore,
  UpsertedContacts,
} from '../store/engine-store/index.js';
import { csvLine } from './contact-csv.js';
import { invalid, notFound } from './errors.js';

export type { Contact, ContactGroup, ContactInput, ContactPatch, UpsertedContacts };

/** A search as customers write it (REST query, CLI flags). */
export interface ContactQuery {
  /** The start of a number: "+4477", "4477", or national ("07700") with a default country. */
  number?: string;
  /** The start of a first name, a last name or "first last", any case. */
  name?: string;
  /** A custom field's exact value, as "key:value". */
  field?: string;
  group?: number;
  optedOut?: boolean;
}

export interface ContactList {
  contacts: Contact[];
  /** Give it back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** Contacts per transaction of a bulk change by a search. */
const BULK_CHUNK = 5000;

/** The custom field columns an export writes when not told which (the keys found first). */
const EXPORT_FIELDS = 100;

export class ContactService {
  constructor(private readonly store: ContactStore) {}

  /** Creates or merges contacts (ContactStore.upsertContacts); a number that is not one is refused with its index. */
  save(
    userId: number,
    contacts: ContactInput[],
    groupId?: number,
    opts: { defaultCountry?: string | null } = {},
  ): Promise<UpsertedContacts> {
    const normalised = contacts.map((c, i) => ({
      ...c,
      msisdn: numberOf(c.msisdn, `contacts[${i}].msisdn`, opts.defaultCountry),
    }));
    return this.store.upsertContacts({
      userId,
      contacts: normalised,
      ...(groupId !== undefined ? { groupId } : {}),
    });
  }

  get(userId: number, id: number): Promise<Contact | undefined> {
    return this.store.getContact({ userId, id });
  }

  byNumber(userId: number, msisdn: string): Promise<Contact | undefined> {
    return this.store.getContactByNumber({ userId, msisdn: numberOf(msisdn, 'msisdn') });
  }

  /** The account's contact group by name, created when it has none by that name. */
  async groupNamed(userId: number, name: string): Promise<ContactGroup> {
    return (await this.store.getGroupByName({ userId, name })) ?? this.store.createGroup({ userId, name });
  }

  /** Creates a contact group (409 HERMOD_ERR_CONTACT_GROUP_EXISTS for a name in use). */
  createGroup(userId: number, name: string, description?: string | null): Promise<ContactGroup> {
    return this.store.createGroup({ userId, name, ...(description !== undefined ? { description } : {}) });
  }

  group(userId: number, id: number): Promise<ContactGroup | undefined> {
    return this.store.getGroup({ userId, id });
  }

  /** Renames or describes a group (404 when not the account's, 409 for a name in use). */
  async updateGroup(
    userId: number,
    id: number,
    change: { name?: string; description?: string | null },
  ): Promise<ContactGroup> {
    const g = await this.store.updateGroup({ userId, id, ...change });
    if (!g) throw notFound(`contact group ${id}`);
    return g;
  }

  /** Deletes a group; its members stay contacts. */
  async deleteGroup(userId: number, id: number): Promise<void> {
    if (!(await this.store.deleteGroup({ userId, id }))) throw notFound(`contact group ${id}`);
  }

  /** Adds to a group the contacts a search matches (everyone, with an empty one); 404 for a group not the account's. */
  async addMatchingToGroup(userId: number, groupId: number, filter: ContactFilter): Promise<number> {
    if (!(await this.store.getGroup({ userId, id: groupId }))) throw notFound(`contact group ${groupId}`);
    return this.inChunks(userId, filter, (ids) =>
      this.store.addMatchingToGroup({ userId, groupId, filter: { ids } }),
    );
  }

  async removeMatchingFromGroup(userId: number, groupId: number, filter: ContactFilter): Promise<number> {
    if (!(await this.store.getGroup({ userId, id: groupId }))) throw notFound(`contact group ${groupId}`);
    return this.inChunks(userId, filter, (ids) =>
      this.store.removeMatchingFromGroup({ userId, groupId, filter: { ids } }),
    );
  }

  /**
   * A bulk change by a search, BULK_CHUNK contacts per transaction (keyset pages of ids):
   * "everyone" in an account of a million is a thousand short writes, not one that holds the
   * database (and the gateway's writes behind it) for seconds. Returns the sum of the chunks.
   */
  private async inChunks(
    userId: number,
    filter: ContactFilter,
    apply: (ids: number[]) => Promise<number>,
  ): Promise<number> {
    let n = 0;
    let after: ContactCursor | undefined;
    do {
      const page = await this.store.listContactIds({
        userId,
        filter,
        limit: BULK_CHUNK,
        ...(after ? { after } : {}),
      });
      if (page.ids.length > 0) n += await apply(page.ids);
      after = page.next;
    } while (after);
    return n;
  }

  /** Changes a contact (404 when not the account's; 409 when another has the new number). */
  async update(
    userId: number,
    id: number,
    patch: ContactPatch,
    opts: { defaultCountry?: string | null } = {},
  ): Promise<Contact> {
    const p =
      patch.msisdn !== undefined
        ? { ...patch, msisdn: numberOf(patch.msisdn, 'number', opts.defaultCountry) }
        : patch;
    const c = await this.store.updateContact({ userId, id, patch: p });
    if (!c) throw notFound(`contact ${id}`);
    return c;
  }

  async delete(userId: number, id: number): Promise<void> {
    if ((await this.store.deleteContacts({ userId, filter: { ids: [id] } })) === 0)
      throw notFound(`contact ${id}`);
  }

  /** Deletes the contacts a filter matches, a chunk per transaction; returns how many. */
  deleteMatching(userId: number, filter: ContactFilter): Promise<number> {
    return this.inChunks(userId, filter, (ids) => this.store.deleteContacts({ userId, filter: { ids } }));
  }

  /** A search as the store reads it (400 naming the field when it cannot be). */
  filterOf(q: ContactQuery, defaultCountry: string | null = null): ContactFilter {
    const f: ContactFilter = {};
    if (q.number !== undefined && q.number.trim() !== '')
      f.numberPrefix = numberPrefixOf(q.number, defaultCountry);
    if (q.name !== undefined && q.name.trim() !== '') f.name = q.name.trim();
    if (q.field !== undefined) {
      const at = q.field.indexOf(':');
      if (at <= 0) throw invalid('field', 'a custom field as key:value (e.g. code:A1)');
      f.field = { key: q.field.slice(0, at), value: q.field.slice(at + 1) };
    }
    if (q.group !== undefined) f.groupId = q.group;
    if (q.optedOut !== undefined) f.optedOut = q.optedOut;
    return f;
  }

  /** A page of a search; `cursor` is a previous page's nextCursor. */
  async list(userId: number, filter: ContactFilter, limit: number, cursor?: string): Promise<ContactList> {
    const after = cursor !== undefined ? cursorOf(cursor, filter) : undefined;
    const page = await this.store.listContacts({ userId, filter, limit, ...(after ? { after } : {}) });
    return {
      contacts: page.contacts,
      nextCursor: page.next ? Buffer.from(JSON.stringify(page.next)).toString('base64url') : null,
    };
  }

  count(userId: number, filter: ContactFilter): Promise<number> {
    return this.store.countContacts({ userId, filter });
  }

  /**
   * The contacts a filter matches as CSV, a page at a time (keyset), never the whole list
   * in memory: number, first_name, last_name, notes, groups (names, ";"-separated),
   * opted_out, created_at, updated_at, then one column per custom field (`fields`, or the
   * keys the account uses). Read back by an import, the extra columns are not fields.
   */
  async *exportCsv(userId: number, filter: ContactFilter, fields?: string[]): AsyncGenerator<string> {
    const keys = fields ?? (await this.store.fieldKeys({ userId, limit: EXPORT_FIELDS }));
    const groupNames = new Map((await this.store.listGroups({ userId })).map((g) => [g.id, g.name]));
    yield csvLine([
      'number',
      'first_name',
      'last_name',
      'notes',
      'groups',
      'opted_out',
      'created_at',
      'updated_at',
      ...keys,
    ]);
    let after: ContactCursor | undefined;
    do {
      const page = await this.store.listContacts({
        userId,
        filter,
        limit: 1000,
        ...(after ? { after } : {}),
      });
      yield page.contacts
        .map((c) =>
          csvLine([
            `+${c.msisdn}`,
            c.firstName,
            c.lastName,
            c.notes,
            c.groups.map((g) => groupNames.get(g) ?? String(g)).join(';'),
            c.optOuts.length > 0 ? 'true' : 'false',
            new Date(c.createdAt).toISOString(),
            new Date(c.updatedAt).toISOString(),
            ...keys.map((k) => c.fields[k]),
          ]),
        )
        .join('');
      after = page.next;
    } while (after);
  }

  groups(userId: number): Promise<ContactGroup[]> {
    return this.store.listGroups({ userId });
  }

  addToGroup(userId: number, groupId: number, contactIds: number[]): Promise<number> {
    return this.store.addToGroup({ userId, groupId, contactIds });
  }

  removeFromGroup(userId: number, groupId: number, contactIds: number[]): Promise<number> {
    return this.store.removeFromGroup({ userId, groupId, contactIds });
  }
}

/** E.164 digits, or a validation error naming the field. */
function numberOf(input: string, field: string, defaultCountry?: string | null): string {
  try {
    return normalizeMsisdn(input, { defaultCountry: defaultCountry ?? null });
  } catch (err) {
    throw invalid(field, err instanceof InvalidNumberError ? err.message : String(err));
  }
}

/** The digits a number starts with: "+44 77" → "4477"; national ("077") with a default country. */
function numberPrefixOf(input: string, defaultCountry: string | null): string {
  const s = input.trim().replace(/[\s().-]/g, '');
  if (!/^(\+|00)?\d+$/.test(s)) throw invalid('number', 'the start of a number: digits, a leading + allowed');
  if (s.startsWith('+')) return s.slice(1);
  if (s.startsWith('00')) return s.slice(2);
  // A trunk prefix 0 stands for the default country's calling code (GB "077" → "4477").
  if (s.startsWith('0') && defaultCountry) return callingCodeOfCountry(defaultCountry) + s.slice(1);
  return s;
}

/** A nextCursor back as a keyset position; a cursor of another kind of search is refused. */
function cursorOf(cursor: string, filter: ContactFilter): ContactCursor {
  let c: unknown;
  try {
    c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid('cursor', 'not a cursor this API gave');
  }
  const want = filter.numberPrefix ? 'msisdn' : 'id';
  const o = c as Partial<{ by: string; id: unknown; msisdn: unknown }>;
  if (want === 'id' && o.by === 'id' && Number.isSafeInteger(o.id)) return { by: 'id', id: o.id as number };
  if (want === 'msisdn' && o.by === 'msisdn' && typeof o.msisdn === 'string' && /^\d{1,20}$/.test(o.msisdn))
    return { by: 'msisdn', msisdn: o.msisdn };
  throw invalid('cursor', 'not a cursor of this search (a cursor goes with the search that gave it)');
}
