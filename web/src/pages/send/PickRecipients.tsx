/**
 * Recipients from the address book for the Send page: whole groups (ticked), and contacts
 * found by number or name and added one by one.
 */
import { useState } from 'react';
import { useContacts, useGroups, type Contact } from '../../api/contacts';
import { Field } from '../../components/Field';

const nameOf = (c: Contact) => [c.first_name, c.last_name].filter(Boolean).join(' ');

export function PickRecipients(props: {
  groups: number[];
  contacts: Contact[];
  onGroups: (ids: number[]) => void;
  onContacts: (c: Contact[]) => void;
}) {
  const groups = useGroups();
  const [search, setSearch] = useState('');
  const s = search.trim();
  const found = useContacts(
    /^[+\d]/.test(s) ? { number: s.replace(/[\s()-]/g, '') } : { name: s },
    undefined,
  );
  const chosen = new Set(props.contacts.map((c) => c.id));
  return (
    <div className="pick-recipients">
      {(groups.data?.data.length ?? 0) > 0 && (
        <fieldset>
          <legend>Groups</legend>
          {groups.data!.data.map((g) => (
            <label key={g.id} className="check">
              <input
                type="checkbox"
                checked={props.groups.includes(g.id)}
                onChange={(e) =>
                  props.onGroups(
                    e.target.checked ? [...props.groups, g.id] : props.groups.filter((id) => id !== g.id),
                  )
                }
              />
              {g.name} ({g.members})
            </label>
          ))}
        </fieldset>
      )}
      <Field label="Find a contact" hint="A number or the start of a name.">
        {(id, d) => (
          <input
            id={id}
            type="search"
            aria-describedby={d}
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        )}
      </Field>
      {s !== '' && (
        <ul className="found" aria-label="Contacts found">
          {found.data?.data.slice(0, 8).map((c) => (
            <li key={c.id}>
              {c.number} {nameOf(c)}
              <button
                type="button"
                className="secondary"
                disabled={chosen.has(c.id)}
                onClick={() => props.onContacts([...props.contacts, c])}
              >
                Add {c.number}
              </button>
            </li>
          ))}
          {found.data?.data.length === 0 && <li>No contact matches.</li>}
        </ul>
      )}
      {props.contacts.length > 0 && (
        <ul className="chosen" aria-label="Contacts chosen">
          {props.contacts.map((c) => (
            <li key={c.id}>
              {c.number} {nameOf(c)}
              <button
                type="button"
                className="secondary"
                onClick={() => props.onContacts(props.contacts.filter((x) => x.id !== c.id))}
              >
                Remove {c.number}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
