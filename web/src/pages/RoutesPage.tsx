/**
 * Operators: the ordered MT and MO routes (first match wins). Reorder by dragging a row's
 * handle, with the keyboard, or with Move up / Move down; each change saves the whole list
 * (the admin API replaces it at once, checked by the configuration's own checker). Add,
 * edit and delete routes; Test a number shows where a message would go and its price.
 */
import {
  useMoRoutes,
  useMtRoutes,
  useSaveMoRoutes,
  useSaveMtRoutes,
  type MtRoute,
  type RouteDefinition,
} from '../api/operator';
import { ErrorNote } from '../components/ErrorNote';
import { OrderedListEditor } from '../components/OrderedListEditor';
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

function MtRoutes() {
  const routes = useMtRoutes();
  const save = useSaveMtRoutes();
  return (
    <section aria-labelledby="mt-routes">
      <h2 id="mt-routes">MT routes</h2>
      <p className="hint">
        Messages take the first route that matches.{' '}
        {routes.data?.source === 'api' && 'Changed here (wins over the file).'}
      </p>
      <ErrorNote error={routes.error} />
      <OrderedListEditor
        items={(routes.data?.routes ?? []).map(definitionOf)}
        save={save}
        rowError={(e) => itemError(e, 'routes')}
        listLabel="MT routes in order"
        addLabel="Add MT route"
        savedNote="Routes saved."
        idOf={(d) => d.name}
        nameOf={(d) => d.name}
        labelOf={(d) => `route ${d.name}`}
        form={(p) => <MtRouteForm {...p} />}
        summary={(d) => (
          <>
            <strong>{d.name}</strong> <span className="badge neutral">{d.type ?? 'static'}</span>
            <span>
              {d.prefixes?.length ? `prefixes ${d.prefixes.join(', ')}` : 'every number'} →{' '}
              {d.connectors.join(', ')}
              {d.rate !== undefined && ` · ${d.rate} per part`}
            </span>
          </>
        )}
      />
    </section>
  );
}

const moNameOf = (d: Record<string, unknown>, i: number) =>
  typeof d.name === 'string' ? d.name : `MO route ${i + 1}`;

function MoRoutes() {
  const routes = useMoRoutes();
  const save = useSaveMoRoutes();
  return (
    <section aria-labelledby="mo-routes">
      <h2 id="mo-routes">MO routes</h2>
      <p className="hint">Where inbound messages go: the first route that matches.</p>
      <ErrorNote error={routes.error} />
      <OrderedListEditor
        items={(routes.data?.moRoutes ?? []).map(({ position: _p, ...d }) => d as Record<string, unknown>)}
        save={save}
        rowError={(e) => itemError(e, 'moRoutes')}
        listLabel="MO routes in order"
        addLabel="Add MO route"
        idOf={(d, i) => `${moNameOf(d, i)}#${JSON.stringify(d)}`}
        nameOf={moNameOf}
        form={(p) => <MoRouteForm {...p} />}
        summary={(d, i) => (
          <>
            <strong>{moNameOf(d, i)}</strong>
            <span>
              {Array.isArray(d.prefixes) && d.prefixes.length ? `to ${d.prefixes.join(', ')}` : 'any number'}{' '}
              → {String(d.url ?? d.user ?? '?')}
            </span>
          </>
        )}
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
