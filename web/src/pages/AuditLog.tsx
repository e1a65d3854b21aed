/** Operators: what operators and admin keys changed on the admin API, newest first, page by page. */
import { useState } from 'react';
import { useAudit } from '../api/operator';
import { ErrorNote } from '../components/ErrorNote';

export function AuditLog() {
  // The cursors of the pages seen before this one (Newer goes back one).
  const [cursors, setCursors] = useState<number[]>([]);
  const before = cursors[cursors.length - 1];
  const audit = useAudit(before);
  const page = audit.data;
  return (
    <section>
      <h1>Audit log</h1>
      <p className="hint">Every change made through the admin API: by whom, what, and how it was answered.</p>
      <ErrorNote error={audit.error} />
      <div className="table-wrap">
        <table aria-label="Operator actions">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Result</th>
            </tr>
          </thead>
          <tbody>
            {(page?.entries ?? []).map((e) => (
              <tr key={e.id}>
                <td data-label="When">{new Date(e.at).toLocaleString()}</td>
                <td data-label="Who">{e.actor}</td>
                <td data-label="Action" className="wrap">
                  {e.method} {e.path}
                </td>
                <td data-label="Target">{e.target ?? ''}</td>
                <td data-label="Result">
                  <span className={`badge ${e.status < 400 ? 'good' : 'bad'}`}>{e.status}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {page && page.entries.length === 0 && <p>No operator action yet.</p>}
      <div className="pager">
        <button
          type="button"
          className="secondary"
          disabled={cursors.length === 0}
          onClick={() => setCursors((c) => c.slice(0, -1))}
        >
          Newer
        </button>
        <button
          type="button"
          className="secondary"
          disabled={!page?.nextCursor}
          onClick={() => page?.nextCursor && setCursors((c) => [...c, page.nextCursor!])}
        >
          Older
        </button>
      </div>
    </section>
  );
}
