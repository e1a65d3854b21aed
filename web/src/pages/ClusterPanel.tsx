/**
 * The Overview's "Cluster" panel: shown when more than one node shares the store (PostgreSQL),
 * one row per node with its state, heartbeat age, load and version, the leader marked.
 */
import { useCluster } from '../api/admin';

const age = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s ago`;

export function ClusterPanel() {
  const cluster = useCluster();
  const c = cluster.data;
  if (!c || c.nodes.length <= 1) return null;
  const up = c.nodes.filter((n) => n.state === 'up').length;
  return (
    <section aria-labelledby="cluster">
      <h2 id="cluster">Cluster</h2>
      <p className="hint">
        {up} of {c.nodes.length} nodes up; leader {c.leader ?? 'none'}.
      </p>
      <div className="table-wrap">
        <table aria-labelledby="cluster">
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">State</th>
              <th scope="col">Heartbeat</th>
              <th scope="col">Accepted</th>
              <th scope="col">Binds (upstream / customers)</th>
              <th scope="col">CPU</th>
              <th scope="col">Version</th>
            </tr>
          </thead>
          <tbody>
            {c.nodes.map((n) => (
              <tr key={n.id}>
                <td data-label="Node">
                  <strong>{n.id}</strong> {n.leader && <span className="badge good">leader</span>}{' '}
                  <span className="hint">{n.host}</span>
                </td>
                <td data-label="State">
                  <span className={`badge ${n.state === 'up' ? 'good' : 'warn'}`}>{n.state}</span>
                </td>
                <td data-label="Heartbeat">{age(n.heartbeatAgeMs)}</td>
                <td data-label="Accepted">{n.load.acceptedPerS.toFixed(1)}/s</td>
                <td data-label="Binds (upstream / customers)">
                  {n.load.upstreamBinds} / {n.load.customerBinds}
                </td>
                <td data-label="CPU">{Math.round(n.load.cpu * 100)}%</td>
                <td data-label="Version">{n.version}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
