/** Parts of the Send page: the saved template picker, and what became of the sending. */
import { Link } from 'react-router';
import { useTemplates } from '../../api/contacts';
import type { BatchResult, Message } from '../../api/messages';
import { Field } from '../../components/Field';

export interface Sent {
  one?: Message;
  many?: BatchResult;
  campaign?: number;
}

/** A saved template (GET /v1/templates) whose text fills the message; shown when there are some. */
export function TemplatePicker({ onPick }: { onPick: (text: string) => void }) {
  const templates = useTemplates();
  const list = templates.data?.data ?? [];
  if (list.length === 0) return null;
  return (
    <Field label="Template" hint="Fills the message; placeholders are filled for each recipient.">
      {(id, d) => (
        <select
          id={id}
          aria-describedby={d}
          defaultValue=""
          onChange={(e) => {
            const t = list.find((x) => String(x.id) === e.target.value);
            if (t) onPick(t.text);
          }}
        >
          <option value="">None</option>
          {list.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

export function SentNote({ sent }: { sent: Sent }) {
  if (sent.one)
    return (
      <p className="note good" role="status">
        Accepted: <Link to={`/messages/${sent.one.id}`}>follow message {sent.one.id}</Link>.
      </p>
    );
  if (sent.campaign !== undefined)
    return (
      <p className="note good" role="status">
        Sending: <Link to={`/campaigns/${sent.campaign}`}>follow campaign {sent.campaign}</Link>.
      </p>
    );
  if (!sent.many) return null;
  return (
    <div className="note good" role="status">
      {sent.many.accepted} accepted, {sent.many.failed} refused.
      {sent.many.results
        .filter((r) => !r.ok)
        .map((r) => (
          <div key={r.index}>
            {r.to}: {r.error?.detail}
          </div>
        ))}
    </div>
  );
}
