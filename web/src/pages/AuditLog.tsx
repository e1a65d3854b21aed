/** Operators: what operators and admin keys changed on the admin API, newest first, page by page. */
import { useAudit } from '../api/operator';
import { ErrorNote } from '../components/ErrorNote';
import { CursorPager, useCursorPages } from '../components/CursorPager';

export function AuditLog() {
  const pages = useCursorPages<number>();
  const audit = useAudit(pages.cursor);
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
      <CursorPager pages={pages} next={page?.nextCursor} />
    </section>
  );
}
