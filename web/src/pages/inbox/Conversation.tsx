/**
 * One conversation: the thread oldest first (what they wrote, what was sent to them with its
 * delivery state; an MMS's pictures, either way, as thumbnails, other media as links), marked read
 * when opened and while open, and the reply box with the live count of characters and parts.
 */
import { useEffect } from 'react';
import { useForm } from 'react-hook-form';
import { ApiError } from '../../api/client';
import { useMarkRead, useReply, useThread, type Conversation as Summary } from '../../api/inbox';
import { ErrorNote } from '../../components/ErrorNote';
import { Field } from '../../components/Field';
import { StatusBadge } from '../../components/StatusBadge';
import { MediaList } from '../../components/MediaList';
import { stableUrl } from '../../api/media';
import { countSms } from '../../lib/sms';

const time = (iso: string) => new Date(iso).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' });

export function Conversation(props: { number: string; summary: Summary | undefined; back: () => void }) {
  const { number, summary } = props;
  const thread = useThread(number);
  const markRead = useMarkRead();
  const reply = useReply(number);
  const { register, handleSubmit, watch, reset, formState } = useForm<{ text: string }>({
    defaultValues: { text: '' },
  });
  const unread = summary?.unread ?? 0;
  const { mutate: mark } = markRead;
  useEffect(() => {
    if (unread > 0) mark(number);
  }, [number, unread, mark]);

  const count = countSms(watch('text'));
  const apiField = reply.error instanceof ApiError ? reply.error.field : undefined;
  const messages = (thread.data?.pages.flatMap((p) => p.data) ?? []).reverse();
  const onSubmit = ({ text }: { text: string }) => reply.mutate(text, { onSuccess: () => reset() });

  return (
    <div className="conversation-view">
      <button type="button" className="secondary back" onClick={props.back}>
        Back to conversations
      </button>
      <h2>Conversation with {summary?.name ? `${summary.name} (${number})` : number}</h2>
      {summary && <p className="hint">Replies go from {summary.our_number}, the number they wrote to.</p>}
      <ErrorNote error={thread.error ?? markRead.error} />
      {thread.hasNextPage && (
        <button
          type="button"
          className="secondary more"
          disabled={thread.isFetchingNextPage}
          onClick={() => void thread.fetchNextPage()}
        >
          Show older messages
        </button>
      )}
      <ol className="thread" aria-label="Messages">
        {messages.map((m) => (
          <li key={m.id} className={`bubble ${m.direction}`}>
            <span className="sr-only">{m.direction === 'in' ? 'They wrote' : 'You sent'}: </span>
            {m.media?.length ? (
              <MediaList
                media={m.media.map(stableUrl)}
                label={m.direction === 'in' ? 'What they sent' : 'What you sent'}
              />
            ) : null}
            {(m.text !== '' || !m.media?.length) && (
              <span className="message-text">{m.text ?? '(binary message)'}</span>
            )}
            <span className="meta">
              <time dateTime={m.at}>{time(m.at)}</time>
              {m.state && <StatusBadge status={m.state} />}
            </span>
          </li>
        ))}
      </ol>
      <form onSubmit={handleSubmit(onSubmit)} noValidate className="reply">
        <Field
          label="Reply"
          error={formState.errors.text?.message ?? (apiField === 'text' ? reply.error?.message : undefined)}
          hint={
            <span aria-live="polite">
              {count.units} characters · {count.encoding} · {count.segments}{' '}
              {count.segments === 1 ? 'part' : 'parts'} · {count.left} left in this part
            </span>
          }
        >
          {(id, d) => (
            <textarea
              id={id}
              rows={3}
              aria-describedby={d}
              {...register('text', { validate: (v) => v.trim() !== '' || 'Write a reply.' })}
            />
          )}
        </Field>
        <ErrorNote error={reply.error && apiField !== 'text' ? reply.error : undefined} />
        <button type="submit" disabled={reply.isPending}>
          Send reply
        </button>
      </form>
    </div>
  );
}
