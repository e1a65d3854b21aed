/**
 * One message: what was sent (an MMS's subject and media as thumbnails or file chips), its
 * state as it changes, the timeline, and its parts.
 */
import { Link, useParams } from 'react-router';
import { useMessage } from '../api/messages';
import { ErrorNote } from '../components/ErrorNote';
import { StatusBadge } from '../components/StatusBadge';
import { MediaList } from '../components/MediaList';

export function MessagePage() {
  const { id = '' } = useParams();
  const m = useMessage(id);
  if (m.isPending) return <p className="loading">Loading…</p>;
  if (m.error) return <ErrorNote error={m.error} />;
  const msg = m.data;
  return (
    <section>
      <p>
        <Link to="/messages">← Messages</Link>
      </p>
      <h1>
        Message to {msg.to} <StatusBadge status={msg.status} />
      </h1>
      <dl className="facts">
        <dt>From</dt>
        <dd>{msg.from}</dd>
        {msg.subject !== undefined && (
          <>
            <dt>Subject</dt>
            <dd>{msg.subject}</dd>
          </>
        )}
        <dt>Text</dt>
        <dd className="message-text">{msg.text ?? '(binary)'}</dd>
        {msg.media && msg.media.length > 0 && (
          <>
            <dt>{msg.fallback ? 'Linked media' : 'Media'}</dt>
            <dd>
              <MediaList media={msg.media} label="Media of this message" />
              {msg.fallback === 'sms_link' && (
                <p className="note warning">
                  Sent as an SMS with a link to each file: no connector on its route carries MMS.
                </p>
              )}
            </dd>
          </>
        )}
        <dt>{msg.type === 'mms' ? 'Type' : 'Encoding'}</dt>
        <dd>
          {msg.type === 'mms'
            ? 'MMS, one charge'
            : `${msg.encoding}, ${msg.segments} ${msg.segments === 1 ? 'part' : 'parts'}`}
        </dd>
        <dt>Cost</dt>
        <dd>{msg.cost}</dd>
        {msg.error && (
          <>
            <dt>Error</dt>
            <dd>{msg.error}</dd>
          </>
        )}
        <dt>Id</dt>
        <dd>
          <code>{msg.id}</code>
        </dd>
      </dl>
      <h2>Timeline</h2>
      <ol className="timeline">
        {msg.timeline.map((t, i) => (
          <li key={i}>
            <time dateTime={t.at}>{new Date(t.at).toLocaleString()}</time> <StatusBadge status={t.state} />
            {t.part != null && ` part ${t.part}`}
            {t.detail && <span className="detail"> {t.detail}</span>}
          </li>
        ))}
      </ol>
      {msg.parts && msg.parts.length > 1 && (
        <>
          <h2>Parts</h2>
          <ul>
            {msg.parts.map((p) => (
              <li key={p.seq}>
                Part {p.seq}: <StatusBadge status={p.state} /> {p.connector && `via ${p.connector}`} {p.error}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
