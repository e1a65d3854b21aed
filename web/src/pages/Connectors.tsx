/** Connectors with their live state, rate, window and queue; start and stop each; add and edit them. */
import { useState } from 'react';
import { useConnectorSwitch, useConnectors, type ConnectorStatus } from '../api/admin';
import { ErrorNote } from '../components/ErrorNote';
import { ConnectorForm } from './ConnectorForm';

const TONE: Record<ConnectorStatus['state'], string> = {
  bound: 'good',
  connecting: 'info',
  reconnecting: 'warn',
  idle: 'neutral',
  stopped: 'bad',
  closed: 'bad',
};

export function ConnectorTable({
  connectors,
  actions,
  onEdit,
}: {
  connectors: ConnectorStatus[];
  actions?: boolean;
  /** With it, each row has an Edit button. */
  onEdit?: (c: ConnectorStatus) => void;
}) {
  const toggle = useConnectorSwitch();
  return (
    <>
      <ErrorNote error={toggle.error} />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Connector</th>
              <th scope="col">State</th>
              <th scope="col">Rate</th>
              <th scope="col">Window</th>
              <th scope="col">Queued</th>
              <th scope="col">Last error</th>
              {actions && <th scope="col">Action</th>}
            </tr>
          </thead>
          <tbody>
            {connectors.map((c) => (
              <tr key={c.id}>
                <td data-label="Connector">
                  <strong>{c.id}</strong> <span className="hint">{c.type}</span>
                </td>
                <td data-label="State">
                  <span className={`badge ${TONE[c.state] ?? 'neutral'}`} data-testid={`state-${c.id}`}>
                    {c.state}
                  </span>
                </td>
                <td data-label="Rate">{c.throughput ? `${c.throughput.perSecond.toFixed(1)}/s` : '–'}</td>
                <td data-label="Window">{c.window ? `${c.window.inUse}/${c.window.size}` : '–'}</td>
                <td data-label="Queued">{c.queueDepth}</td>
                <td data-label="Last error">{c.lastError ?? ''}</td>
                {actions && (
                  <td data-label="Action">
                    {c.state === 'stopped' || c.state === 'closed' ? (
                      <button
                        type="button"
                        className="secondary"
                        disabled={toggle.isPending}
                        onClick={() => toggle.mutate({ id: c.id, verb: 'start' })}
                      >
                        Start {c.id}
                      </button>
                    ) : (
                      <button
                        type="button"
                        className="secondary"
                        disabled={toggle.isPending}
                        onClick={() => toggle.mutate({ id: c.id, verb: 'stop' })}
                      >
                        Stop {c.id}
                      </button>
                    )}
                    {onEdit && (
                      <button type="button" className="secondary" onClick={() => onEdit(c)}>
                        Edit {c.id}
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

export function Connectors() {
  const connectors = useConnectors();
  /** The form: closed, a new connector, or the connector being edited. */
  const [form, setForm] = useState<{ edit?: ConnectorStatus } | undefined>();
  return (
    <section>
      <h1>Connectors</h1>
      <ErrorNote error={connectors.error} />
      <ConnectorTable
        connectors={connectors.data?.connectors ?? []}
        actions
        onEdit={(c) => setForm({ edit: c })}
      />
      {form ? (
        <ConnectorForm
          key={form.edit?.id ?? 'new'}
          id={form.edit?.id}
          definition={form.edit?.definition}
          onDone={() => setForm(undefined)}
        />
      ) : (
        <button type="button" onClick={() => setForm({})}>
          Add a connector
        </button>
      )}
    </section>
  );
}
