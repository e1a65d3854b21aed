/** A plain table of records, one column per field, each cell carrying its header as `data-label` for the narrow-screen card layout. */
import type { ReactNode } from 'react';

export interface RecordColumn<T> {
  header: string;
  cell: (row: T) => ReactNode;
  className?: string;
}

export function RecordTable<T>(props: {
  label: string;
  columns: RecordColumn<T>[];
  rows: T[];
  rowKey: (row: T) => string | number;
  rowClass?: (row: T) => string | undefined;
}) {
  const { columns } = props;
  return (
    <div className="table-wrap">
      <table aria-label={props.label}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.header} scope="col">
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr key={props.rowKey(row)} className={props.rowClass?.(row)}>
              {columns.map((c) => (
                <td key={c.header} data-label={c.header} className={c.className}>
                  {c.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
