/**
 * Operators: outbound callbacks (delivery reports and inbound messages sent to customers'
 * URLs): those still waiting, with attempts, next try and last error; and the log of every
 * attempt with the HTTP status or the error. Read every 5 s.
 */
import {
  usePendingCallbacks,
  useWebhookLog,
  type WebhookAttempt,
  type PendingCallback,
} from '../api/operator';
import { ErrorNote } from '../components/ErrorNote';
import { RecordTable, type RecordColumn } from '../components/RecordTable';

const when = (iso: string) => new Date(iso).toLocaleString();

const PENDING: RecordColumn<PendingCallback>[] = [
  { header: 'Kind', cell: (p) => p.kind },
  { header: 'URL', cell: (p) => p.url, className: 'wrap' },
  { header: 'Message', cell: (p) => p.messageId },
  { header: 'Attempts', cell: (p) => p.attempts },
  { header: 'Next try', cell: (p) => when(p.nextAttemptAt) },
  { header: 'Last error', cell: (p) => p.lastError ?? '' },
];

const ATTEMPTS: RecordColumn<WebhookAttempt>[] = [
  { header: 'When', cell: (a) => when(a.at) },
  { header: 'URL', cell: (a) => a.url, className: 'wrap' },
  { header: 'Message', cell: (a) => a.messageId },
  { header: 'Attempt', cell: (a) => a.attempt },
  {
    header: 'Status',
    cell: (a) => (
      <span className={`badge ${a.status !== null && a.status < 300 ? 'good' : 'bad'}`}>
        {a.status ?? a.error ?? 'no answer'}
      </span>
    ),
  },
  { header: 'Time', cell: (a) => `${a.durationMs} ms` },
];

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
        <RecordTable
          label="Callbacks waiting"
          columns={PENDING}
          rows={pending.data?.pending ?? []}
          rowKey={(p) => p.id}
        />
      )}
      <h2>Delivery log</h2>
      <ErrorNote error={log.error} />
      {log.data && log.data.attempts.length === 0 ? (
        <p>No callback has been sent yet.</p>
      ) : (
        <RecordTable
          label="Delivery attempts"
          columns={ATTEMPTS}
          rows={log.data?.attempts ?? []}
          rowKey={(a) => a.id}
        />
      )}
    </section>
  );
}
