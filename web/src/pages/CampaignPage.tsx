/**
 * One campaign: its state and progress (refreshed every 2 s while it runs), statistics
 * (queued, sent, delivered, failed, skipped and opted out, delivery rate, cost), the actions
 * its state allows with the state each leads to, and every recipient's status as a CSV.
 */
import { Link, useNavigate, useParams } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import {
  deleteDraft,
  isLive,
  recipientsCsvUrl,
  useCampaign,
  useCampaignAction,
  useCampaignStats,
  type Campaign,
  type CampaignStats,
} from '../api/campaigns';
import { ErrorNote } from '../components/ErrorNote';
import { CampaignProgress } from '../components/CampaignProgress';
import { CampaignStateBadge } from './campaigns/CampaignStateBadge';

type Verb = 'start' | 'pause' | 'resume' | 'cancel';

/** What the customer may do in each state, and the state it leads to. */
const ACTIONS: Record<string, { verb: Verb; label: string; leads: string }[]> = {
  draft: [
    { verb: 'start', label: 'Start', leads: 'running, or scheduled for its time' },
    { verb: 'cancel', label: 'Cancel', leads: 'canceled' },
  ],
  scheduled: [
    { verb: 'pause', label: 'Pause', leads: 'paused' },
    { verb: 'cancel', label: 'Cancel', leads: 'canceled: nothing is sent' },
  ],
  running: [
    { verb: 'pause', label: 'Pause', leads: 'paused: sending stops after the current batch' },
    { verb: 'cancel', label: 'Cancel', leads: 'canceled: recipients not yet sent are skipped' },
  ],
  paused: [
    { verb: 'resume', label: 'Resume', leads: 'running again' },
    { verb: 'cancel', label: 'Cancel', leads: 'canceled: recipients not yet sent are skipped' },
  ],
};

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

function Figures({ s }: { s: CampaignStats }) {
  const submitted = s.queued + s.sent + s.delivered + s.failed + s.expired;
  const finished = s.delivered + s.failed + s.expired;
  const rate = finished === 0 ? '—' : `${((s.delivered / finished) * 100).toFixed(1)}%`;
  const figures: [string, string | number][] = [
    ['Recipients', s.recipients],
    ['Waiting', s.pending],
    ['Queued', s.queued],
    ['Sent', s.sent],
    ['Delivered', s.delivered],
    ['Failed', s.failed + s.expired],
    ['Opted out', (s.skipped.opted_out ?? 0) + (s.refused.opted_out ?? 0)],
    ['Skipped', sum(s.skipped) - (s.skipped.opted_out ?? 0)],
    ['Refused', sum(s.refused) - (s.refused.opted_out ?? 0)],
    ['Delivery rate', rate],
    ['Cost', s.cost],
    ['Replies', s.replies],
  ];
  return (
    <>
      <dl className="campaign-figures" aria-label="Statistics">
        {figures.map(([k, v]) => (
          <div key={k} className="card">
            <dt>{k}</dt>
            <dd className="figure">{v}</dd>
          </div>
        ))}
      </dl>
      <p className="hint">
        {submitted} messages handed to the gateway, {s.parts} parts; {s.opt_outs} recipients opted out since
        the start.
      </p>
      {sum(s.skipped) + sum(s.refused) > 0 && (
        <p className="hint">
          Not sent, by reason:{' '}
          {Object.entries({ ...s.skipped })
            .concat(Object.entries(s.refused))
            .map(([k, v]) => `${k.replace(/_/g, ' ')} ${v}`)
            .join(', ')}
        </p>
      )}
    </>
  );
}

function DeleteDraft({ id }: { id: number }) {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const del = useMutation({
    mutationFn: () => deleteDraft(id),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['campaigns'] });
      void navigate('/campaigns');
    },
  });
  return (
    <>
      <button type="button" className="secondary" disabled={del.isPending} onClick={() => del.mutate()}>
        Delete draft
      </button>
      <ErrorNote error={del.error} />
    </>
  );
}

function Actions({ c }: { c: Campaign }) {
  const act = useCampaignAction(c.id);
  const actions = ACTIONS[c.state] ?? [];
  if (actions.length === 0) return null;
  return (
    <div className="actions-block">
      <div className="actions">
        {actions.map((a) => (
          <button
            key={a.verb}
            type="button"
            className={a.verb === 'cancel' ? 'secondary' : undefined}
            disabled={act.isPending}
            aria-describedby={`leads-${a.verb}`}
            onClick={() => act.mutate(a.verb)}
          >
            {a.label}
          </button>
        ))}
        {c.state === 'draft' && <DeleteDraft id={c.id} />}
      </div>
      <ul className="hint">
        {actions.map((a) => (
          <li key={a.verb} id={`leads-${a.verb}`}>
            {a.label}: becomes {a.leads}.
          </li>
        ))}
      </ul>
      <ErrorNote error={act.error} />
    </div>
  );
}

export function CampaignPage() {
  const id = Number(useParams().id);
  const campaign = useCampaign(id);
  const c = campaign.data;
  const stats = useCampaignStats(id, isLive(c?.state));
  const s = stats.data;
  const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');
  return (
    <section>
      <h1>{c ? c.name : 'Campaign'}</h1>
      <ErrorNote error={campaign.error ?? stats.error} />
      {c && (
        <>
          <p>
            <CampaignStateBadge state={c.state} />{' '}
            {c.state_reason && <span className="hint">{c.state_reason}</span>}
          </p>
          {s && c.state !== 'draft' && <CampaignProgress stats={s} label="Campaign progress" />}
          <Actions c={c} />
          <dl className="facts">
            <dt>From</dt>
            <dd>{c.from}</dd>
            <dt>Message</dt>
            <dd className="message-text">{c.text ?? `template ${c.template_id}`}</dd>
            <dt>Created</dt>
            <dd>{when(c.created_at)}</dd>
            <dt>Scheduled</dt>
            <dd>{c.schedule_at ? `${when(c.schedule_at)}${c.time_zone ? ` (${c.time_zone})` : ''}` : '—'}</dd>
            <dt>Started</dt>
            <dd>{when(c.started_at)}</dd>
            <dt>Finished</dt>
            <dd>{when(c.finished_at)}</dd>
            <dt>Rate cap</dt>
            <dd>{c.rate_per_second ? `${c.rate_per_second} per second` : 'none'}</dd>
            <dt>Quiet hours</dt>
            <dd>{c.quiet_hours ? `${c.quiet_hours.from}–${c.quiet_hours.to}` : 'none'}</dd>
            {c.estimate && (
              <>
                <dt>Estimate</dt>
                <dd>
                  {c.estimate.recipients} recipients, {c.estimate.parts} parts, {c.estimate.cost}
                </dd>
              </>
            )}
          </dl>
          <h2>Statistics</h2>
          {s && <Figures s={s} />}
          <p>
            <a className="button secondary" href={recipientsCsvUrl(id)} download>
              Download recipients (CSV)
            </a>{' '}
            <Link to={`/messages?campaign=${id}`}>See its messages</Link>
          </p>
        </>
      )}
    </section>
  );
}
