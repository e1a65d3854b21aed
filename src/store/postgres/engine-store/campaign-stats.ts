/**
 * A campaign's statistics on PostgreSQL (as src/store/sqlite/engine-store/campaign-stats.ts):
 * counted from its recipients and their messages, or read from the statistics the retention
 * purge kept before deleting those.
 */
import type pg from 'pg';
import { statsOf, type CampaignStats, type RecipientState } from '../../engine-store/campaigns.js';
import { num } from './handle.js';

export interface StatsSubject {
  id: number;
  sender: string;
  startedAt: number | null;
  duplicates: number;
}

type Db = Pick<pg.Pool, 'query'>;

export async function campaignStats(db: Db, c: StatsSubject): Promise<CampaignStats> {
  const kept = await db.query<{ stats: string }>(
    'SELECT stats FROM kept_campaign_stats WHERE campaign_id = $1',
    [c.id],
  );
  if (kept.rows[0]) return JSON.parse(kept.rows[0].stats) as CampaignStats;
  const { rows } = await db.query(
    `SELECT r.state, r.reason, m.state AS mstate, count(*) AS n,
            coalesce(sum(m.price_micros), 0) AS cost, coalesce(sum(r.segments), 0) AS parts
     FROM campaign_recipients r LEFT JOIN messages m ON r.state = 'submitted' AND m.id = r.message_id
     WHERE r.campaign_id = $1 GROUP BY r.state, r.reason, m.state`,
    [c.id],
  );
  const since = c.startedAt ?? Number.MAX_SAFE_INTEGER;
  const replies = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM mo WHERE received_at >= $1
       AND source IN (SELECT msisdn FROM campaign_recipients WHERE campaign_id = $2 AND state = 'submitted')`,
    [since, c.id],
  );
  const optOuts = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM optouts o JOIN campaign_recipients r ON r.campaign_id = $1 AND r.msisdn = o.msisdn
     WHERE o.sender = $2 AND o.at >= $3`,
    [c.id, c.sender, since],
  );
  return statsOf(
    rows as {
      state: RecipientState;
      reason: string | null;
      mstate: string | null;
      n: number;
      cost: number;
      parts: number;
    }[],
    c.duplicates,
    num(replies.rows[0]!.n),
    num(optOuts.rows[0]!.n),
  );
}
