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
}
