/**
 * An ordered list the user reorders: drag a row by its handle (mouse or touch), or with the
 * keyboard (focus the handle, Space to pick up, arrows to move, Space to drop), or with the
 * Move up / Move down buttons every row shows. `onMove` gets the new order's indexes.
 */
import type { ReactNode } from 'react';
import {
  closestCenter,
  DndContext,
  KeyboardSensor,
  PointerSensor,
  useSensor,
  useSensors,
  type DragEndEvent,
} from '@dnd-kit/core';
import {
  SortableContext,
  sortableKeyboardCoordinates,
  useSortable,
  verticalListSortingStrategy,
} from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';

function Row(props: {
  id: string;
  label: string;
  index: number;
  count: number;
  disabled: boolean;
  onMove: (from: number, to: number) => void;
  children: ReactNode;
}) {
  const { attributes, listeners, setNodeRef, transform, transition, isDragging } = useSortable({
    id: props.id,
    disabled: props.disabled,
  });
  const { index, count, label } = props;
  return (
    <li
      ref={setNodeRef}
      className={isDragging ? 'sortable-row dragging' : 'sortable-row'}
      style={{ transform: CSS.Transform.toString(transform), transition }}
    >
      <button
        type="button"
        className="drag-handle secondary"
        aria-label={`Drag ${label}`}
        {...attributes}
        {...listeners}
      >
        ⠿
      </button>
      <span className="position">{index + 1}</span>
      <div className="sortable-body">{props.children}</div>
      <div className="sortable-moves">
        <button
          type="button"
          className="secondary"
          aria-label={`Move ${label} up`}
          disabled={props.disabled || index === 0}
          onClick={() => props.onMove(index, index - 1)}
        >
          Move up
        </button>
        <button
          type="button"
          className="secondary"
          aria-label={`Move ${label} down`}
          disabled={props.disabled || index === count - 1}
          onClick={() => props.onMove(index, index + 1)}
        >
          Move down
        </button>
      </div>
    </li>
  );
}

export function SortableList<T>(props: {
  items: T[];
  /** A stable id per item, unique in the list. */
  idOf: (item: T, index: number) => string;
  /** How the item is named in the buttons' accessible names ("route uk"). */
  labelOf: (item: T, index: number) => string;
  render: (item: T, index: number) => ReactNode;
  onMove: (from: number, to: number) => void;
  disabled?: boolean;
  label: string;
}) {
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 4 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );
  const ids = props.items.map(props.idOf);
  const onDragEnd = (e: DragEndEvent) => {
    if (!e.over || e.active.id === e.over.id) return;
    const from = ids.indexOf(String(e.active.id));
    const to = ids.indexOf(String(e.over.id));
    if (from >= 0 && to >= 0) props.onMove(from, to);
  };
  return (
    <DndContext sensors={sensors} collisionDetection={closestCenter} onDragEnd={onDragEnd}>
      <SortableContext items={ids} strategy={verticalListSortingStrategy}>
        <ol className="sortable" aria-label={props.label}>
          {props.items.map((item, i) => (
            <Row
              key={ids[i]}
              id={ids[i]}
              label={props.labelOf(item, i)}
              index={i}
              count={props.items.length}
              disabled={props.disabled ?? false}
              onMove={props.onMove}
            >
              {props.render(item, i)}
            </Row>
          ))}
        </ol>
      </SortableContext>
    </DndContext>
  );
}

/** The list with the item at `from` moved to `to`. */
export function moved<T>(list: readonly T[], from: number, to: number): T[] {
  const next = [...list];
  const [item] = next.splice(from, 1);
  next.splice(to, 0, item);
  return next;
}
