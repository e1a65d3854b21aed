/**
 * A campaign's statistics on SQLite: counted from its recipients and their messages, or, once
 * the retention purge has deleted those (docs/operations.md, "Retention"), read from the
 * statistics it kept just before.
 */
import { statsOf, type CampaignStats, type RecipientState } from '../../engine-store/campaigns.js';
import type { Statements } from './handle.js';

export interface StatsSubject {
  id: number;
  sender: string;
  startedAt: number | null;
  duplicates: number;
}

export function campaignStats(st: Statements, c: StatsSubject): CampaignStats {
  const kept = st.get('SELECT stats FROM kept_campaign_stats WHERE campaign_id = ?').get(c.id) as
    { stats: string } | undefined;
  if (kept) return JSON.parse(kept.stats) as CampaignStats;
  const rows = st
    .get(
      `SELECT r.state AS state, r.reason AS reason, m.state AS mstate, count(*) AS n,
              coalesce(sum(m.price_micros), 0) AS cost, coalesce(sum(r.segments), 0) AS parts
       FROM campaign_recipients r LEFT JOIN messages m ON r.state = 'submitted' AND m.id = r.message_id
       WHERE r.campaign_id = ? GROUP BY r.state, r.reason, m.state`,
    )
    .all(c.id) as {
    state: RecipientState;
    reason: string | null;
    mstate: string | null;
    n: number;
    cost: number;
    parts: number;
  }[];
  const since = c.startedAt ?? Number.MAX_SAFE_INTEGER;
  const replies = st
    .get(
      `SELECT count(*) AS n FROM mo WHERE received_at >= ?
         AND source IN (SELECT msisdn FROM campaign_recipients WHERE campaign_id = ? AND state = 'submitted')`,
    )
    .get(since, c.id) as { n: number };
  const optOuts = st
    .get(
      `SELECT count(*) AS n FROM optouts o JOIN campaign_recipients r ON r.campaign_id = ? AND r.msisdn = o.msisdn
       WHERE o.sender = ? AND o.at >= ?`,
    )
    .get(c.id, c.sender, since) as { n: number };
  return statsOf(rows, c.duplicates, replies.n, optOuts.n);
}
