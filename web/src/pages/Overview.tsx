/**
 * The operator's overview, read every 2 s: throughput now (and a line of the last minutes),
 * messages, delivery rate, queue depth; per connector its state, rate, delivery rate and
 * queue; alerts (connectors not bound, customers out of credit, callbacks waiting); the
 * cluster's nodes when more than one shares the store.
 */
import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { useConnectors, useCustomers, useStats, type ConnectorStatus } from '../api/admin';
import { usePendingCallbacks } from '../api/operator';
import { ErrorNote } from '../components/ErrorNote';
import { ClusterPanel } from './ClusterPanel';
import type { ThroughputPoint } from './ThroughputChart';

const ThroughputChart = lazy(() => import('./ThroughputChart'));

const FAILED = ['undelivered', 'failed', 'rejected', 'expired'];
/** How many readings the line keeps (2 s apart: 4 minutes). */
const KEEP = 120;

/** Delivered out of those with a final outcome; '–' before any. */
function deliveryRate(byState: Record<string, number> | undefined): string {
  const delivered = byState?.delivered ?? 0;
  const failed = FAILED.reduce((n, s) => n + (byState?.[s] ?? 0), 0);
  return delivered + failed ? `${Math.round((delivered / (delivered + failed)) * 100)}%` : '–';
}

const perSecond = (cs: ConnectorStatus[]) => cs.reduce((n, c) => n + (c.throughput?.perSecond ?? 0), 0);

function Alerts({ connectors }: { connectors: ConnectorStatus[] }) {
  const customers = useCustomers();
  const pending = usePendingCallbacks();
  const alerts: { key: string; text: ReactNode }[] = [];
  for (const c of connectors)
    if (!c.bound && c.state !== 'idle')
      alerts.push({
        key: `c-${c.id}`,
        text: (
          <>
            Connector {c.id} is {c.state}
            {c.lastError ? `: ${c.lastError}` : ''}.
          </>
        ),
      });
  for (const u of customers.data?.users ?? [])
    if (u.enabled && Number(u.balance) <= 0)
      alerts.push({
        key: `u-${u.id}`,
        text: (
          <>
            <Link to={`/customers/${encodeURIComponent(u.username)}`}>{u.username}</Link> is out of credit (
            {u.balance}).
          </>
        ),
      });
  if ((pending.data?.total ?? 0) > 0)
    alerts.push({
      key: 'callbacks',
      text: (
        <>
          {pending.data!.total} callbacks wait to be delivered.{' '}
          <Link to="/webhook-log">See the webhook log</Link>
        </>
      ),
    });
  return (
    <section aria-labelledby="alerts">
      <h2 id="alerts">Alerts</h2>
      {alerts.length === 0 ? (
        <p className="note good">Nothing needs attention.</p>
      ) : (
        <ul className="alerts">
          {alerts.map((a) => (
            <li key={a.key} className="note warning">
              {a.text}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function Overview() {
  const stats = useStats();
  const connectors = useConnectors();
  const s = stats.data;
  const list = connectors.data?.connectors ?? [];
  const [points, setPoints] = useState<ThroughputPoint[]>([]);
  useEffect(() => {
    if (!connectors.data) return;
    const point = { t: connectors.dataUpdatedAt, perSecond: perSecond(connectors.data.connectors) };
    setPoints((p) => [...p, point].slice(-KEEP));
  }, [connectors.data, connectors.dataUpdatedAt]);
  return (
    <section>
      <h1>Overview</h1>
      <ErrorNote error={stats.error ?? connectors.error} />
      <div className="cards">
        <div className="card">
          <h2>Throughput</h2>
          <p className="figure">{connectors.data ? `${perSecond(list).toFixed(1)}/s` : '…'}</p>
        </div>
        <div className="card">
          <h2>Messages</h2>
          <p className="figure">{s?.messages.total ?? '…'}</p>
        </div>
        <div className="card">
          <h2>Delivery rate</h2>
          <p className="figure">{deliveryRate(s?.messages.byState)}</p>
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
      <Suspense fallback={<p className="loading">Loading the chart…</p>}>
        {points.length > 0 && <ThroughputChart points={points} />}
      </Suspense>
      <Alerts connectors={list} />
      <ClusterPanel />
      <h2>Connectors</h2>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Connector</th>
              <th scope="col">State</th>
              <th scope="col">Rate</th>
              <th scope="col">Delivery rate</th>
              <th scope="col">Queued</th>
            </tr>
          </thead>
          <tbody>
            {list.map((c) => (
              <tr key={c.id}>
                <td data-label="Connector">
                  <strong>{c.id}</strong> <span className="hint">{c.type}</span>
                </td>
                <td data-label="State">
                  <span className={`badge ${c.bound ? 'good' : 'warn'}`}>{c.state}</span>
                </td>
                <td data-label="Rate">{c.throughput ? `${c.throughput.perSecond.toFixed(1)}/s` : '–'}</td>
                <td data-label="Delivery rate">{deliveryRate(s?.messages.byConnector?.[c.id])}</td>
                <td data-label="Queued">{s?.queue.byConnector?.[c.id] ?? c.queueDepth}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
