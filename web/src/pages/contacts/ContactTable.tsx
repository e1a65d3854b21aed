/** The contacts of a page, each with a box to select it, its groups, opt-out state and actions. */
import { createColumnHelper, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import { DataTable } from '../../components/DataTable';
import type { Contact } from '../../api/contacts';

const col = createColumnHelper<Contact>();

export function ContactTable(props: {
  contacts: Contact[];
  groupName: Map<number, string>;
  selected: Set<number>;
  toggle: (id: number) => void;
  onEdit: (c: Contact) => void;
  onDelete: (c: Contact) => void;
}) {
  const { selected, toggle, groupName } = props;
  const columns = [
    col.display({
      id: 'select',
      header: 'Select',
      cell: (c) => (
        <input
          type="checkbox"
          aria-label={`Select ${c.row.original.number}`}
          checked={selected.has(c.row.original.id)}
          onChange={() => toggle(c.row.original.id)}
        />
      ),
    }),
    col.accessor('number', { header: 'Number' }),
    col.display({
      id: 'name',
      header: 'Name',
      cell: (c) => [c.row.original.first_name, c.row.original.last_name].filter(Boolean).join(' '),
    }),
    col.accessor('groups', {
      header: 'Groups',
      cell: (c) =>
        c
          .getValue()
          .map((g) => groupName.get(g) ?? `#${g}`)
          .join(', '),
    }),
    col.accessor('fields', {
      header: 'Custom fields',
      cell: (c) =>
        Object.entries(c.getValue())
          .map(([k, v]) => `${k}: ${v}`)
          .join(', '),
    }),
    col.accessor('opted_out', {
      header: 'Opted out',
      cell: (c) =>
        c.getValue() ? (
          <span className="badge bad" title={c.row.original.opt_outs.map((o) => o.sender).join(', ')}>
            opted out ({c.row.original.opt_outs.map((o) => o.sender).join(', ')})
          </span>
        ) : (
          'no'
        ),
    }),
    col.display({
      id: 'actions',
      header: 'Actions',
      cell: (c) => (
        <span className="row-actions">
          <button type="button" className="secondary" onClick={() => props.onEdit(c.row.original)}>
            Edit {c.row.original.number}
          </button>
          <button type="button" className="secondary" onClick={() => props.onDelete(c.row.original)}>
            Delete {c.row.original.number}
          </button>
        </span>
      ),
    }),
  ];
  const table = useReactTable({ data: props.contacts, columns, getCoreRowModel: getCoreRowModel() });
  return <DataTable table={table} label="Contacts" />;
}
