/**
 * An ordered list saved as a whole (the admin API replaces it at once): add a row at the top,
 * edit or delete a row in place, reorder by `SortableList`. Every change sends the full list;
 * an error the server pins to one row (`key[index]…`) shows on that row's form.
 */
import { useState, type ReactNode } from 'react';
import type { UseMutationResult } from '@tanstack/react-query';
import { ErrorNote } from './ErrorNote';
import { moved, SortableList } from './SortableList';

/** An error the server named for one row: its index, the field and the message. */
export type RowError = { index: number; key: string; text: string };

/** What the editor hands the form it opens, for a new row (no `initial`) or an existing one. */
export interface RowFormProps<T> {
  initial?: T;
  error: RowError | undefined;
  pending: boolean;
  onSave: (next: T) => void;
  onCancel: () => void;
}

/** Which row a form is open on: an index, 'new', or none. */
type Editing = number | 'new' | undefined;

export function OrderedListEditor<T>(props: {
  items: T[];
  save: UseMutationResult<unknown, Error, T[]>;
  /** The error of one row, read from the save's error. */
  rowError: (error: unknown) => RowError | undefined;
  listLabel: string;
  addLabel: string;
  /** What a successful save says, if anything. */
  savedNote?: ReactNode;
  idOf: (item: T, index: number) => string;
  nameOf: (item: T, index: number) => string;
  /** The row's name for its drag handle and move buttons; `nameOf` when absent. */
  labelOf?: (item: T, index: number) => string;
  form: (p: RowFormProps<T>) => ReactNode;
  summary: (item: T, index: number) => ReactNode;
}) {
  const { items, save, nameOf } = props;
  const [editing, setEditing] = useState<Editing>();
  const failed = props.rowError(save.error);
  // New rows go first (a catch-all usually closes the list); the error then names index 0.
  const formError = (index: number) => (failed && failed.index === index ? failed : undefined);
  const store = (next: T[]) => save.mutate(next, { onSuccess: () => setEditing(undefined) });
  const cancel = () => setEditing(undefined);
  return (
    <>
      {(!failed || failed.index !== (editing === 'new' ? 0 : editing)) && <ErrorNote error={save.error} />}
      {props.savedNote && save.isSuccess && !save.isPending && (
        <p className="note good" role="status">
          {props.savedNote}
        </p>
      )}
      {editing === 'new' ? (
        props.form({
          error: formError(0),
          pending: save.isPending,
          onSave: (d) => store([d, ...items]),
          onCancel: cancel,
        })
      ) : (
        <button type="button" onClick={() => (save.reset(), setEditing('new'))}>
          {props.addLabel}
        </button>
      )}
      <SortableList
        label={props.listLabel}
        items={items}
        idOf={props.idOf}
        labelOf={props.labelOf ?? nameOf}
        disabled={save.isPending}
        onMove={(from, to) => store(moved(items, from, to))}
        render={(d, i) =>
          editing === i ? (
            props.form({
              initial: d,
              error: formError(i),
              pending: save.isPending,
              onSave: (next) => store(items.map((x, j) => (j === i ? next : x))),
              onCancel: cancel,
            })
          ) : (
            <div className="route-summary">
              {props.summary(d, i)}
              <span className="row-actions">
                <button type="button" className="secondary" onClick={() => (save.reset(), setEditing(i))}>
                  Edit {nameOf(d, i)}
                </button>
                <button
                  type="button"
                  className="secondary"
                  disabled={save.isPending}
                  onClick={() => store(items.filter((_, j) => j !== i))}
                >
                  Delete {nameOf(d, i)}
                </button>
              </span>
            </div>
          )
        }
      />
    </>
  );
}
