/**
 * Today at a glance: the balance, today's messages by outcome and the delivery rate, the last
 * 24 hours per hour as a chart, and the campaigns sending now with their progress. The figures
 * come from the reports' counters (a message is counted when it reaches its final state) and
 * refresh by polling.
 */
import { Link } from 'react-router';
import { useBalance } from '../api/messages';
import { outcome, useReport, useRunningCampaigns, type ReportGroup } from '../api/reports';
import { Chart, type TrafficPoint } from '../components/Chart';
import { ErrorNote } from '../components/ErrorNote';

const HOUR = 3_600_000;

/** The start of this hour, `hoursBack` hours ago (the counters' hours are whole UTC hours). */
function hourStart(hoursBack: number): Date {
  const d = new Date(Date.now() - hoursBack * HOUR);
  d.setUTCMinutes(0, 0, 0);
  return d;
}

/** The 24 hours up to now, each with its counts (an hour without messages counts zero). */
function last24Hours(groups: ReportGroup[] | undefined): TrafficPoint[] {
  const byHour = new Map((groups ?? []).map((g) => [new Date(g.key).getTime(), g]));
  return Array.from({ length: 24 }, (_, i) => {
    const at = hourStart(23 - i);
    const label = at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    return { label, ...outcome(byHour.get(at.getTime())) };
  });
}

export function Dashboard() {
  const balance = useBalance();
  const midnight = new Date();
  midnight.setHours(0, 0, 0, 0);
  const dayStart = new Date(Math.floor(midnight.getTime() / HOUR) * HOUR).toISOString();
  const dayFrom = hourStart(23).toISOString();
  const hours = useReport({ group_by: 'hour', from: dayFrom < dayStart ? dayFrom : dayStart }, 5_000);
  const running = useRunningCampaigns();
  const groups = hours.data?.groups ?? [];
  const today = groups
    .filter((g) => g.key >= dayStart)
    .reduce(
      (t, g) => {
        const o = outcome(g);
        return { sent: t.sent + o.sent, delivered: t.delivered + o.delivered, failed: t.failed + o.failed };
      },
      { sent: 0, delivered: 0, failed: 0 },
    );
  const figure = (n: number) => (hours.data ? n : '…');
  return (
    <section className="dashboard">
      <h1>Dashboard</h1>
      <div className="cards">
        <div className="card">
          <h2>Balance</h2>
          <p className="figure">{balance.data?.balance ?? '…'}</p>
        </div>
        <div className="card">
          <h2>Sent today</h2>
          <p className="figure" data-testid="sent-today">
            {figure(today.sent)}
          </p>
        </div>
        <div className="card">
          <h2>Delivered today</h2>
          <p className="figure" data-testid="delivered-today">
            {figure(today.delivered)}
          </p>
        </div>
        <div className="card">
          <h2>Failed today</h2>
          <p className="figure">{figure(today.failed)}</p>
        </div>
        <div className="card">
          <h2>Delivery rate</h2>
          <p className="figure">
            {today.sent ? `${Math.round((today.delivered / today.sent) * 100)}%` : '–'}
          </p>
        </div>
      </div>
      <p className="hint">Messages are counted when they reach their final state (delivered or failed).</p>
      <ErrorNote error={hours.error ?? running.error} />
      <Chart
        title="Messages in the last 24 hours"
        data={last24Hours(hours.data?.groups)}
        empty="No messages finished in the last 24 hours."
      />
      <h2>Campaigns sending now</h2>
      {running.data?.length === 0 && <p className="hint">No campaign is sending now.</p>}
      <ul className="progress-list">
        {running.data?.map((c) => (
          <li key={c.id}>
            <Link to={`/campaigns/${c.id}`}>{c.name}</Link>
            <progress max={Math.max(c.recipients, 1)} value={c.done} aria-label={`${c.name} progress`} />
            <span className="hint">
              {c.done} of {c.recipients} sent · {c.delivered} delivered
            </span>
          </li>
        ))}
      </ul>
      <p>
        <Link className="button" to="/send">
          Send a message
        </Link>
      </p>
    </section>
  );
}
