/**
 * Campaigns and their recipients on SQLite (CampaignStore). The audience is resolved by
 * INSERT … SELECT (contacts, groups, the numbers list through json_each) in one write; the
 * runner's batches are one transaction each. SQLite is one node: a lease is always the
 * running process's (claimLease grants it), kept so the code paths match PostgreSQL's.
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
import { previewAudience } from './campaign-audience.js';
import { Statements, type NamedMigration, type SqliteHandle } from './handle.js';

export const CAMPAIGNS_MIGRATIONS: readonly NamedMigration[] = [
  {
    name: 'campaigns/1',
    sql: `CREATE TABLE campaigns (
       id INTEGER PRIMARY KEY,
       user_id INTEGER NOT NULL,
       name TEXT NOT NULL,
       sender TEXT NOT NULL,
       text TEXT,
       template_id INTEGER,
       audience TEXT NOT NULL,
       schedule_at INTEGER,
       time_zone TEXT,
       quiet_hours TEXT,
       rate_per_second REAL,
       tags TEXT NOT NULL DEFAULT '[]',
       send_what_balance_covers INTEGER NOT NULL DEFAULT 0,
       state TEXT NOT NULL,
       state_reason TEXT,
       estimate TEXT,
       duplicates INTEGER NOT NULL DEFAULT 0,
       created_at INTEGER NOT NULL,
       updated_at INTEGER NOT NULL,
       started_at INTEGER,
       finished_at INTEGER,
       lease_owner TEXT,
       lease_until INTEGER
     );
     CREATE INDEX campaigns_by_user ON campaigns (user_id, id);
     CREATE INDEX campaigns_active ON campaigns (state) WHERE state IN ('scheduled', 'running');
     CREATE TABLE campaign_recipients (
       id INTEGER PRIMARY KEY,
       campaign_id INTEGER NOT NULL,
       contact_id INTEGER,
       msisdn TEXT NOT NULL,
       first_name TEXT,
       last_name TEXT,
       fields TEXT NOT NULL DEFAULT '{}',
       state TEXT NOT NULL,
       reason TEXT,
       message_id TEXT,
       segments INTEGER,
       price_micros INTEGER,
       not_before INTEGER NOT NULL DEFAULT 0,
       updated_at INTEGER NOT NULL,
       UNIQUE (campaign_id, msisdn)
     );
     CREATE INDEX campaign_recipients_by_state ON campaign_recipients (campaign_id, state, id);`,
  },
  {
    name: 'campaigns/2',
    sql: `ALTER TABLE campaigns ADD COLUMN repeat TEXT;
     ALTER TABLE campaigns ADD COLUMN occurrence INTEGER NOT NULL DEFAULT 1;
     ALTER TABLE campaigns ADD COLUMN next_id INTEGER;
     CREATE INDEX campaigns_repeats_due ON campaigns (id) WHERE repeat IS NOT NULL AND next_id IS NULL AND state = 'completed';`,
  },
];

interface CampaignDbRow {
  id: number;
  user_id: number;
  name: string;
  sender: string;
  text: string | null;
  template_id: number | null;
  audience: string;
  schedule_at: number | null;
  time_zone: string | null;
  quiet_hours: string | null;
  rate_per_second: number | null;
  tags: string;
  send_what_balance_covers: number;
  repeat: string | null;
  occurrence: number;
  next_id: number | null;
  state: CampaignState;
  state_reason: string | null;
  estimate: string | null;
  duplicates: number;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
  lease_owner: string | null;
  lease_until: number | null;
}

interface RecipientDbRow {
  id: number;
  campaign_id: number;
  contact_id: number | null;
  msisdn: string;
  first_name: string | null;
  last_name: string | null;
  fields: string;
  state: RecipientState;
  reason: string | null;
  message_id: string | null;
  segments: number | null;
  price_micros: number | null;
  not_before: number;
}

const toCampaign = (r: CampaignDbRow): CampaignRow => ({
  id: r.id,
  userId: r.user_id,
  name: r.name,
  sender: r.sender,
  text: r.text,
  templateId: r.template_id,
  audience: JSON.parse(r.audience) as Audience,
  scheduleAt: r.schedule_at,
  timeZone: r.time_zone,
  quietHours: r.quiet_hours === null ? null : (JSON.parse(r.quiet_hours) as QuietHours),
  ratePerSecond: r.rate_per_second,
  tags: JSON.parse(r.tags) as string[],
  sendWhatBalanceCovers: r.send_what_balance_covers === 1,
  repeat: r.repeat === null ? null : (JSON.parse(r.repeat) as Repeat),
  occurrence: r.occurrence,
  nextId: r.next_id,
  state: r.state,
  stateReason: r.state_reason,
  estimate: r.estimate === null ? null : (JSON.parse(r.estimate) as CampaignEstimate),
  duplicates: r.duplicates,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  leaseOwner: r.lease_owner,
  leaseUntil: r.lease_until,
});

const toRecipient = (r: RecipientDbRow): RecipientRow => ({
  id: r.id,
  campaignId: r.campaign_id,
  contactId: r.contact_id,
  msisdn: r.msisdn,
  firstName: r.first_name,
  lastName: r.last_name,
  fields: JSON.parse(r.fields) as Record<string, string>,
  state: r.state,
  reason: r.reason,
  messageId: r.message_id,
  segments: r.segments,
  priceMicros: r.price_micros,
  notBefore: r.not_before,
});

/** `?, ?, ?` for n parameters. */
const marks = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

export class SqliteCampaignStore implements CampaignStore {
  private readonly st: Statements;

  constructor(private readonly h: SqliteHandle) {
    this.st = new Statements(h.db);
  }

  createCampaign(c: NewCampaign): Promise<CampaignRow> {
    return this.h.write(() => {
      const now = Date.now();
      const r = this.st
        .get(
          `INSERT INTO campaigns (user_id, name, sender, text, template_id, audience, schedule_at, time_zone, quiet_hours,
             rate_per_second, tags, send_what_balance_covers, repeat, state, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?)`,
        )
        .run(
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
          c.sendWhatBalanceCovers ? 1 : 0,
          c.repeat === null ? null : JSON.stringify(c.repeat),
          now,
          now,
        );
      return this.byId(Number(r.lastInsertRowid))!;
    });
  }

  private byId(id: number): CampaignRow | undefined {
    const r = this.st.get('SELECT * FROM campaigns WHERE id = ?').get(id) as CampaignDbRow | undefined;
    return r && toCampaign(r);
  }

  async getCampaign(q: { userId: number; id: number }): Promise<CampaignRow | undefined> {
    const r = this.st.get('SELECT * FROM campaigns WHERE id = ? AND user_id = ?').get(q.id, q.userId) as
      CampaignDbRow | undefined;
    return r && toCampaign(r);
  }

  async listCampaigns(q: {
    userId: number;
    before?: number;
    limit: number;
    state?: CampaignState;
  }): Promise<CampaignRow[]> {
    const rows = this.st
      .get(
        `SELECT * FROM campaigns WHERE user_id = ? AND id < ? AND (? IS NULL OR state = ?) ORDER BY id DESC LIMIT ?`,
      )
      .all(
        q.userId,
        q.before ?? Number.MAX_SAFE_INTEGER,
        q.state ?? null,
        q.state ?? null,
        q.limit,
      ) as CampaignDbRow[];
    return rows.map(toCampaign);
  }

  transition(t: {
    userId: number;
    id: number;
    from: CampaignState[];
    to: CampaignState;
    reason?: string | null;
    text?: string;
    estimate?: CampaignEstimate;
    now: number;
  }): Promise<CampaignRow | undefined> {
    return this.h.write(() => {
      const ended = t.to === 'completed' || t.to === 'canceled';
      const r = this.st
        .get(
          `UPDATE campaigns SET state = ?, state_reason = ?, updated_at = ?,
             text = COALESCE(?, text), estimate = COALESCE(?, estimate),
             started_at = CASE WHEN ? = 'running' THEN COALESCE(started_at, ?) ELSE started_at END,
             finished_at = CASE WHEN ? THEN ? ELSE finished_at END,
             lease_owner = CASE WHEN ? THEN NULL ELSE lease_owner END
           WHERE id = ? AND user_id = ? AND state IN (${marks(t.from.length)})`,
        )
        .run(
          t.to,
          t.reason ?? null,
          t.now,
          t.text ?? null,
          t.estimate ? JSON.stringify(t.estimate) : null,
          t.to,
          t.now,
          ended ? 1 : 0,
          t.now,
          ended ? 1 : 0,
          t.id,
          t.userId,
          ...t.from,
        );
      return r.changes === 0 ? undefined : this.byId(t.id);
    });
  }

  resolveAudience(r: { userId: number; campaignId: number; now: number }): Promise<ResolvedAudience> {
    return this.h.write(() => {
      const c = this.byId(r.campaignId);
      if (!c || c.userId !== r.userId) return { recipients: 0, optedOut: 0, duplicates: 0 };
      const a = c.audience;
      this.st.get('DELETE FROM campaign_recipients WHERE campaign_id = ?').run(c.id);
      // Groups and exclusion groups must be the account's: a group id of another account
      // selects nobody (its members are joined through contact_groups.user_id).
      const inGroups = `SELECT m.contact_id FROM contact_group_members m JOIN contact_groups g ON g.id = m.group_id
                        WHERE g.user_id = @user AND m.group_id IN (SELECT value FROM json_each(@groups))`;
      const excluded = `SELECT m.contact_id FROM contact_group_members m JOIN contact_groups g ON g.id = m.group_id
                        WHERE g.user_id = @user AND m.group_id IN (SELECT value FROM json_each(@exclude))`;
      const optedOut = `EXISTS (SELECT 1 FROM optouts o WHERE o.msisdn = c.msisdn AND o.sender = @sender)`;
      // Contacts are unique per number and account: no duplicates among them.
      this.h.db
        .prepare(
          `INSERT OR IGNORE INTO campaign_recipients
             (campaign_id, contact_id, msisdn, first_name, last_name, fields, state, reason, updated_at)
           SELECT @campaign, c.id, c.msisdn, c.first_name, c.last_name, c.fields,
                  CASE WHEN ${optedOut} THEN 'skipped' ELSE 'new' END,
                  CASE WHEN ${optedOut} THEN 'opted_out' END, @now
           FROM contacts c
           WHERE c.user_id = @user
             AND (c.id IN (${inGroups}) OR c.id IN (SELECT value FROM json_each(@contacts)))
             AND c.id NOT IN (${excluded})
           ORDER BY c.id`,
        )
        .run({
          campaign: c.id,
          user: r.userId,
          groups: JSON.stringify(a.groups),
          contacts: JSON.stringify(a.contacts),
          exclude: JSON.stringify(a.excludeGroups),
          sender: c.sender,
          now: r.now,
        });
      const fromList =
        a.numbers.length === 0
          ? { changes: 0 }
          : this.h.db
              .prepare(
                `INSERT OR IGNORE INTO campaign_recipients (campaign_id, msisdn, state, reason, updated_at)
                 SELECT @campaign, n.value,
                        CASE WHEN EXISTS (SELECT 1 FROM optouts o WHERE o.msisdn = n.value AND o.sender = @sender) THEN 'skipped' ELSE 'new' END,
                        CASE WHEN EXISTS (SELECT 1 FROM optouts o WHERE o.msisdn = n.value AND o.sender = @sender) THEN 'opted_out' END,
                        @now
                 FROM json_each(@numbers) n ORDER BY n.key`,
              )
              .run({ campaign: c.id, numbers: JSON.stringify(a.numbers), sender: c.sender, now: r.now });
      const duplicates = a.numbers.length - fromList.changes;
      this.st.get('UPDATE campaigns SET duplicates = ? WHERE id = ?').run(duplicates, c.id);
      const out = this.st
        .get(
          `SELECT count(*) AS n, sum(reason = 'opted_out') AS o FROM campaign_recipients WHERE campaign_id = ?`,
        )
        .get(c.id) as { n: number; o: number | null };
      return { recipients: out.n, optedOut: out.o ?? 0, duplicates };
    });
  }

  deleteDraft(q: { userId: number; id: number }): Promise<boolean> {
    return this.h.write(() => {
      const r = this.st
        .get(`DELETE FROM campaigns WHERE id = ? AND user_id = ? AND state = 'draft'`)
        .run(q.id, q.userId);
      if (r.changes === 0) return false;
      this.st.get('DELETE FROM campaign_recipients WHERE campaign_id = ?').run(q.id);
      return true;
    });
  }

  async previewAudience(q: {
    userId: number;
    sender: string;
    audience: Audience;
    sample: number;
  }): Promise<AudiencePreview> {
    return previewAudience(this.st, q);
  }

  async recipientPage(q: {
    campaignId: number;
    state: RecipientState;
    after: number;
    limit: number;
    dueBy?: number;
  }): Promise<RecipientRow[]> {
    return (
      this.st
        .get(
          `SELECT * FROM campaign_recipients WHERE campaign_id = ? AND state = ? AND id > ? AND not_before <= ?
           ORDER BY id LIMIT ?`,
        )
        .all(q.campaignId, q.state, q.after, q.dueBy ?? Number.MAX_SAFE_INTEGER, q.limit) as RecipientDbRow[]
    ).map(toRecipient);
  }

  prepareRecipients(campaignId: number, rows: PreparedRecipient[], now: number): Promise<void> {
    return this.h.write(() => {
      const pending = this.st.get(
        `UPDATE campaign_recipients SET state = 'pending', message_id = ?, segments = ?, price_micros = ?, updated_at = ?
         WHERE id = ? AND campaign_id = ? AND state = 'new'`,
      );
      const skipped = this.st.get(
        `UPDATE campaign_recipients SET state = 'skipped', reason = ?, updated_at = ? WHERE id = ? AND campaign_id = ? AND state = 'new'`,
      );
      for (const r of rows)
        if (r.state === 'pending') pending.run(r.messageId, r.segments, r.priceMicros, now, r.id, campaignId);
        else skipped.run(r.reason, now, r.id, campaignId);
    });
  }

  recordOutcomes(campaignId: number, rows: RecipientOutcome[], now: number): Promise<void> {
    return this.h.write(() => {
      const submitted = this.st.get(
        `UPDATE campaign_recipients SET state = 'submitted', price_micros = ?, updated_at = ? WHERE id = ? AND campaign_id = ?`,
      );
      const refused = this.st.get(
        `UPDATE campaign_recipients SET state = 'refused', reason = ?, updated_at = ? WHERE id = ? AND campaign_id = ?`,
      );
      const deferred = this.st.get(
        `UPDATE campaign_recipients SET not_before = ?, updated_at = ? WHERE id = ? AND campaign_id = ? AND state = 'pending'`,
      );
      for (const r of rows)
        if (r.state === 'submitted') submitted.run(r.priceMicros, now, r.id, campaignId);
        else if (r.state === 'refused') refused.run(r.reason, now, r.id, campaignId);
        else deferred.run(r.notBefore, now, r.id, campaignId);
    });
  }

  skipPending(campaignId: number, reason: string, now: number): Promise<number> {
    return this.h.write(
      () =>
        this.st
          .get(
            `UPDATE campaign_recipients SET state = 'skipped', reason = ?, updated_at = ? WHERE campaign_id = ? AND state = 'pending'`,
          )
          .run(reason, now, campaignId).changes,
    );
  }

  async pendingLeft(campaignId: number): Promise<{ pending: number; nextAt: number | null }> {
    const r = this.st
      .get(
        `SELECT count(*) AS n, min(not_before) AS at FROM campaign_recipients WHERE campaign_id = ? AND state = 'pending'`,
      )
      .get(campaignId) as { n: number; at: number | null };
    return { pending: r.n, nextAt: r.at };
  }

  async pendingCost(campaignId: number): Promise<{ recipients: number; parts: number; costMicros: number }> {
    const r = this.st
      .get(
        `SELECT count(*) AS n, coalesce(sum(segments), 0) AS p, coalesce(sum(price_micros), 0) AS c
         FROM campaign_recipients WHERE campaign_id = ? AND state = 'pending'`,
      )
      .get(campaignId) as { n: number; p: number; c: number };
    return { recipients: r.n, parts: r.p, costMicros: r.c };
  }

  claimLease(l: { id: number; owner: string; until: number; now: number }): Promise<boolean> {
    // One process per SQLite file: the lease is the running process's, whoever held it before.
    return this.h.write(
      () =>
        this.st
          .get('UPDATE campaigns SET lease_owner = ?, lease_until = ? WHERE id = ?')
          .run(l.owner, l.until, l.id).changes > 0,
    );
  }

  releaseLease(l: { id: number; owner: string }): Promise<void> {
    return this.h.write(() => {
      this.st
        .get('UPDATE campaigns SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?')
        .run(l.id, l.owner);
    });
  }

  async dueCampaigns(q: {
    now: number;
    limit: number;
  }): Promise<{ id: number; userId: number; state: CampaignState }[]> {
    return (
      this.st
        .get(
          `SELECT id, user_id, state FROM campaigns
           WHERE (state = 'running') OR (state = 'scheduled' AND coalesce(schedule_at, 0) <= ?)
           ORDER BY id LIMIT ?`,
        )
        .all(q.now, q.limit) as { id: number; user_id: number; state: CampaignState }[]
    ).map((r) => ({ id: r.id, userId: r.user_id, state: r.state }));
  }

  async repeatsDue(q: { limit: number }): Promise<CampaignRow[]> {
    return (
      this.st
        .get(
          `SELECT * FROM campaigns WHERE repeat IS NOT NULL AND next_id IS NULL AND state = 'completed'
             AND (json_extract(repeat, '$.times') IS NULL OR occurrence < json_extract(repeat, '$.times'))
           ORDER BY id LIMIT ?`,
        )
        .all(q.limit) as CampaignDbRow[]
    ).map(toCampaign);
  }

  createNext(n: { id: number; scheduleAt: number; now: number }): Promise<CampaignRow | undefined> {
    return this.h.write(() => {
      const c = this.byId(n.id);
      if (!c || c.nextId !== null || c.state !== 'completed') return undefined;
      const r = this.st
        .get(
          `INSERT INTO campaigns (user_id, name, sender, text, template_id, audience, schedule_at, time_zone, quiet_hours,
             rate_per_second, tags, send_what_balance_covers, repeat, occurrence, state, created_at, updated_at)
           SELECT user_id, name, sender, CASE WHEN template_id IS NULL THEN text END, template_id, audience, ?, time_zone,
             quiet_hours, rate_per_second, tags, send_what_balance_covers, repeat, occurrence + 1, 'scheduled', ?, ?
           FROM campaigns WHERE id = ?`,
        )
        .run(n.scheduleAt, n.now, n.now, n.id);
      const next = Number(r.lastInsertRowid);
      this.st.get('UPDATE campaigns SET next_id = ? WHERE id = ?').run(next, n.id);
      return this.byId(next);
    });
  }

  async stats(q: { userId: number; id: number }): Promise<CampaignStats | undefined> {
    const c = await this.getCampaign(q);
    return c && campaignStats(this.st, c);
  }

  async recipientStatuses(q: {
    userId: number;
    id: number;
    after: number;
    limit: number;
  }): Promise<RecipientStatus[]> {
    const rows = this.st
      .get(
        `SELECT r.id, r.msisdn, r.contact_id, r.state, r.reason, r.message_id, r.price_micros, r.updated_at,
                m.state AS mstate
         FROM campaign_recipients r JOIN campaigns c ON c.id = r.campaign_id AND c.user_id = ?
         LEFT JOIN messages m ON r.state = 'submitted' AND m.id = r.message_id
         WHERE r.campaign_id = ? AND r.id > ? ORDER BY r.id LIMIT ?`,
      )
      .all(q.userId, q.id, q.after, q.limit) as (RecipientDbRow & {
      mstate: string | null;
      updated_at: number;
    })[];
    return rows.map((r) => ({
      id: r.id,
      msisdn: r.msisdn,
      contactId: r.contact_id,
      state: r.state,
      reason: r.reason,
      messageId: r.state === 'submitted' ? r.message_id : null,
      messageState: r.mstate,
      priceMicros: r.state === 'submitted' ? r.price_micros : null,
      updatedAt: r.updated_at,
    }));
  }
}
