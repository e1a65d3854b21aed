/**
 * Add or edit a connector: the common keys as fields, the rest as JSON. The admin API checks
 * the definition with the configuration's own checker; its message names the key
 * (`connector.port: expected an integer 1..65535, got 99999`) and shows at that field.
 */
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { usePutConnector } from '../api/operator';
import { ErrorNote } from '../components/ErrorNote';
import { Field } from '../components/Field';

const TYPES = ['smpp', 'http', 'simulator'] as const;

/** The keys with a field of their own, per connector type (text or number). */
const FIELDS: Record<string, [key: string, label: string, kind: 'text' | 'number' | 'password'][]> = {
  smpp: [
    ['host', 'Host', 'text'],
    ['port', 'Port', 'number'],
    ['systemId', 'System id', 'text'],
    ['password', 'Password', 'password'],
    ['window', 'Window', 'number'],
    ['throughput', 'Throughput (per second)', 'number'],
  ],
  http: [
    ['url', 'URL', 'text'],
    ['window', 'Window', 'number'],
    ['throughput', 'Throughput (per second)', 'number'],
  ],
  simulator: [['throttle', 'Throttle (per second)', 'number']],
};

const asText = (v: unknown) => (v === undefined || v === null ? '' : String(v));

export function ConnectorForm(props: {
  /** Editing: the connector's id and its definition (never its password). */
  id?: string;
  definition?: Record<string, unknown> | null;
  onDone: () => void;
}) {
  const put = usePutConnector();
  const d = props.definition ?? {};
  const [id, setId] = useState(props.id ?? '');
  const [type, setType] = useState(asText(d.type) || 'smpp');
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(
      Object.values(FIELDS)
        .flat()
        .map(([k]) => [k, asText(d[k])]),
    ),
  );
  const fieldKeys = FIELDS[type].map(([k]) => k);
  const [extra, setExtra] = useState(() => {
    const rest = Object.fromEntries(
      Object.entries(d).filter(
        ([k]) => k !== 'id' && k !== 'type' && !FIELDS[asText(d.type) || 'smpp']?.some(([f]) => f === k),
      ),
    );
    return Object.keys(rest).length ? JSON.stringify(rest, null, 2) : '';
  });
  const [extraError, setExtraError] = useState<string>();
  const apiError = put.error instanceof ApiError ? put.error : undefined;
  // `connector.port` → `port`; `connector.latencyMs.min` → `latencyMs`.
  const key = apiError?.field?.replace(/^connector\./, '').split(/[.[]/)[0];
  const at = (k: string) => (key === k ? apiError?.message : undefined);
  const elsewhere = apiError && (!key || !fieldKeys.includes(key)) && key !== 'id' && key !== 'type';

  const submit = (e: FormEvent) => {
    e.preventDefault();
    let more: Record<string, unknown> = {};
    if (extra.trim()) {
      try {
        more = JSON.parse(extra) as Record<string, unknown>;
        setExtraError(undefined);
      } catch {
        setExtraError('Other settings: write a JSON object, e.g. { "bindType": "transmitter" }.');
        return;
      }
    }
    const definition: Record<string, unknown> = { ...more, type };
    for (const [k, , kind] of FIELDS[type]) {
      const v = values[k].trim();
      if (v) definition[k] = kind === 'number' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
    }
    put.mutate({ id: id.trim(), definition }, { onSuccess: props.onDone });
  };

  return (
    <form
      className="narrow connector-form"
      onSubmit={submit}
      noValidate
      aria-label={props.id ? `Edit ${props.id}` : 'New connector'}
    >
      <h2>{props.id ? `Edit connector ${props.id}` : 'Add a connector'}</h2>
      <Field label="Connector id" error={at('id')}>
        {(fid, ds) => (
          <input
            id={fid}
            aria-describedby={ds}
            value={id}
            readOnly={!!props.id}
            onChange={(e) => setId(e.target.value)}
          />
        )}
      </Field>
      <Field label="Type" error={at('type')}>
        {(fid, ds) => (
          <select id={fid} aria-describedby={ds} value={type} onChange={(e) => setType(e.target.value)}>
            {TYPES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        )}
      </Field>
      {FIELDS[type].map(([k, label, kind]) => (
        <Field
          key={k}
          label={label}
          error={at(k)}
          hint={k === 'password' && props.id ? 'Leave empty to keep the stored password.' : undefined}
        >
          {(fid, ds) => (
            <input
              id={fid}
              aria-describedby={ds}
              type={kind === 'password' ? 'password' : 'text'}
              inputMode={kind === 'number' ? 'numeric' : undefined}
              autoComplete={kind === 'password' ? 'new-password' : 'off'}
              value={values[k]}
              onChange={(e) => setValues((v) => ({ ...v, [k]: e.target.value }))}
            />
          )}
        </Field>
      ))}
      <Field
        label="Other settings (JSON)"
        error={extraError ?? (elsewhere ? apiError?.message : undefined)}
        hint="Any other key of this connector in hermod.yaml (docs/configuration.md)."
      >
        {(fid, ds) => (
          <textarea
            id={fid}
            aria-describedby={ds}
            rows={3}
            value={extra}
            onChange={(e) => setExtra(e.target.value)}
          />
        )}
      </Field>
      {put.error && !apiError && <ErrorNote error={put.error} />}
      <div className="actions">
        <button type="submit" disabled={put.isPending || !id.trim()}>
          Save connector
        </button>
        <button type="button" className="secondary" onClick={props.onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
