/**
 * Campaigns and their recipients on PostgreSQL (CampaignStore). The audience is resolved by
 * INSERT … SELECT in one transaction; the runner's batches are one statement each (unnest of
 * column arrays). Writes go to the pool in their own transactions rather than through the
 * core's group-commit writer: a 100,000-row resolution would hold up every accept sharing
 * that writer's transaction. One runner per campaign across nodes: a lease (owner, expiry)
 * taken and renewed by compare-and-set (claimLease).
 */
import type {
  Audience,
  AudiencePreview,
  CampaignEstimate,
  CampaignRow,
  CampaignState,
  CampaignStats,
  CampaignStore,
  NewCampaign,
  PreparedRecipient,
  QuietHours,
  RecipientOutcome,
  RecipientRow,
  RecipientState,
  RecipientStatus,
  Repeat,
  ResolvedAudience,
} from '../../engine-store/campaigns.js';
import { campaignStats } from './campaign-stats.js';
import { num, type NamedMigration, type PgHandle } from './handle.js';

export const CAMPAIGNS_MIGRATIONS: readonly NamedMigration[] = [
  {
    name: 'campaigns/1',
    sql: `CREATE TABLE campaigns (
       id BIGSERIAL PRIMARY KEY,
       user_id INTEGER NOT NULL,
       name TEXT NOT NULL,
       sender TEXT NOT NULL,
       text TEXT,
       template_id BIGINT,
       audience JSONB NOT NULL,
       schedule_at BIGINT,
       time_zone TEXT,
       quiet_hours JSONB,
       rate_per_second DOUBLE PRECISION,
       tags JSONB NOT NULL DEFAULT '[]',
       send_what_balance_covers BOOLEAN NOT NULL DEFAULT false,
       state TEXT NOT NULL,
       state_reason TEXT,
       estimate JSONB,
       duplicates INTEGER NOT NULL DEFAULT 0,
       created_at BIGINT NOT NULL,
       updated_at BIGINT NOT NULL,
       started_at BIGINT,
       finished_at BIGINT,
       lease_owner TEXT,
       lease_until BIGINT
     );
     CREATE INDEX campaigns_by_user ON campaigns (user_id, id);
     CREATE INDEX campaigns_active ON campaigns (state) WHERE state IN ('scheduled', 'running');
     CREATE TABLE campaign_recipients (
       id BIGSERIAL PRIMARY KEY,
       campaign_id BIGINT NOT NULL,
       contact_id BIGINT,
       msisdn TEXT NOT NULL,
       first_name TEXT,
       last_name TEXT,
       fields JSONB NOT NULL DEFAULT '{}',
       state TEXT NOT NULL,
       reason TEXT,
       message_id TEXT,
       segments INTEGER,
       price_micros BIGINT,
       not_before BIGINT NOT NULL DEFAULT 0,
       updated_at BIGINT NOT NULL,
       UNIQUE (campaign_id, msisdn)
     );
     CREATE INDEX campaign_recipients_by_state ON campaign_recipients (campaign_id, state, id);`,
  },
  {
    name: 'campaigns/2',
    sql: `ALTER TABLE campaigns ADD COLUMN repeat JSONB;
     ALTER TABLE campaigns ADD COLUMN occurrence INTEGER NOT NULL DEFAULT 1;
     ALTER TABLE campaigns ADD COLUMN next_id BIGINT;
     CREATE INDEX campaigns_repeats_due ON campaigns (id) WHERE repeat IS NOT NULL AND next_id IS NULL AND state = 'completed';`,
  },
];

type Row = Record<string, unknown>;
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));

const toCampaign = (r: Row): CampaignRow => ({
  id: num(r.id),
  userId: num(r.user_id),
  name: r.name as string,
  sender: r.sender as string,
  text: (r.text as string | null) ?? null,
  templateId: numOrNull(r.template_id),
  audience: r.audience as Audience,
  scheduleAt: numOrNull(r.schedule_at),
  timeZone: (r.time_zone as string | null) ?? null,
  quietHours: (r.quiet_hours as QuietHours | null) ?? null,
  ratePerSecond: (r.rate_per_second as number | null) ?? null,
  tags: r.tags as string[],
  sendWhatBalanceCovers: r.send_what_balance_covers === true,
  repeat: (r.repeat as Repeat | null) ?? null,
  occurrence: num(r.occurrence),
  nextId: numOrNull(r.next_id),
  state: r.state as CampaignState,
  stateReason: (r.state_reason as string | null) ?? null,
  estimate: (r.estimate as CampaignEstimate | null) ?? null,
  duplicates: num(r.duplicates),
  createdAt: num(r.created_at),
  updatedAt: num(r.updated_at),
  startedAt: numOrNull(r.started_at),
  finishedAt: numOrNull(r.finished_at),
  leaseOwner: (r.lease_owner as string | null) ?? null,
  leaseUntil: numOrNull(r.lease_until),
});

const toRecipient = (r: Row): RecipientRow => ({
  id: num(r.id),
  campaignId: num(r.campaign_id),
  contactId: numOrNull(r.contact_id),
  msisdn: r.msisdn as string,
  firstName: (r.first_name as string | null) ?? null,
  lastName: (r.last_name as string | null) ?? null,
  fields: r.fields as Record<string, string>,
  state: r.state as RecipientState,
  reason: (r.reason as string | null) ?? null,
  messageId: (r.message_id as string | null) ?? null,
  segments: numOrNull(r.segments),
  priceMicros: numOrNull(r.price_micros),
  notBefore: num(r.not_before),
});

export class PgCampaignStore implements CampaignStore {
  constructor(private readonly h: PgHandle) {}

  private async one(sql: string, params: unknown[]): Promise<Row | undefined> {
    return (await this.h.pool.query(sql, params)).rows[0] as Row | undefined;
  }

  async createCampaign(c: NewCampaign): Promise<CampaignRow> {
    const now = Date.now();
    const r = await this.one(
      `INSERT INTO campaigns (user_id, name, sender, text, template_id, audience, schedule_at, time_zone, quiet_hours,
         rate_per_second, tags, send_what_balance_covers, repeat, state, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $14, 'draft', $13, $13) RETURNING *`,
      [
        c.userId,
        c.name,
        c.sender,
        c.text,
        c.templateId,
        JSON.stringify(c.audience),
        c.scheduleAt,
        c.timeZone,
        c.quietHours === null ? null : JSON.stringify(c.quietHours),
        c.ratePerSecond,
        JSON.stringify(c.tags),
        c.sendWhatBalanceCovers,
        now,
        c.repeat === null ? null : JSON.stringify(c.repeat),
      ],
    );
    return toCampaign(r!);
  }

  async getCampaign(q: { userId: number; id: number }): Promise<CampaignRow | undefined> {
    const r = await this.one('SELECT * FROM campaigns WHERE id = $1 AND user_id = $2', [q.id, q.userId]);
    return r && toCampaign(r);
  }

  async listCampaigns(q: {
    userId: number;
    before?: number;
    limit: number;
    state?: CampaignState;
  }): Promise<CampaignRow[]> {
    const { rows } = await this.h.pool.query(
      `SELECT * FROM campaigns WHERE user_id = $1 AND id < $2 AND ($3::text IS NULL OR state = $3)
       ORDER BY id DESC LIMIT $4`,
      [q.userId, q.before ?? Number.MAX_SAFE_INTEGER, q.state ?? null, q.limit],
    );
    return (rows as Row[]).map(toCampaign);
  }

  async transition(t: {
    userId: number;
    id: number;
    from: CampaignState[];
    to: CampaignState;
    reason?: string | null;
    text?: string;
    estimate?: CampaignEstimate;
    now: number;
  }): Promise<CampaignRow | undefined> {
    const ended = t.to === 'completed' || t.to === 'canceled';
    const r = await this.one(
      `UPDATE campaigns SET state = $1, state_reason = $2, updated_at = $3,
         text = COALESCE($4, text), estimate = COALESCE($5::jsonb, estimate),
         started_at = CASE WHEN $1 = 'running' THEN COALESCE(started_at, $3) ELSE started_at END,
         finished_at = CASE WHEN $6 THEN $3 ELSE finished_at END,
         lease_owner = CASE WHEN $6 THEN NULL ELSE lease_owner END
       WHERE id = $7 AND user_id = $8 AND state = ANY($9::text[]) RETURNING *`,
      [
        t.to,
        t.reason ?? null,
        t.now,
        t.text ?? null,
        t.estimate ? JSON.stringify(t.estimate) : null,
        ended,
        t.id,
        t.userId,
        t.from,
      ],
    );
    return r && toCampaign(r);
  }

  async resolveAudience(r: { userId: number; campaignId: number; now: number }): Promise<ResolvedAudience> {
    const c = await this.getCampaign({ userId: r.userId, id: r.campaignId });
    if (!c) return { recipients: 0, optedOut: 0, duplicates: 0 };
    const a = c.audience;
    const db = await this.h.pool.connect();
    try {
      await db.query('BEGIN');
      await db.query('DELETE FROM campaign_recipients WHERE campaign_id = $1', [c.id]);
      // Groups must be the account's: another account's group id selects nobody.
      await db.query(
        `INSERT INTO campaign_recipients
           (campaign_id, contact_id, msisdn, first_name, last_name, fields, state, reason, updated_at)
         SELECT $1, c.id, c.msisdn, c.first_name, c.last_name, c.fields,
                CASE WHEN o.msisdn IS NULL THEN 'new' ELSE 'skipped' END,
                CASE WHEN o.msisdn IS NULL THEN NULL ELSE 'opted_out' END, $7
         FROM contacts c
         LEFT JOIN optouts o ON o.msisdn = c.msisdn AND o.sender = $6
         WHERE c.user_id = $2
           AND (c.id IN (SELECT m.contact_id FROM contact_group_members m JOIN contact_groups g ON g.id = m.group_id
                         WHERE g.user_id = $2 AND m.group_id = ANY($3::bigint[]))
                OR c.id = ANY($4::bigint[]))
           AND c.id NOT IN (SELECT m.contact_id FROM contact_group_members m JOIN contact_groups g ON g.id = m.group_id
                            WHERE g.user_id = $2 AND m.group_id = ANY($5::bigint[]))
         ORDER BY c.id
         ON CONFLICT (campaign_id, msisdn) DO NOTHING`,
        [c.id, r.userId, a.groups, a.contacts, a.excludeGroups, c.sender, r.now],
      );
      let listed = 0;
      if (a.numbers.length > 0) {
        const ins = await db.query(
          `INSERT INTO campaign_recipients (campaign_id, msisdn, state, reason, updated_at)
           SELECT $1, n.msisdn,
                  CASE WHEN o.msisdn IS NULL THEN 'new' ELSE 'skipped' END,
                  CASE WHEN o.msisdn IS NULL THEN NULL ELSE 'opted_out' END, $4
           FROM unnest($2::text[]) WITH ORDINALITY AS n(msisdn, i)
           LEFT JOIN optouts o ON o.msisdn = n.msisdn AND o.sender = $3
           ORDER BY n.i
           ON CONFLICT (campaign_id, msisdn) DO NOTHING`,
          [c.id, a.numbers, c.sender, r.now],
        );
        listed = ins.rowCount ?? 0;
      }
      const duplicates = a.numbers.length - listed;
      await db.query('UPDATE campaigns SET duplicates = $1 WHERE id = $2', [duplicates, c.id]);
      const out = (
        await db.query(
          `SELECT count(*) AS n, count(*) FILTER (WHERE reason = 'opted_out') AS o
           FROM campaign_recipients WHERE campaign_id = $1`,
          [c.id],
        )
      ).rows[0] as Row;
      await db.query('COMMIT');
      return { recipients: num(out.n), optedOut: num(out.o), duplicates };
    } catch (err) {
      await db.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      db.release();
    }
  }

  async deleteDraft(q: { userId: number; id: number }): Promise<boolean> {
    // One statement: the draft and its recipients go together.
    const r = await this.one(
      `WITH d AS (DELETE FROM campaigns WHERE id = $1 AND user_id = $2 AND state = 'draft' RETURNING id),
            gone AS (DELETE FROM campaign_recipients WHERE campaign_id IN (SELECT id FROM d))
       SELECT count(*) AS n FROM d`,
      [q.id, q.userId],
    );
    return num(r?.n) > 0;
  }

  async previewAudience(q: {
    userId: number;
    sender: string;
    audience: Audience;
    sample: number;
  }): Promise<AudiencePreview> {
    const a = q.audience;
    // The same selection as resolveAudience, counted instead of inserted.
    const picked = `SELECT c.id, c.msisdn, c.first_name, c.last_name, c.fields FROM contacts c
      WHERE c.user_id = $1
        AND (c.id IN (SELECT m.contact_id FROM contact_group_members m JOIN contact_groups g ON g.id = m.group_id
                      WHERE g.user_id = $1 AND m.group_id = ANY($2::bigint[]))
             OR c.id = ANY($3::bigint[]))
        AND c.id NOT IN (SELECT m.contact_id FROM contact_group_members m JOIN contact_groups g ON g.id = m.group_id
                         WHERE g.user_id = $1 AND m.group_id = ANY($4::bigint[]))`;
    const optedOut = (col: string) =>
      `EXISTS (SELECT 1 FROM optouts o WHERE o.msisdn = ${col} AND o.sender = $5)`;
    const params = [q.userId, a.groups, a.contacts, a.excludeGroups, q.sender];
    const counts = (
      await this.h.pool.query(
        `WITH picked AS (${picked}),
              listed AS (SELECT DISTINCT n AS msisdn FROM unnest($6::text[]) AS n
                         WHERE n NOT IN (SELECT msisdn FROM picked)),
              everyone AS (SELECT msisdn FROM picked UNION ALL SELECT msisdn FROM listed)
         SELECT count(*) AS n, count(*) FILTER (WHERE ${optedOut('e.msisdn')}) AS o,
                (SELECT count(*) FROM listed) AS l
         FROM everyone e`,
        [...params, a.numbers],
      )
    ).rows[0] as Row;
    const { rows } = await this.h.pool.query(
      `${picked} AND NOT ${optedOut('c.msisdn')} ORDER BY c.id LIMIT $6`,
      [...params, q.sample],
    );
    const sample: AudiencePreview['sample'] = (rows as Row[]).map((r) => ({
      contactId: num(r.id),
      msisdn: r.msisdn as string,
      firstName: (r.first_name as string | null) ?? null,
      lastName: (r.last_name as string | null) ?? null,
      fields: r.fields as Record<string, string>,
    }));
    if (sample.length < q.sample && a.numbers.length > 0) {
      const listed = await this.h.pool.query(
        `SELECT n.msisdn FROM unnest($1::text[]) WITH ORDINALITY AS n(msisdn, i)
         WHERE NOT EXISTS (SELECT 1 FROM optouts o WHERE o.msisdn = n.msisdn AND o.sender = $2)
         ORDER BY n.i LIMIT $3`,
        [a.numbers, q.sender, q.sample * 4],
      );
      for (const r of listed.rows as Row[]) {
        const msisdn = r.msisdn as string;
        if (sample.length < q.sample && !sample.some((s) => s.msisdn === msisdn))
          sample.push({ contactId: null, msisdn, firstName: null, lastName: null, fields: {} });
      }
    }
    return {
      recipients: num(counts.n),
      optedOut: num(counts.o),
      duplicates: a.numbers.length - num(counts.l),
      sample,
    };
  }

  async recipientPage(q: {
    campaignId: number;
    state: RecipientState;
    after: number;
    limit: number;
    dueBy?: number;
  }): Promise<RecipientRow[]> {
    const { rows } = await this.h.pool.query(
      `SELECT * FROM campaign_recipients WHERE campaign_id = $1 AND state = $2 AND id > $3 AND not_before <= $4
       ORDER BY id LIMIT $5`,
      [q.campaignId, q.state, q.after, q.dueBy ?? Number.MAX_SAFE_INTEGER, q.limit],
    );
    return (rows as Row[]).map(toRecipient);
  }

  async prepareRecipients(campaignId: number, rows: PreparedRecipient[], now: number): Promise<void> {
    if (rows.length === 0) return;
    await this.h.pool.query(
      `UPDATE campaign_recipients r SET state = d.state, reason = d.reason, message_id = d.message_id,
         segments = d.segments, price_micros = d.price, updated_at = $7
       FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::int[], $8::bigint[])
         AS d(id, state, reason, message_id, segments, price)
       WHERE r.id = d.id AND r.campaign_id = $1 AND r.state = 'new'`,
      [
        campaignId,
        rows.map((r) => r.id),
        rows.map((r) => r.state),
        rows.map((r) => (r.state === 'skipped' ? r.reason : null)),
        rows.map((r) => (r.state === 'pending' ? r.messageId : null)),
        rows.map((r) => (r.state === 'pending' ? r.segments : null)),
        now,
        rows.map((r) => (r.state === 'pending' ? r.priceMicros : null)),
      ],
    );
  }

  async recordOutcomes(campaignId: number, rows: RecipientOutcome[], now: number): Promise<void> {
    if (rows.length === 0) return;
    await this.h.pool.query(
      `UPDATE campaign_recipients r SET state = d.state,
         reason = CASE WHEN d.state = 'refused' THEN d.reason ELSE r.reason END,
         price_micros = CASE WHEN d.state = 'submitted' THEN d.price ELSE r.price_micros END,
         not_before = CASE WHEN d.state = 'pending' THEN d.not_before ELSE r.not_before END,
         updated_at = $6
       FROM unnest($2::bigint[], $3::text[], $4::text[], $5::bigint[], $7::bigint[])
         AS d(id, state, reason, price, not_before)
       WHERE r.id = d.id AND r.campaign_id = $1`,
      [
        campaignId,
        rows.map((r) => r.id),
        rows.map((r) => r.state),
        rows.map((r) => (r.state === 'refused' ? r.reason : null)),
        rows.map((r) => (r.state === 'submitted' ? r.priceMicros : null)),
        now,
        rows.map((r) => (r.state === 'pending' ? r.notBefore : null)),
      ],
    );
  }

  async skipPending(campaignId: number, reason: string, now: number): Promise<number> {
    const r = await this.h.pool.query(
      `UPDATE campaign_recipients SET state = 'skipped', reason = $2, updated_at = $3
       WHERE campaign_id = $1 AND state = 'pending'`,
      [campaignId, reason, now],
    );
    return r.rowCount ?? 0;
  }

  async pendingLeft(campaignId: number): Promise<{ pending: number; nextAt: number | null }> {
    const r = (await this.one(
      `SELECT count(*) AS n, min(not_before) AS at FROM campaign_recipients WHERE campaign_id = $1 AND state = 'pending'`,
      [campaignId],
    ))!;
    return { pending: num(r.n), nextAt: numOrNull(r.at) };
  }

  async pendingCost(campaignId: number): Promise<{ recipients: number; parts: number; costMicros: number }> {
    const r = (await this.one(
      `SELECT count(*) AS n, coalesce(sum(segments), 0) AS p, coalesce(sum(price_micros), 0) AS c
       FROM campaign_recipients WHERE campaign_id = $1 AND state = 'pending'`,
      [campaignId],
    ))!;
    return { recipients: num(r.n), parts: num(r.p), costMicros: num(r.c) };
  }

  async claimLease(l: { id: number; owner: string; until: number; now: number }): Promise<boolean> {
    // Compare and set: free, expired, or already ours. Two nodes racing both run this UPDATE;
    // the row lock makes the second see the first's owner and match nothing.
    const r = await this.h.pool.query(
      `UPDATE campaigns SET lease_owner = $2, lease_until = $3
       WHERE id = $1 AND (lease_owner IS NULL OR lease_owner = $2 OR lease_until < $4)`,
      [l.id, l.owner, l.until, l.now],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async releaseLease(l: { id: number; owner: string }): Promise<void> {
    await this.h.pool.query(
      'UPDATE campaigns SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2',
      [l.id, l.owner],
    );
  }

  async dueCampaigns(q: {
    now: number;
    limit: number;
  }): Promise<{ id: number; userId: number; state: CampaignState }[]> {
    const { rows } = await this.h.pool.query(
      `SELECT id, user_id, state FROM campaigns
       WHERE (state = 'running' AND (lease_owner IS NULL OR lease_until < $1))
          OR (state = 'scheduled' AND coalesce(schedule_at, 0) <= $1)
       ORDER BY id LIMIT $2`,
      [q.now, q.limit],
    );
    return (rows as Row[]).map((r) => ({
      id: num(r.id),
      userId: num(r.user_id),
      state: r.state as CampaignState,
    }));
  }

  async repeatsDue(q: { limit: number }): Promise<CampaignRow[]> {
    const { rows } = await this.h.pool.query(
      `SELECT * FROM campaigns WHERE repeat IS NOT NULL AND next_id IS NULL AND state = 'completed'
         AND (repeat->>'times' IS NULL OR occurrence < (repeat->>'times')::int)
       ORDER BY id LIMIT $1`,
      [q.limit],
    );
    return (rows as Row[]).map(toCampaign);
  }

  async createNext(n: { id: number; scheduleAt: number; now: number }): Promise<CampaignRow | undefined> {
    // One statement: the link is claimed (next_id set) in the same statement that inserts,
    // so two nodes creating the next occurrence at once create one.
    const r = await this.one(
      `WITH prev AS (
         SELECT * FROM campaigns WHERE id = $1 AND next_id IS NULL AND state = 'completed' FOR UPDATE
       ), ins AS (
         INSERT INTO campaigns (user_id, name, sender, text, template_id, audience, schedule_at, time_zone, quiet_hours,
           rate_per_second, tags, send_what_balance_covers, repeat, occurrence, state, created_at, updated_at)
         SELECT user_id, name, sender, CASE WHEN template_id IS NULL THEN text END, template_id, audience, $2, time_zone,
           quiet_hours, rate_per_second, tags, send_what_balance_covers, repeat, occurrence + 1, 'scheduled', $3, $3
         FROM prev RETURNING *
       ), link AS (
         UPDATE campaigns SET next_id = (SELECT id FROM ins) WHERE id = $1 AND EXISTS (SELECT 1 FROM ins)
       )
       SELECT * FROM ins`,
      [n.id, n.scheduleAt, n.now],
    );
    return r && toCampaign(r);
  }

  async stats(q: { userId: number; id: number }): Promise<CampaignStats | undefined> {
    const c = await this.getCampaign(q);
    return c && campaignStats(this.h.pool, c);
  }

  async recipientStatuses(q: {
    userId: number;
    id: number;
    after: number;
    limit: number;
  }): Promise<RecipientStatus[]> {
    const { rows } = await this.h.pool.query(
      `SELECT r.*, m.state AS mstate
       FROM campaign_recipients r JOIN campaigns c ON c.id = r.campaign_id AND c.user_id = $1
       LEFT JOIN messages m ON r.state = 'submitted' AND m.id = r.message_id
       WHERE r.campaign_id = $2 AND r.id > $3 ORDER BY r.id LIMIT $4`,
      [q.userId, q.id, q.after, q.limit],
    );
    return (rows as Row[]).map((r) => ({
      id: num(r.id),
      msisdn: r.msisdn as string,
      contactId: numOrNull(r.contact_id),
      state: r.state as RecipientState,
      reason: (r.reason as string | null) ?? null,
      messageId: r.state === 'submitted' ? (r.message_id as string) : null,
      messageState: (r.mstate as string | null) ?? null,
      priceMicros: r.state === 'submitted' ? numOrNull(r.price_micros) : null,
      updatedAt: num(r.updated_at),
    }));
  }
}
