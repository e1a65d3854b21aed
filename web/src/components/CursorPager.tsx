/**
 * Keyset paging, newest first: the cursors of the pages seen before this one are kept (the
 * last is the page shown), so "Newer" goes back one and "Older" follows the page's next cursor.
 */
import { useState } from 'react';

export interface CursorPages<C> {
  /** The cursor of the page shown; undefined on the first page. */
  cursor: C | undefined;
  first: boolean;
  back(): void;
  forward(next: C): void;
  /** Back to the first page (a filter changed). */
  reset(): void;
}

export function useCursorPages<C>(): CursorPages<C> {
  const [cursors, setCursors] = useState<C[]>([]);
  return {
    cursor: cursors[cursors.length - 1],
    first: cursors.length === 0,
    back: () => setCursors((c) => c.slice(0, -1)),
    forward: (next) => setCursors((c) => [...c, next]),
    reset: () => setCursors([]),
  };
}

export function CursorPager<C>(props: {
  pages: CursorPages<C>;
  /** The shown page's next cursor: none (null, undefined or '') on the last page. */
  next: C | null | undefined;
  /** The buttons' words: ["Newer", "Older"] unless given. */
  labels?: readonly [string, string];
}) {
  const { pages, next } = props;
  const [newer, older] = props.labels ?? ['Newer', 'Older'];
  const more = next !== null && next !== undefined && next !== '';
  return (
    <div className="pager">
      <button type="button" className="secondary" disabled={pages.first} onClick={pages.back}>
        {newer}
      </button>
      <button
        type="button"
        className="secondary"
        disabled={!more}
        onClick={() => more && pages.forward(next)}
      >
        {older}
      </button>
    </div>
  );
}
