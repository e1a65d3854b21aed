/** The forms of the Routes page: an MT route, an MO route, and Test a number. */
import { useState, type ReactNode } from 'react';
import { ApiError } from '../api/client';
import { useRouteTest, type RouteDefinition } from '../api/operator';
import { ErrorNote } from '../components/ErrorNote';
import { Field } from '../components/Field';
import { TextField } from '../components/TextField';

export const STRATEGIES = ['static', 'failover', 'roundrobin', 'leastcost', 'weighted'] as const;

const list = (s: string) =>
  s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

/**
 * The error of a saved list that names an item's key (`routes[2].connectors[0]: …`), as
 * { index, key } so the form of that item shows it at the field.
 */
export function itemError(
  error: unknown,
  listKey: string,
): { index: number; key: string; text: string } | undefined {
  if (!(error instanceof ApiError) || !error.field) return undefined;
  const m = new RegExp(`^${listKey}\\[(\\d+)\\]\\.?(\\w*)`).exec(error.field);
  return m ? { index: Number(m[1]), key: m[2], text: error.message } : undefined;
}

/** The API's error for one route of a list: at the field it names. */
type RouteError = { key: string; text: string };

interface RouteFormProps<D> {
  initial?: D;
  /** The API's error for this route: at the field it names. */
  error?: RouteError;
  pending: boolean;
  onSave: (d: D) => void;
  onCancel: () => void;
}

/** The error text for a field's key, when the API's error names it. */
const errorAt = (error: RouteError | undefined) => (key: string) =>
  error?.key === key ? error.text : undefined;

/**
 * What the MT and MO route forms share: the form, the API's error when it names none of the
 * form's fields, and Save and Cancel.
 */
function RouteFormFrame(
  props: Pick<RouteFormProps<unknown>, 'error' | 'pending' | 'onCancel'> & {
    label: string;
    saveLabel: string;
    /** The keys the form's fields show errors for. */
    fieldKeys: readonly string[];
    onSubmit: () => void;
    children: ReactNode;
  },
) {
  const { error } = props;
  return (
    <form
      className="route-form"
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit();
      }}
      noValidate
      aria-label={props.label}
    >
      {props.children}
      {error && !props.fieldKeys.includes(error.key) && <ErrorNote error={new Error(error.text)} />}
      <div className="actions">
        <button type="submit" disabled={props.pending}>
          {props.saveLabel}
        </button>
        <button type="button" className="secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function MtRouteForm(props: RouteFormProps<RouteDefinition>) {
  const i = props.initial;
  const [name, setName] = useState(i?.name ?? '');
  const [type, setType] = useState(i?.type ?? 'static');
  const [connectors, setConnectors] = useState((i?.connectors ?? []).join(', '));
  const [prefixes, setPrefixes] = useState((i?.prefixes ?? []).join(', '));
  const [rate, setRate] = useState(i?.rate === undefined ? '' : String(i.rate));
  const at = errorAt(props.error);
  const submit = () => {
    const { rate: _r, ...rest } = i ?? ({} as RouteDefinition);
    props.onSave({
      ...rest,
      name: name.trim(),
      type,
      connectors: list(connectors),
      prefixes: list(prefixes),
      ...(rate.trim() ? { rate: Number(rate) } : {}),
    });
  };
  return (
    <RouteFormFrame
      error={props.error}
      pending={props.pending}
      onCancel={props.onCancel}
      label={i ? `Edit route ${i.name}` : 'New route'}
      saveLabel="Save route"
      fieldKeys={['name', 'type', 'connectors', 'prefixes', 'rate']}
      onSubmit={submit}
    >
      <TextField label="Route name" error={at('name')} value={name} onChange={setName} />
      <Field label="Strategy" error={at('type')} hint="failover tries the connectors in order.">
        {(id, d) => (
          <select id={id} aria-describedby={d} value={type} onChange={(e) => setType(e.target.value)}>
            {STRATEGIES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        )}
      </Field>
      <TextField
        label="Connectors"
        error={at('connectors')}
        hint="Connector ids, separated by commas."
        value={connectors}
        onChange={setConnectors}
      />
      <TextField
        label="Prefixes"
        error={at('prefixes')}
        hint="Destination prefixes such as 44, 4477; empty matches every number."
        value={prefixes}
        onChange={setPrefixes}
      />
      <TextField
        label="Price per part"
        error={at('rate')}
        hint="Optional: the route's own price."
        inputMode="decimal"
        value={rate}
        onChange={setRate}
      />
    </RouteFormFrame>
  );
}

export function MoRouteForm(props: RouteFormProps<Record<string, unknown>>) {
  const i = props.initial ?? {};
  const [name, setName] = useState(typeof i.name === 'string' ? i.name : '');
  const [prefixes, setPrefixes] = useState(Array.isArray(i.prefixes) ? i.prefixes.join(', ') : '');
  const [target, setTarget] = useState(
    typeof i.url === 'string' ? i.url : typeof i.user === 'string' ? i.user : '',
  );
  const at = errorAt(props.error);
  const submit = () => {
    const { user: _u, url: _url, position: _p, ...rest } = i;
    const t = target.trim();
    props.onSave({
      ...rest,
      ...(name.trim() ? { name: name.trim() } : {}),
      prefixes: list(prefixes),
      ...(/^https?:\/\//.test(t) ? { url: t } : { user: t }),
    });
  };
  return (
    <RouteFormFrame
      error={props.error}
      pending={props.pending}
      onCancel={props.onCancel}
      label="MO route"
      saveLabel="Save MO route"
      fieldKeys={['name', 'prefixes', 'user', 'url']}
      onSubmit={submit}
    >
      <TextField label="MO route name" error={at('name')} value={name} onChange={setName} />
      <TextField
        label="Our numbers"
        error={at('prefixes')}
        hint="Destination prefixes (your numbers or short codes); empty = any."
        value={prefixes}
        onChange={setPrefixes}
      />
      <TextField
        label="Deliver to"
        error={at('user') ?? at('url')}
        hint="A customer's username (their SMPP bind), or an https:// webhook URL."
        value={target}
        onChange={setTarget}
      />
    </RouteFormFrame>
  );
}

/** Which route, connectors and price a number gets (optionally as an account, from a sender). */
export function TestNumber() {
  const test = useRouteTest();
  const [to, setTo] = useState('');
  const [user, setUser] = useState('');
  const [from, setFrom] = useState('');
  const error = test.error instanceof ApiError ? test.error : undefined;
  const r = test.data;
  return (
    <section aria-labelledby="test-number">
      <h2 id="test-number">Test a number</h2>
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          test.mutate({ to: to.trim(), user: user.trim() || undefined, from: from.trim() || undefined });
        }}
      >
        <TextField
          label="Number to test"
          error={error && error.field !== 'user' ? error.message : undefined}
          inputMode="tel"
          value={to}
          onChange={setTo}
        />
        <TextField
          label="As account (optional)"
          error={error?.code === 'HERMOD_ERR_UNKNOWN_USER' ? error.message : undefined}
          value={user}
          onChange={setUser}
        />
        <TextField label="Sender (optional)" value={from} onChange={setFrom} />
        <button type="submit" disabled={!to.trim() || test.isPending}>
          Test
        </button>
      </form>
      {r && (
        <dl className="facts" aria-live="polite" aria-label="Test result">
          <dt>Number</dt>
          <dd>{r.to}</dd>
          <dt>Route</dt>
          <dd>
            {r.route ? `#${r.route.position} ${r.route.name} (${r.route.type})` : (r.reason ?? 'no route')}
          </dd>
          <dt>Connectors</dt>
          <dd>
            {r.connectors.length
              ? r.connectors.map((c) => `${c.id}${c.ready ? '' : ' (not ready)'}`).join(', ')
              : '–'}
          </dd>
          <dt>Price per part</dt>
          <dd>{r.price ? `${r.price}${r.priceSource ? ` (from the ${r.priceSource})` : ''}` : '–'}</dd>
        </dl>
      )}
    </section>
  );
}
