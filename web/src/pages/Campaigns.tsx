/**
 * Campaigns: each with its state, progress and sent/delivered/failed counts, when it was
 * created and when it is scheduled; filtered by state; running ones refresh every 2 s.
 */
import { useState } from 'react';
import { Link } from 'react-router';
import {
  CAMPAIGN_STATES,
  isLive,
  useCampaigns,
  useStatsOf,
  type Campaign,
  type CampaignState,
} from '../api/campaigns';
import { Field } from '../components/Field';
import { ErrorNote } from '../components/ErrorNote';
import { CampaignProgress } from '../components/CampaignProgress';
import { CampaignStateBadge } from './campaigns/CampaignStateBadge';

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');

export function Campaigns() {
  const [state, setState] = useState<CampaignState | ''>('');
  const list = useCampaigns(state);
  const campaigns: Campaign[] = list.data?.data ?? [];
  const started = campaigns.filter((c) => c.state !== 'draft' && c.state !== 'scheduled');
  const stats = useStatsOf(
    started.map((c) => c.id),
    campaigns.some((c) => isLive(c.state)),
  );
  return (
    <section>
      <div className="page-head">
        <h1>Campaigns</h1>
        <Link className="button" to="/campaigns/new">
          New campaign
        </Link>
      </div>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <Field label="State">
          {(id) => (
            <select id={id} value={state} onChange={(e) => setState(e.target.value as CampaignState | '')}>
              <option value="">any</option>
              {CAMPAIGN_STATES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          )}
        </Field>
      </form>
      <ErrorNote error={list.error} />
      {list.data && campaigns.length === 0 && (
        <p className="note">
          {state ? `No ${state} campaigns.` : 'No campaigns yet: start one with “New campaign”.'}
        </p>
      )}
      {campaigns.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Campaign</th>
                <th scope="col">State</th>
                <th scope="col">Progress</th>
                <th scope="col">Sent</th>
                <th scope="col">Delivered</th>
                <th scope="col">Failed</th>
                <th scope="col">Created</th>
                <th scope="col">Scheduled</th>
              </tr>
            </thead>
            <tbody>
              {campaigns.map((c) => {
                const s = stats.data?.[c.id];
                return (
                  <tr key={c.id}>
                    <td data-label="Campaign">
                      <Link to={`/campaigns/${c.id}`}>{c.name}</Link>
                    </td>
                    <td data-label="State">
                      <CampaignStateBadge state={c.state} />
                    </td>
                    <td data-label="Progress">
                      {s ? <CampaignProgress stats={s} label={`Progress of ${c.name}`} /> : '—'}
                    </td>
                    <td data-label="Sent">{s ? s.sent + s.delivered + s.failed + s.expired : '—'}</td>
                    <td data-label="Delivered">{s?.delivered ?? '—'}</td>
                    <td data-label="Failed">{s ? s.failed + s.expired : '—'}</td>
                    <td data-label="Created">{when(c.created_at)}</td>
                    <td data-label="Scheduled">{when(c.schedule_at)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
