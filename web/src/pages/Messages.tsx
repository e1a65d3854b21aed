/** The message log: filter by number, sender, campaign, state and date; newest first; pages by cursor. */
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useCampaigns } from '../api/campaigns';
import { createColumnHelper, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import { useMessages, type Message, type MessageFilter } from '../api/messages';
import { DataTable } from '../components/DataTable';
import { Field } from '../components/Field';
import { ErrorNote } from '../components/ErrorNote';
import { CursorPager, useCursorPages } from '../components/CursorPager';
import { StatusBadge } from '../components/StatusBadge';

const STATES = [
  '',
  'queued',
  'sent',
  'delivered',
  'undelivered',
  'expired',
  'rejected',
  'failed',
  'canceled',
];

const col = createColumnHelper<Message>();
const columns = [
  col.accessor('created_at', {
    header: 'Sent',
    cell: (c) => new Date(c.getValue()).toLocaleString(),
  }),
  col.accessor('to', { header: 'To' }),
  col.accessor('from', { header: 'From' }),
  col.accessor('text', {
    header: 'Message',
    cell: (c) => (
      <>
        {c.row.original.type === 'mms' && (
          <span className="badge mms" title="Carries pictures, video or audio">
            MMS
          </span>
        )}{' '}
        <Link to={`/messages/${c.row.original.id}`}>
          {(c.getValue() ?? '(binary)').slice(0, 60) ||
            (c.row.original.type === 'mms' ? '(media only)' : '(empty)')}
        </Link>
      </>
    ),
  }),
  col.accessor('status', { header: 'State', cell: (c) => <StatusBadge status={c.getValue()} /> }),
  col.accessor('cost', { header: 'Cost' }),
];

export function Messages() {
  // A campaign's page links here as /messages?campaign=<id>.
  const [params] = useSearchParams();
  const [filter, setFilter] = useState<MessageFilter>(() =>
    params.get('campaign') ? { campaign: params.get('campaign')! } : {},
  );
  const campaigns = useCampaigns('');
  const pages = useCursorPages<string>();
  const page = useMessages({ ...filter, ...(pages.cursor !== undefined ? { cursor: pages.cursor } : {}) });
  const table = useReactTable({ data: page.data?.data ?? [], columns, getCoreRowModel: getCoreRowModel() });
  const set = (k: keyof MessageFilter, v: string) => {
    pages.reset();
    setFilter((f) => ({ ...f, [k]: v || undefined }));
  };
  return (
    <section>
      <h1>Messages</h1>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <Field label="Number">
          {(id) => (
            <input
              id={id}
              type="search"
              placeholder="+447700900123"
              onChange={(e) => set('to', e.target.value.trim())}
            />
          )}
        </Field>
        <Field label="Sender">
          {(id) => (
            <input
              id={id}
              type="search"
              placeholder="Shop"
              onChange={(e) => set('from', e.target.value.trim())}
            />
          )}
        </Field>
        <Field label="Campaign">
          {(id) => (
            <select id={id} value={filter.campaign ?? ''} onChange={(e) => set('campaign', e.target.value)}>
              <option value="">any</option>
              {(campaigns.data?.data ?? []).map((c) => (
                <option key={c.id} value={String(c.id)}>
                  {c.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="State">
          {(id) => (
            <select id={id} onChange={(e) => set('status', e.target.value)}>
              {STATES.map((s) => (
                <option key={s} value={s}>
                  {s || 'any'}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="From date">
          {(id) => (
            <input
              id={id}
              type="date"
              onChange={(e) => set('since', e.target.value && new Date(e.target.value).toISOString())}
            />
          )}
        </Field>
        <Field label="To date">
          {(id) => (
            <input
              id={id}
              type="date"
              onChange={(e) =>
                set(
                  'until',
                  e.target.value && new Date(new Date(e.target.value).getTime() + 86_400_000).toISOString(),
                )
              }
            />
          )}
        </Field>
      </form>
      <ErrorNote error={page.error} />
      <DataTable table={table}>
        {page.data && page.data.data.length === 0 && <p>No messages match.</p>}
      </DataTable>
      <CursorPager pages={pages} next={page.data?.next_cursor} />
    </section>
  );
}
