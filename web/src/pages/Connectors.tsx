/** Connectors with their live state, rate, window and queue; start and stop each. */
import { useConnectorSwitch, useConnectors, type ConnectorStatus } from '../api/admin';
import { ErrorNote } from '../components/ErrorNote';

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
}: {
  connectors: ConnectorStatus[];
  actions?: boolean;
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
  return (
    <section>
      <h1>Connectors</h1>
      <ErrorNote error={connectors.error} />
      <ConnectorTable connectors={connectors.data?.connectors ?? []} actions />
    </section>
  );
}
