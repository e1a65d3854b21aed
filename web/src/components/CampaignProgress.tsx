/** How far a campaign is: recipients handled (sent, skipped or refused) of all, and how many delivered. */
import type { CampaignStats } from '../api/campaigns';

export function handled(s: CampaignStats): number {
  return s.recipients - s.pending;
}

export function CampaignProgress({ stats, label }: { stats: CampaignStats | undefined; label: string }) {
  if (!stats) return <span className="hint">…</span>;
  const done = handled(stats);
  const pct = stats.recipients === 0 ? 0 : Math.round((done / stats.recipients) * 100);
  return (
    <div className="campaign-progress">
      <progress aria-label={label} max={Math.max(stats.recipients, 1)} value={done} />
      <span>
        {done} of {stats.recipients} ({pct}%)
      </span>
    </div>
  );
}
