/**
 * Operators: the ordered MT and MO routes (first match wins). Reorder by dragging a row's
 * handle, with the keyboard, or with Move up / Move down; each change saves the whole list
 * (the admin API replaces it at once, checked by the configuration's own checker). Add,
 * edit and delete routes; Test a number shows where a message would go and its price.
 */
import { useState } from 'react';
import {
  useMoRoutes,
  useMtRoutes,
  useSaveMoRoutes,
  useSaveMtRoutes,
  type MtRoute,
  type RouteDefinition,
} from '../api/operator';
import { ErrorNote } from '../components/ErrorNote';
import { moved, SortableList } from '../components/SortableList';
import { itemError, MoRouteForm, MtRouteForm, TestNumber } from './RouteForms';

/** The route as PUT takes it (older servers without `definition`: from the view). */
const definitionOf = (r: MtRoute): RouteDefinition =>
  r.definition ?? {
    name: r.name,
    type: r.type,
    connectors: r.connectors,
    prefixes: r.prefixes,
    ...r.filters,
  };

/** Which row a form is open on: an index, 'new', or none. */
type Editing = number | 'new' | undefined;

function MtRoutes() {
  const routes = useMtRoutes();
  const save = useSaveMtRoutes();
  const [editing, setEditing] = useState<Editing>();
  const defs = (routes.data?.routes ?? []).map(definitionOf);
  const failed = itemError(save.error, 'routes');
  // New routes go first (the catch-all usually closes the list); the error then names index 0.
  const formError = (index: number) => (failed && failed.index === index ? failed : undefined);
  const store = (next: RouteDefinition[]) => save.mutate(next, { onSuccess: () => setEditing(undefined) });
  return (
    <section aria-labelledby="mt-routes">
      <h2 id="mt-routes">MT routes</h2>
      <p className="hint">
        Messages take the first route that matches.{' '}
        {routes.data?.source === 'api' && 'Changed here (wins over the file).'}
      </p>
      <ErrorNote error={routes.error} />
      {(!failed || failed.index !== (editing === 'new' ? 0 : editing)) && <ErrorNote error={save.error} />}
      {save.isSuccess && !save.isPending && (
        <p className="note good" role="status">
          Routes saved.
        </p>
      )}
      {editing === 'new' ? (
        <MtRouteForm
          error={formError(0)}
          pending={save.isPending}
          onSave={(d) => store([d, ...defs])}
          onCancel={() => setEditing(undefined)}
        />
      ) : (
        <button type="button" onClick={() => (save.reset(), setEditing('new'))}>
          Add MT route
        </button>
      )}
      <SortableList
        label="MT routes in order"
        items={defs}
        idOf={(d) => d.name}
        labelOf={(d) => `route ${d.name}`}
        disabled={save.isPending}
        onMove={(from, to) => store(moved(defs, from, to))}
        render={(d, i) =>
          editing === i ? (
            <MtRouteForm
              initial={d}
              error={formError(i)}
              pending={save.isPending}
              onSave={(next) => store(defs.map((x, j) => (j === i ? next : x)))}
              onCancel={() => setEditing(undefined)}
            />
          ) : (
            <div className="route-summary">
              <strong>{d.name}</strong> <span className="badge neutral">{d.type ?? 'static'}</span>
              <span>
                {d.prefixes?.length ? `prefixes ${d.prefixes.join(', ')}` : 'every number'} →{' '}
                {d.connectors.join(', ')}
                {d.rate !== undefined && ` · ${d.rate} per part`}
              </span>
              <span className="row-actions">
                <button type="button" className="secondary" onClick={() => (save.reset(), setEditing(i))}>
                  Edit {d.name}
                </button>
                <button
                  type="button"
                  className="secondary"
                  disabled={save.isPending}
                  onClick={() => store(defs.filter((_, j) => j !== i))}
                >
                  Delete {d.name}
                </button>
              </span>
            </div>
          )
        }
      />
    </section>
  );
}

function MoRoutes() {
  const routes = useMoRoutes();
  const save = useSaveMoRoutes();
  const [editing, setEditing] = useState<Editing>();
  const defs = (routes.data?.moRoutes ?? []).map(({ position: _p, ...d }) => d as Record<string, unknown>);
  const failed = itemError(save.error, 'moRoutes');
  const formError = (index: number) => (failed && failed.index === index ? failed : undefined);
  const store = (next: Record<string, unknown>[]) =>
    save.mutate(next, { onSuccess: () => setEditing(undefined) });
  const nameOf = (d: Record<string, unknown>, i: number) =>
    typeof d.name === 'string' ? d.name : `MO route ${i + 1}`;
  return (
    <section aria-labelledby="mo-routes">
      <h2 id="mo-routes">MO routes</h2>
      <p className="hint">Where inbound messages go: the first route that matches.</p>
      <ErrorNote error={routes.error} />
      {(!failed || failed.index !== (editing === 'new' ? 0 : editing)) && <ErrorNote error={save.error} />}
      {editing === 'new' ? (
        <MoRouteForm
          error={formError(0)}
          pending={save.isPending}
          onSave={(d) => store([d, ...defs])}
          onCancel={() => setEditing(undefined)}
        />
      ) : (
        <button type="button" onClick={() => (save.reset(), setEditing('new'))}>
          Add MO route
        </button>
      )}
      <SortableList
        label="MO routes in order"
        items={defs}
        idOf={(d, i) => `${nameOf(d, i)}#${JSON.stringify(d)}`}
        labelOf={(d, i) => nameOf(d, i)}
        disabled={save.isPending}
        onMove={(from, to) => store(moved(defs, from, to))}
        render={(d, i) =>
          editing === i ? (
            <MoRouteForm
              initial={d}
              error={formError(i)}
              pending={save.isPending}
              onSave={(next) => store(defs.map((x, j) => (j === i ? next : x)))}
              onCancel={() => setEditing(undefined)}
            />
          ) : (
            <div className="route-summary">
              <strong>{nameOf(d, i)}</strong>
              <span>
                {Array.isArray(d.prefixes) && d.prefixes.length
                  ? `to ${d.prefixes.join(', ')}`
                  : 'any number'}{' '}
                → {String(d.url ?? d.user ?? '?')}
              </span>
              <span className="row-actions">
                <button type="button" className="secondary" onClick={() => (save.reset(), setEditing(i))}>
                  Edit {nameOf(d, i)}
                </button>
                <button
                  type="button"
                  className="secondary"
                  disabled={save.isPending}
                  onClick={() => store(defs.filter((_, j) => j !== i))}
                >
                  Delete {nameOf(d, i)}
                </button>
              </span>
            </div>
          )
        }
      />
    </section>
  );
}

export function RoutesPage() {
  return (
    <section>
      <h1>Routes</h1>
      <TestNumber />
      <MtRoutes />
      <MoRoutes />
    </section>
  );
}
