/**
 * Contacts and contact groups of the SMS engine: a customer account's address book. A
 * contact's number is E.164 digits (normalised before it reaches the store), unique per
 * account. A contact group is a named list of contacts ("phonebook group"); a contact may be
 * in several. Every method is scoped by the account (`userId`): another account's rows are
 * never read or changed, and look the same as rows that do not exist.
 */

export interface Contact {
  id: number;
  userId: number;
  /** E.164 digits, without '+'. */
  msisdn: string;
  firstName: string | null;
  lastName: string | null;
  /** Custom fields (key → value): `{{custom.key}}` in templates. */
  fields: Record<string, string>;
  notes: string | null;
  /** The ids of the contact groups it is in. */
  groups: number[];
  /**
   * The senders this number opted out of (STOP), read from the gateway's opt-out list
   * (the `optouts` table the MO pipeline keeps) at the time of the read: never a copy.
   */
  optOuts: { sender: string; at: number }[];
  createdAt: number;
  updatedAt: number;
}

/** A contact as given (imports, the API). Absent fields are left as they are on an update. */
export interface ContactInput {
  msisdn: string;
  firstName?: string | null;
  lastName?: string | null;
  fields?: Record<string, string>;
  notes?: string | null;
}

export interface ContactGroup {
  id: number;
  userId: number;
  name: string;
  description: string | null;
  members: number;
  createdAt: number;
  updatedAt: number;
}

export interface UpsertContacts {
  userId: number;
  contacts: ContactInput[];
  /** Also put every one of them in this contact group (the account's). */
  groupId?: number;
}

/** What an upsert did: the ids in input order (a number given twice has one id). */
export interface UpsertedContacts {
  created: number;
  updated: number;
  ids: number[];
}

export interface GroupMembers {
  userId: number;
  groupId: number;
  contactIds: number[];
}

/** What changes on a contact: absent keys stay; in `fields`, a null value removes the key. */
export interface ContactPatch {
  msisdn?: string;
  firstName?: string | null;
  lastName?: string | null;
  notes?: string | null;
  fields?: Record<string, string | null>;
}

/**
 * Which of an account's contacts a search, an export or a bulk change is about; every
 * condition given must hold. `ids` is the explicit list of a bulk request.
 */
export interface ContactFilter {
  /** E.164 digits the number starts with. */
  numberPrefix?: string;
  /** Case-insensitive: the first name, the last name or "first last" starts with it. */
  name?: string;
  /** A custom field with exactly this value. */
  field?: { key: string; value: string };
  /** Members of this group (the account's; another account's has no members here). */
  groupId?: number;
  /** Opted out of at least one sender (true) or of none (false). */
  optedOut?: boolean;
  ids?: number[];
}

/**
 * Where a page of contacts ends. A page is in id order, or in number order when the filter
 * has a number prefix (so the number index drives the scan); `key` is the last row's id or
 * number, opaque to callers.
 */
export type ContactCursor = { by: 'id'; id: number } | { by: 'msisdn'; msisdn: string };

export interface ContactPage {
  contacts: Contact[];
  /** The next page starts after this; undefined on the last page. */
  next: ContactCursor | undefined;
}

export interface ContactStore {
  /**
   * Creates contacts, or merges into the one with the same number: given name fields and
   * notes replace, given custom fields are added to (and replace keys of) the stored ones.
   * One transaction. Throws when `groupId` is not the account's.
   */
  upsertContacts(u: UpsertContacts): Promise<UpsertedContacts>;

  getContact(q: { userId: number; id: number }): Promise<Contact | undefined>;

  getContactByNumber(q: { userId: number; msisdn: string }): Promise<Contact | undefined>;

  /** Creates a contact group; throws ContactGroupExistsError when the account has one by that name. */
  createGroup(g: { userId: number; name: string; description?: string | null }): Promise<ContactGroup>;

  getGroup(q: { userId: number; id: number }): Promise<ContactGroup | undefined>;

  /** The account's contact group by its name (names are unique per account, case-sensitive). */
  getGroupByName(q: { userId: number; name: string }): Promise<ContactGroup | undefined>;

  listGroups(q: { userId: number }): Promise<ContactGroup[]>;

  /** Adds the account's contacts to its group; returns how many were not in it before. */
  addToGroup(m: GroupMembers): Promise<number>;

  /** Removes them from the group; returns how many were in it. */
  removeFromGroup(m: GroupMembers): Promise<number>;

  /**
   * Changes one contact (absent fields stay); undefined when it is not the account's. Throws
   * ContactExistsError when the new number is another of its contacts'.
   */
  updateContact(q: { userId: number; id: number; patch: ContactPatch }): Promise<Contact | undefined>;

  /** Deletes the contacts the filter matches, and their memberships (group counts kept); returns how many. */
  deleteContacts(q: { userId: number; filter: ContactFilter }): Promise<number>;

  /** A page of the contacts the filter matches, at most `limit`, after `after`. */
  listContacts(q: {
    userId: number;
    filter: ContactFilter;
    after?: ContactCursor;
    limit: number;
  }): Promise<ContactPage>;

  /** The ids of a page (as listContacts, without the rows): bulk changes go a page at a time. */
  listContactIds(q: {
    userId: number;
    filter: ContactFilter;
    after?: ContactCursor;
    limit: number;
  }): Promise<{ ids: number[]; next: ContactCursor | undefined }>;

  /** How many contacts the filter matches. */
  countContacts(q: { userId: number; filter: ContactFilter }): Promise<number>;

  /** The custom field keys the account's contacts use, in order (at most `limit`). */
  fieldKeys(q: { userId: number; limit: number }): Promise<string[]>;

  /** Renames or describes a group; undefined when it is not the account's; ContactGroupExistsError for a name in use. */
  updateGroup(q: {
    userId: number;
    id: number;
    name?: string;
    description?: string | null;
  }): Promise<ContactGroup | undefined>;

  /** Deletes a group and its memberships (its members stay contacts); false when it is not the account's. */
  deleteGroup(q: { userId: number; id: number }): Promise<boolean>;

  /** Adds every contact the filter matches to the group (one statement); returns how many were new. */
  addMatchingToGroup(q: { userId: number; groupId: number; filter: ContactFilter }): Promise<number>;

  /** Removes every member the filter matches from the group; returns how many. */
  removeMatchingFromGroup(q: { userId: number; groupId: number; filter: ContactFilter }): Promise<number>;
}
