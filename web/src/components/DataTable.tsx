/** A react-table rendered as a plain table whose cells carry their column's header as `data-label`, so narrow screens can show each row as a card. */
import type { ReactNode } from 'react';
import { flexRender, type Table } from '@tanstack/react-table';

export function DataTable<T>(props: { table: Table<T>; label?: string; children?: ReactNode }) {
  const { table } = props;
  return (
    <div className="table-wrap">
      <table aria-label={props.label}>
        <thead>
          {table.getHeaderGroups().map((g) => (
            <tr key={g.id}>
              {g.headers.map((h) => (
                <th key={h.id} scope="col">
                  {flexRender(h.column.columnDef.header, h.getContext())}
                </th>
              ))}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((r) => (
            <tr key={r.id}>
              {r.getVisibleCells().map((c) => (
                <td key={c.id} data-label={String(c.column.columnDef.header)}>
                  {flexRender(c.column.columnDef.cell, c.getContext())}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {props.children}
    </div>
  );
}
