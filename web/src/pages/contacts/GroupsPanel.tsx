/** The contact groups: create, rename, delete, with their member counts. */
import { useState } from 'react';
import { ApiError } from '../../api/client';
import {
  useCreateGroup,
  useDeleteGroup,
  useGroups,
  useRenameGroup,
  type ContactGroup,
} from '../../api/contacts';
import { Field } from '../../components/Field';
import { ErrorNote } from '../../components/ErrorNote';

function GroupRow({ group }: { group: ContactGroup }) {
  const [name, setName] = useState<string>();
  const rename = useRenameGroup();
  const remove = useDeleteGroup();
  if (name !== undefined)
    return (
      <li>
        <form
          className="inline"
          onSubmit={(e) => {
            e.preventDefault();
            rename.mutate({ id: group.id, name: name.trim() }, { onSuccess: () => setName(undefined) });
          }}
        >
          <Field label={`New name of ${group.name}`} error={rename.error?.message}>
            {(id, d) => (
              <input id={id} aria-describedby={d} value={name} onChange={(e) => setName(e.target.value)} />
            )}
          </Field>
          <button type="submit">Save name</button>
          <button type="button" className="secondary" onClick={() => setName(undefined)}>
            Cancel
          </button>
        </form>
      </li>
    );
  return (
    <li>
      <span>
        <strong>{group.name}</strong> · {group.members} {group.members === 1 ? 'contact' : 'contacts'}
      </span>
      <button type="button" className="secondary" onClick={() => setName(group.name)}>
        Rename {group.name}
      </button>
      <button
        type="button"
        className="secondary"
        onClick={() => {
          if (window.confirm(`Delete the group ${group.name}? Its contacts stay.`)) remove.mutate(group.id);
        }}
      >
        Delete {group.name}
      </button>
      <ErrorNote error={remove.error} />
    </li>
  );
}

export function GroupsPanel() {
  const groups = useGroups();
  const create = useCreateGroup();
  const [name, setName] = useState('');
  const nameError = create.error instanceof ApiError ? create.error.message : undefined;
  return (
    <section className="groups" aria-labelledby="groups-title">
      <h2 id="groups-title">Groups</h2>
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate(name.trim(), { onSuccess: () => setName('') });
        }}
      >
        <Field label="New group" error={nameError}>
          {(id, d) => (
            <input
              id={id}
              aria-describedby={d}
              value={name}
              maxLength={100}
              onChange={(e) => setName(e.target.value)}
            />
          )}
        </Field>
        <button type="submit" disabled={name.trim() === '' || create.isPending}>
          Create group
        </button>
      </form>
      <ErrorNote error={create.error && !nameError ? create.error : groups.error} />
      <ul className="group-list">
        {groups.data?.data.map((g) => (
          <GroupRow key={g.id} group={g} />
        ))}
      </ul>
      {groups.data?.data.length === 0 && <p>No groups yet.</p>}
    </section>
  );
}
