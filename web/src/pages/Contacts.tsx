/**
 * The address book: contacts searched by number or name and filtered by group, a page at a
 * time (keyset "Next page"), added and edited, deleted, put in groups or taken out; the
 * groups themselves; a CSV import (its own page) and the export of what the search shows.
 */
import { useState } from 'react';
import { Link } from 'react-router';
import {
  exportUrl,
  useGroupMembers,
  useContacts,
  useDeleteContact,
  useGroups,
  type Contact,
  type ContactFilter,
  type ContactGroup,
} from '../api/contacts';
import { Field } from '../components/Field';
import { ErrorNote } from '../components/ErrorNote';
import { CursorPager, useCursorPages } from '../components/CursorPager';
import { ContactForm } from './contacts/ContactForm';
import { GroupsPanel } from './contacts/GroupsPanel';
import { ContactTable } from './contacts/ContactTable';

/** A search box that takes a number (+4477…, 0770…) or a name. */
const filterOf = (search: string, group: string): ContactFilter => {
  const s = search.trim();
  return {
    ...(s === '' ? {} : /^[+\d][\d\s()-]*$/.test(s) ? { number: s.replace(/[\s()-]/g, '') } : { name: s }),
    ...(group ? { group: Number(group) } : {}),
  };
};

export function Contacts() {
  const [search, setSearch] = useState('');
  const [group, setGroup] = useState('');
  const pages = useCursorPages<string>();
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [editing, setEditing] = useState<Contact | 'new'>();
  const filter = filterOf(search, group);
  const page = useContacts(filter, pages.cursor);
  const groups = useGroups();
  const remove = useDeleteContact();
  const groupName = new Map(groups.data?.data.map((g) => [g.id, g.name]));
  const toggle = (id: number) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  const reset = () => {
    pages.reset();
    setSelected(new Set());
  };

  const ids = [...selected];

  return (
    <section className="contacts">
      <h1>Contacts</h1>
      <div className="actions">
        <button type="button" onClick={() => setEditing('new')}>
          Add contact
        </button>
        <Link className="button secondary" to="/contacts/import">
          Import CSV
        </Link>
        <a className="button secondary" href={exportUrl(filter)} download="contacts.csv">
          Export CSV
        </a>
      </div>
      {editing && (
        <ContactForm
          key={editing === 'new' ? 'new' : editing.id}
          {...(editing === 'new' ? {} : { contact: editing })}
          onDone={() => setEditing(undefined)}
        />
      )}
      <form className="filters" onSubmit={(e) => e.preventDefault()} role="search">
        <Field label="Search" hint="A number (+4477…) or the start of a name.">
          {(id, d) => (
            <input
              id={id}
              type="search"
              aria-describedby={d}
              value={search}
              onChange={(e) => {
                setSearch(e.target.value);
                reset();
              }}
            />
          )}
        </Field>
        <Field label="Group">
          {(id) => (
            <select
              id={id}
              value={group}
              onChange={(e) => {
                setGroup(e.target.value);
                reset();
              }}
            >
              <option value="">All contacts</option>
              {groups.data?.data.map((g) => (
                <option key={g.id} value={g.id}>
                  {g.name} ({g.members})
                </option>
              ))}
            </select>
          )}
        </Field>
      </form>
      <SelectionBar
        ids={ids}
        groups={groups.data?.data ?? []}
        filterGroup={group === '' ? undefined : Number(group)}
        done={() => setSelected(new Set())}
      />
      <ErrorNote error={page.error ?? remove.error} />
      <ContactTable
        contacts={page.data?.data ?? []}
        groupName={groupName}
        selected={selected}
        toggle={toggle}
        onEdit={setEditing}
        onDelete={(c) => {
          if (window.confirm(`Delete ${c.number}?`)) remove.mutate(c.id);
        }}
      />
      {page.data && page.data.data.length === 0 && <p>No contacts match.</p>}
      <CursorPager pages={pages} next={page.data?.next_cursor} labels={['Previous page', 'Next page']} />
      <GroupsPanel />
    </section>
  );
}

/** Puts the selected contacts in a group, or takes them out of the group the list shows. */
function SelectionBar({
  ids,
  groups,
  filterGroup,
  done,
}: {
  ids: number[];
  groups: ContactGroup[];
  filterGroup: number | undefined;
  done: () => void;
}) {
  const members = useGroupMembers();
  const [target, setTarget] = useState('');
  return (
    <>
      <form
        className="inline selection"
        onSubmit={(e) => {
          e.preventDefault();
          members.mutate({ group: Number(target), contacts: ids }, { onSuccess: done });
        }}
      >
        <Field label="Put the selected contacts in" hint={`${ids.length} selected`}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={target} onChange={(e) => setTarget(e.target.value)}>
              <option value="">Choose a group</option>
              {groups.map((g) => (
                <option key={g.id} value={g.id}>
                  {g.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button type="submit" disabled={ids.length === 0 || target === '' || members.isPending}>
          Add to group
        </button>
        {filterGroup !== undefined && (
          <button
            type="button"
            className="secondary"
            disabled={ids.length === 0 || members.isPending}
            onClick={() =>
              members.mutate({ group: filterGroup, contacts: ids, remove: true }, { onSuccess: done })
            }
          >
            Remove from {groups.find((g) => g.id === filterGroup)?.name}
          </button>
        )}
      </form>
      <ErrorNote error={members.error} />
    </>
  );
}
