/**
 * Keyword services: the list, and one form to add or change one (an auto-reply; JOIN/LEAVE a
 * contact group; a poll; forward to a URL). The API checks the words, the placeholders and
 * the URL; its refusal is shown under the field it names.
 */
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { ApiError } from '../../api/client';
import {
  useDeleteKeyword,
  useKeywords,
  usePollResults,
  useSaveKeyword,
  type KeywordInput,
  type KeywordKind,
  type KeywordService,
} from '../../api/inbox';
import { ErrorNote } from '../../components/ErrorNote';
import { Field } from '../../components/Field';

const KINDS: Record<KeywordKind, string> = {
  reply: 'Auto-reply',
  subscribe: 'Join / leave a contact group',
  poll: 'Poll',
  forward: 'Forward to a URL',
};

interface Form {
  keyword: string;
  kind: KeywordKind;
  number: string;
  aliases: string;
  group: string;
  reply: string;
  leave_reply: string;
  options: string;
  url: string;
  enabled: boolean;
}

const BLANK: Form = {
  keyword: '',
  kind: 'reply',
  number: '',
  aliases: '',
  group: '',
  reply: '',
  leave_reply: '',
  options: '',
  url: '',
  enabled: true,
};

const words = (s: string) =>
  s
    .split(/[\s,]+/)
    .map((w) => w.trim())
    .filter(Boolean);

const formOf = (s: KeywordService): Form => ({
  keyword: s.keyword,
  kind: s.kind,
  number: s.number ?? '',
  aliases: s.aliases.join(', '),
  group: '',
  reply: s.reply ?? '',
  leave_reply: s.leave_reply ?? '',
  options: (s.options ?? []).join(', '),
  url: s.url ?? '',
  enabled: s.enabled,
});

/** The request body: the kind's own fields only; number, kind and group only when creating. */
function inputOf(f: Form, creating: boolean): KeywordInput {
  const input: KeywordInput = {
    keyword: f.keyword.trim(),
    aliases: words(f.aliases),
    reply: f.kind === 'forward' ? null : f.reply.trim() || null,
    enabled: f.enabled,
  };
  if (creating) {
    input.kind = f.kind;
    if (f.number.trim()) input.number = f.number.trim();
    if (f.kind === 'subscribe') input.group = f.group.trim();
  }
  if (f.kind === 'subscribe') input.leave_reply = f.leave_reply.trim() || null;
  if (f.kind === 'poll') input.options = words(f.options);
  if (f.kind === 'forward') input.url = f.url.trim();
  return input;
}

function KeywordForm({ editing, done }: { editing: KeywordService | undefined; done: () => void }) {
  const save = useSaveKeyword();
  const { register, handleSubmit, watch, formState } = useForm<Form>({
    defaultValues: editing ? formOf(editing) : BLANK,
  });
  const kind = watch('kind');
  const creating = editing === undefined;
  const apiField =
    save.error instanceof ApiError ? save.error.field?.replace(/\[\d+\]$/, '').split('.')[0] : undefined;
  const fields = ['keyword', 'number', 'aliases', 'group', 'reply', 'leave_reply', 'options', 'url'];
  const err = (name: keyof Form) =>
    formState.errors[name]?.message ?? (apiField === name ? save.error?.message : undefined);
  const onSubmit = (f: Form) =>
    save.mutate({ ...(editing ? { id: editing.id } : {}), input: inputOf(f, creating) }, { onSuccess: done });

  return (
    <form onSubmit={handleSubmit(onSubmit)} noValidate className="narrow keyword-form">
      <h2>{creating ? 'Add a keyword service' : `Change ${editing.keyword}`}</h2>
      <Field label="Keyword" hint="One word; people may write it in any case." error={err('keyword')}>
        {(id, d) => (
          <input id={id} aria-describedby={d} {...register('keyword', { required: 'Enter the keyword.' })} />
        )}
      </Field>
      <Field label="What it does" hint={creating ? undefined : 'Fixed once created.'}>
        {(id, d) => (
          <select id={id} aria-describedby={d} disabled={!creating} {...register('kind')}>
            {Object.entries(KINDS).map(([k, label]) => (
              <option key={k} value={k}>
                {label}
              </option>
            ))}
          </select>
        )}
      </Field>
      {creating && (
        <Field label="Receiving number" hint="Leave empty for any of your numbers." error={err('number')}>
          {(id, d) => <input id={id} aria-describedby={d} {...register('number')} />}
        </Field>
      )}
      <Field label="Aliases" hint="Other words that do the same, separated by commas." error={err('aliases')}>
        {(id, d) => <input id={id} aria-describedby={d} {...register('aliases')} />}
      </Field>
      {kind === 'subscribe' && creating && (
        <Field label="Contact group" hint="Created if you have none by that name." error={err('group')}>
          {(id, d) => (
            <input
              id={id}
              aria-describedby={d}
              {...register('group', { required: 'Name the contact group.' })}
            />
          )}
        </Field>
      )}
      {kind === 'poll' && (
        <Field
          label="Answers"
          hint="At least two, separated by commas (people text VOTE A)."
          error={err('options')}
        >
          {(id, d) => <input id={id} aria-describedby={d} {...register('options')} />}
        </Field>
      )}
      {kind === 'forward' ? (
        <Field
          label="Forward URL"
          hint="Each message is posted there; its answer is the reply."
          error={err('url')}
        >
          {(id, d) => <input id={id} type="url" aria-describedby={d} {...register('url')} />}
        </Field>
      ) : (
        <Field
          label={kind === 'subscribe' ? 'Join confirmation' : kind === 'poll' ? 'Vote confirmation' : 'Reply'}
          hint="Placeholders: {{first_name|there}}, {{keyword}}, {{group}}, {{answer}}. Empty: no reply."
          error={err('reply')}
        >
          {(id, d) => <textarea id={id} rows={2} aria-describedby={d} {...register('reply')} />}
        </Field>
      )}
      {kind === 'subscribe' && (
        <Field label="Leave confirmation" error={err('leave_reply')}>
          {(id, d) => <textarea id={id} rows={2} aria-describedby={d} {...register('leave_reply')} />}
        </Field>
      )}
      <label className="check">
        <input type="checkbox" {...register('enabled')} /> Enabled
      </label>
      <ErrorNote error={save.error && !fields.includes(apiField ?? '') ? save.error : undefined} />
      <div className="actions">
        <button type="submit" disabled={save.isPending}>
          {creating ? 'Add keyword service' : 'Save changes'}
        </button>
        <button type="button" className="secondary" onClick={done}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** A poll's votes, answer by answer. */
function PollResults({ id }: { id: number }) {
  const results = usePollResults(id);
  if (results.isError) return <ErrorNote error={results.error} />;
  if (!results.data) return <span className="hint">Counting…</span>;
  return (
    <span>
      {results.data.results.map((r) => `${r.answer}: ${r.votes}`).join(' · ')} ({results.data.total} votes)
    </span>
  );
}

export function Keywords() {
  const list = useKeywords();
  const remove = useDeleteKeyword();
  const [editing, setEditing] = useState<KeywordService | 'new'>();
  return (
    <div>
      <p className="hint">
        A text that starts with a keyword is answered by its service. STOP and the other opt-out words are
        always the gateway&apos;s.
      </p>
      <ErrorNote error={list.error ?? remove.error} />
      {list.data && list.data.data.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Keyword</th>
                <th>What it does</th>
                <th>Number</th>
                <th>Reply</th>
                <th>State</th>
                <th>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.data.map((s) => (
                <tr key={s.id}>
                  <td data-label="Keyword">
                    <strong>{s.keyword}</strong>
                    {s.aliases.length > 0 && <span className="hint"> ({s.aliases.join(', ')})</span>}
                  </td>
                  <td data-label="Does">{KINDS[s.kind]}</td>
                  <td data-label="Number">{s.number ?? 'any'}</td>
                  <td data-label="Reply">
                    {s.kind === 'forward' ? s.url : (s.reply ?? '—')}
                    {s.kind === 'poll' && (
                      <div className="hint">
                        Votes: <PollResults id={s.id} />
                      </div>
                    )}
                  </td>
                  <td data-label="State">{s.enabled ? 'enabled' : 'disabled'}</td>
                  <td className="actions">
                    <button type="button" className="secondary" onClick={() => setEditing(s)}>
                      Edit {s.keyword}
                    </button>
                    <button
                      type="button"
                      className="secondary"
                      onClick={() => {
                        if (window.confirm(`Delete the keyword service ${s.keyword}?`)) remove.mutate(s.id);
                      }}
                    >
                      Delete {s.keyword}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.data?.data.length === 0 && <p>No keyword services yet.</p>}
      {editing ? (
        <KeywordForm
          key={editing === 'new' ? 'new' : editing.id}
          editing={editing === 'new' ? undefined : editing}
          done={() => setEditing(undefined)}
        />
      ) : (
        <p>
          <button type="button" onClick={() => setEditing('new')}>
            Add a keyword service
          </button>
        </p>
      )}
    </div>
  );
}
