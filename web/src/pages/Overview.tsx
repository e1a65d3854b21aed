/** The operator's overview: messages by state, queue depth, inbound count, connectors bound. */
import { useStats, useConnectors } from '../api/admin';
import { ErrorNote } from '../components/ErrorNote';
import { ConnectorTable } from './Connectors';

export function Overview() {
  const stats = useStats();
  const connectors = useConnectors();
  const s = stats.data;
  const by = s?.messages.byState ?? {};
  const delivered = by.delivered ?? 0;
  const failed = (by.undelivered ?? 0) + (by.failed ?? 0) + (by.rejected ?? 0) + (by.expired ?? 0);
  return (
    <section>
      <h1>Overview</h1>
      <ErrorNote error={stats.error} />
      <div className="cards">
        <div className="card">
          <h2>Messages</h2>
          <p className="figure">{s?.messages.total ?? '…'}</p>
        </div>
        <div className="card">
          <h2>Delivery rate</h2>
          <p className="figure">
            {delivered + failed ? `${Math.round((delivered / (delivered + failed)) * 100)}%` : '–'}
          </p>
        </div>
        <div className="card">
          <h2>Queued</h2>
          <p className="figure">{s?.queue.depth ?? '…'}</p>
        </div>
        <div className="card">
          <h2>Inbound</h2>
          <p className="figure">{s?.mo.count ?? '…'}</p>
        </div>
        <div className="card">
          <h2>Connectors bound</h2>
          <p className="figure">{s ? `${s.connectors.bound} of ${s.connectors.total}` : '…'}</p>
        </div>
      </div>
      <h2>Connectors</h2>
      <ConnectorTable connectors={connectors.data?.connectors ?? []} />
    </section>
  );
}
