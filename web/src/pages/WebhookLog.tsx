/**
 * Operators: outbound callbacks (delivery reports and inbound messages sent to customers'
 * URLs): those still waiting, with attempts, next try and last error; and the log of every
 * attempt with the HTTP status or the error. Read every 5 s.
 */
import { usePendingCallbacks, useWebhookLog } from '../api/operator';
import { ErrorNote } from '../components/ErrorNote';

const when = (iso: string) => new Date(iso).toLocaleString();

export function WebhookLog() {
  const pending = usePendingCallbacks();
  const log = useWebhookLog();
  return (
    <section>
      <h1>Webhook deliveries</h1>
      <h2>Waiting ({pending.data?.total ?? '…'})</h2>
      <ErrorNote error={pending.error} />
      {pending.data && pending.data.pending.length === 0 ? (
        <p>No callback is waiting.</p>
      ) : (
        <div className="table-wrap">
          <table aria-label="Callbacks waiting">
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col">URL</th>
                <th scope="col">Message</th>
                <th scope="col">Attempts</th>
                <th scope="col">Next try</th>
                <th scope="col">Last error</th>
              </tr>
            </thead>
            <tbody>
              {(pending.data?.pending ?? []).map((p) => (
                <tr key={p.id}>
                  <td data-label="Kind">{p.kind}</td>
                  <td data-label="URL" className="wrap">
                    {p.url}
                  </td>
                  <td data-label="Message">{p.messageId}</td>
                  <td data-label="Attempts">{p.attempts}</td>
                  <td data-label="Next try">{when(p.nextAttemptAt)}</td>
                  <td data-label="Last error">{p.lastError ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>Delivery log</h2>
      <ErrorNote error={log.error} />
      {log.data && log.data.attempts.length === 0 ? (
        <p>No callback has been sent yet.</p>
      ) : (
        <div className="table-wrap">
          <table aria-label="Delivery attempts">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">URL</th>
                <th scope="col">Message</th>
                <th scope="col">Attempt</th>
                <th scope="col">Status</th>
                <th scope="col">Time</th>
              </tr>
            </thead>
            <tbody>
              {(log.data?.attempts ?? []).map((a) => (
                <tr key={a.id}>
                  <td data-label="When">{when(a.at)}</td>
                  <td data-label="URL" className="wrap">
                    {a.url}
                  </td>
                  <td data-label="Message">{a.messageId}</td>
                  <td data-label="Attempt">{a.attempt}</td>
                  <td data-label="Status">
                    <span className={`badge ${a.status !== null && a.status < 300 ? 'good' : 'bad'}`}>
                      {a.status ?? a.error ?? 'no answer'}
                    </span>
                  </td>
                  <td data-label="Time">{a.durationMs} ms</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
