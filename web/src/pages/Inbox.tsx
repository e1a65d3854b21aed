/**
 * The inbox: conversations per contact (the most recent first, unread ones in bold with their
 * count), the thread of the one opened (marked read on opening), a reply box; and the keyword
 * services that answer MOs by themselves. The list and the thread are polled.
 */
import { Link, useSearchParams } from 'react-router';
import { useConversations, type Conversation as Summary } from '../api/inbox';
import { ErrorNote } from '../components/ErrorNote';
import { Conversation } from './inbox/Conversation';
import { Keywords } from './inbox/Keywords';

const when = (iso: string) => {
  const d = new Date(iso);
  return d.toDateString() === new Date().toDateString()
    ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleDateString();
};

function ConversationList({ selected, open }: { selected?: string; open: (n: string) => void }) {
  const list = useConversations();
  if (list.isPending) return <p className="loading">Loading conversations…</p>;
  if (list.isError) return <ErrorNote error={list.error} />;
  const conversations = list.data.pages.flatMap((p) => p.data);
  if (conversations.length === 0)
    return (
      <p className="hint">No messages yet. Replies to your messages and texts to your numbers land here.</p>
    );
  return (
    <>
      <ul className="conversations" aria-label="Conversations">
        {conversations.map((c: Summary) => (
          <li key={c.number}>
            <button
              type="button"
              className={`conversation${c.unread ? ' unread' : ''}`}
              aria-current={c.number === selected ? 'true' : undefined}
              onClick={() => open(c.number)}
            >
              <span className="peer">
                {c.name ?? c.number}
                {c.unread > 0 && (
                  <span className="badge info" aria-label={`${c.unread} unread`}>
                    {c.unread}
                  </span>
                )}
              </span>
              <span className="when">{when(c.last_at)}</span>
              <span className="last">
                {c.last_message?.direction === 'out' ? 'You: ' : ''}
                {c.last_message?.text ?? '(binary message)'}
              </span>
            </button>
          </li>
        ))}
      </ul>
      {list.hasNextPage && (
        <button
          type="button"
          className="secondary more"
          disabled={list.isFetchingNextPage}
          onClick={() => void list.fetchNextPage()}
        >
          Show more conversations
        </button>
      )}
    </>
  );
}

export function Inbox() {
  const [params, setParams] = useSearchParams();
  const keywords = params.get('view') === 'keywords';
  const selected = params.get('with') ?? undefined;
  const conversations = useConversations();
  const unread = conversations.data?.pages[0]?.unread ?? 0;
  return (
    <section>
      <h1>Inbox</h1>
      <nav className="tabs" aria-label="Inbox">
        <Link to="/inbox" aria-current={!keywords ? 'page' : undefined}>
          Conversations{unread > 0 ? ` (${unread} unread)` : ''}
        </Link>
        <Link to="/inbox?view=keywords" aria-current={keywords ? 'page' : undefined}>
          Keyword services
        </Link>
      </nav>
      {keywords ? (
        <Keywords />
      ) : (
        <div className={`inbox${selected ? ' open' : ''}`}>
          <div className="inbox-list">
            <ConversationList selected={selected} open={(n) => setParams({ with: n })} />
          </div>
          <div className="inbox-thread">
            {selected ? (
              <Conversation
                key={selected}
                number={selected}
                summary={conversations.data?.pages.flatMap((p) => p.data).find((c) => c.number === selected)}
                back={() => setParams({})}
              />
            ) : (
              <p className="hint">Choose a conversation to read it and reply.</p>
            )}
          </div>
        </div>
      )}
    </section>
  );
}
