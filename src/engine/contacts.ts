/**
 * Contacts and contact groups as customers manage them: numbers normalised to E.164 before
 * they are stored (one contact per number and account), groups by id or name.
 */
import { InvalidNumberError, normalizeMsisdn } from '../domain/index.js';
import type {
  Contact,
  ContactGroup,
  ContactInput,
  ContactStore,
  UpsertedContacts,
} from '../store/engine-store/index.js';
import { invalid } from './errors.js';

export type { Contact, ContactGroup, ContactInput, UpsertedContacts };

export class ContactService {
  constructor(private readonly store: ContactStore) {}

  /** Creates or merges contacts (ContactStore.upsertContacts); a number that is not one is refused with its index. */
  save(userId: number, contacts: ContactInput[], groupId?: number): Promise<UpsertedContacts> {
    const normalised = contacts.map((c, i) => ({
      ...c,
      msisdn: numberOf(c.msisdn, `contacts[${i}].msisdn`),
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
  createGroup(userId: number, name: string): Promise<ContactGroup> {
    return this.store.createGroup({ userId, name });
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
function numberOf(input: string, field: string): string {
  try {
    return normalizeMsisdn(input);
  } catch (err) {
    throw invalid(field, err instanceof InvalidNumberError ? err.message : String(err));
  }
}
