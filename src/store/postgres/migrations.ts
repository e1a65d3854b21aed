/** PostgreSQL schema, versioned like the SQLite one (same tables, PostgreSQL types). */
export const PG_MIGRATIONS: readonly string[] = [
  `CREATE TABLE users (
     id BIGSERIAL PRIMARY KEY,
     username TEXT NOT NULL UNIQUE,
     password_hash TEXT NOT NULL,
     balance_micros BIGINT NOT NULL CHECK (balance_micros >= 0),
     rate_micros BIGINT NOT NULL,
     enabled BOOLEAN NOT NULL DEFAULT TRUE
   );
   CREATE TABLE messages (
     id TEXT PRIMARY KEY,
     user_id BIGINT NOT NULL,
     system_id TEXT NOT NULL,
     source TEXT NOT NULL,
     destination TEXT NOT NULL,
     esm_class INTEGER NOT NULL,
     data_coding INTEGER NOT NULL,
     body BYTEA NOT NULL,
     registered_delivery INTEGER NOT NULL,
     priority INTEGER NOT NULL,
     connector_id TEXT NOT NULL,
     price_micros BIGINT NOT NULL,
     state TEXT NOT NULL,
     upstream_id TEXT,
     error TEXT,
     created_at BIGINT NOT NULL,
     updated_at BIGINT NOT NULL
   );
   CREATE TABLE message_events (id BIGSERIAL PRIMARY KEY, message_id TEXT NOT NULL, state TEXT NOT NULL, at BIGINT NOT NULL, detail TEXT);
   CREATE INDEX message_events_by_message ON message_events (message_id);
   CREATE TABLE queue (
     message_id TEXT PRIMARY KEY,
     connector_id TEXT NOT NULL,
     priority INTEGER NOT NULL,
     not_before BIGINT NOT NULL,
     lease_until BIGINT NOT NULL DEFAULT 0,
     attempts INTEGER NOT NULL DEFAULT 0,
     seq BIGSERIAL
   );
   CREATE INDEX queue_due ON queue (connector_id, priority DESC, seq);
   CREATE TABLE upstream_ids (key TEXT PRIMARY KEY, message_id TEXT NOT NULL);
   CREATE TABLE parked_receipts (id BIGSERIAL PRIMARY KEY, key TEXT NOT NULL, payload TEXT NOT NULL, at BIGINT NOT NULL);
   CREATE INDEX parked_by_key ON parked_receipts (key);
   CREATE TABLE outbox (
     id BIGSERIAL PRIMARY KEY,
     system_id TEXT NOT NULL,
     message_id TEXT NOT NULL,
     payload TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     next_at BIGINT NOT NULL,
     lease_until BIGINT NOT NULL DEFAULT 0,
     expires_at BIGINT NOT NULL
   );
   CREATE INDEX outbox_due ON outbox (system_id, next_at);`,
  `CREATE TABLE mo_parts (
     group_key TEXT NOT NULL,
     seq INTEGER NOT NULL,
     total INTEGER NOT NULL,
     connector_id TEXT NOT NULL,
     source TEXT NOT NULL,
     destination TEXT NOT NULL,
     data_coding INTEGER NOT NULL,
     body BYTEA NOT NULL,
     received_at BIGINT NOT NULL,
     PRIMARY KEY (group_key, seq)
   );
   CREATE TABLE mo (
     id TEXT PRIMARY KEY,
     connector_id TEXT NOT NULL,
     source TEXT NOT NULL,
     destination TEXT NOT NULL,
     data_coding INTEGER NOT NULL,
     body BYTEA NOT NULL,
     complete BOOLEAN NOT NULL,
     routed_to TEXT,
     received_at BIGINT NOT NULL,
     seq BIGSERIAL
   );
   CREATE TABLE optouts (msisdn TEXT NOT NULL, sender TEXT NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (msisdn, sender));`,
  // 3: which node holds a lease, so a restarted node frees its own leases at once.
  `ALTER TABLE queue ADD COLUMN claimed_by TEXT;
   ALTER TABLE outbox ADD COLUMN claimed_by TEXT;`,
  // 4: optional per-message attributes (MessageMeta) as one JSON document.
  `ALTER TABLE messages ADD COLUMN meta TEXT NOT NULL DEFAULT '{}';`,
  // 5: per-part tracking of long messages: one row per submitted segment; upstream
  // ids lead to the part; history entries name the part.
  `CREATE TABLE message_parts (
     message_id TEXT NOT NULL,
     seq INTEGER NOT NULL,
     total INTEGER NOT NULL,
     state TEXT NOT NULL,
     connector_id TEXT,
     upstream_id TEXT,
     error TEXT,
     created_at BIGINT NOT NULL,
     updated_at BIGINT NOT NULL,
     PRIMARY KEY (message_id, seq)
   );
   ALTER TABLE upstream_ids ADD COLUMN seq INTEGER NOT NULL DEFAULT 1;
   ALTER TABLE message_events ADD COLUMN seq INTEGER;`,
  // 6: accounts à la Jasmin: groups; a user's group, SMS-count quota (NULL = unlimited) and
  // settings (authorizations, value filters, defaults, throughput) as one JSON document.
  `CREATE TABLE user_groups (
     id TEXT PRIMARY KEY,
     description TEXT,
     enabled BOOLEAN NOT NULL DEFAULT TRUE,
     created_at BIGINT NOT NULL,
     updated_at BIGINT NOT NULL
   );
   ALTER TABLE users ADD COLUMN group_id TEXT;
   ALTER TABLE users ADD COLUMN sms_count BIGINT CHECK (sms_count IS NULL OR sms_count >= 0);
   ALTER TABLE users ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';`,
  // 7: outbound HTTP webhooks (Jasmin DLR/MO callbacks, REST v1 status events), delivered with retries.
  `CREATE TABLE webhooks (
     id BIGSERIAL PRIMARY KEY,
     event_id TEXT NOT NULL UNIQUE,
     kind TEXT NOT NULL,
     message_id TEXT NOT NULL,
     owner TEXT NOT NULL,
     url TEXT NOT NULL,
     method TEXT NOT NULL,
     body TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     next_at BIGINT NOT NULL,
     lease_until BIGINT NOT NULL DEFAULT 0,
     claimed_by TEXT,
     expires_at BIGINT NOT NULL,
     created_at BIGINT NOT NULL,
     last_error TEXT
   );
   CREATE INDEX webhooks_due ON webhooks (next_at);
   CREATE INDEX webhooks_by_message ON webhooks (message_id, id);`,
  // 8 (REST v1): API keys (sha256 of the key, never the key), idempotency records, listing index, readiness probe.
  `CREATE TABLE api_keys (
     key_hash TEXT PRIMARY KEY,
     user_id BIGINT NOT NULL,
     label TEXT,
     created_at BIGINT NOT NULL
   );
   CREATE INDEX api_keys_by_user ON api_keys (user_id);
   CREATE TABLE idempotency (
     user_id BIGINT NOT NULL,
     key TEXT NOT NULL,
     body_hash TEXT NOT NULL,
     status INTEGER,
     response TEXT,
     created_at BIGINT NOT NULL,
     expires_at BIGINT NOT NULL,
     PRIMARY KEY (user_id, key)
   );
   CREATE INDEX messages_by_user ON messages (user_id, id);
   CREATE TABLE health (id INTEGER PRIMARY KEY, at BIGINT NOT NULL);`,
  // 9 (admin, issue 5): the webhook delivery log, one row per attempt, pruned by count and age.
  `CREATE TABLE webhook_log (
     id BIGSERIAL PRIMARY KEY,
     event_id TEXT NOT NULL,
     message_id TEXT NOT NULL,
     url TEXT NOT NULL,
     attempt INTEGER NOT NULL,
     status INTEGER,
     error TEXT,
     duration_ms INTEGER NOT NULL,
     at BIGINT NOT NULL
   );
   CREATE INDEX webhook_log_by_message ON webhook_log (message_id, id);
   CREATE INDEX webhook_log_at ON webhook_log (at);`,
  // 10: the oldest due queue entry of each connector (queueOldestDue, read at every /metrics
  // scrape) as one index seek per connector instead of a scan of the whole queue. On
  // `not_before + 0` as in SQLite (where a plain `not_before` drew the claim away from
  // queue_due): the claim never uses this expression, so its plan stays what it was.
  // Built inside the migration's transaction (not CONCURRENTLY): writes to the queue wait
  // while it is built, a few seconds at 1,000,000 queued.
  `CREATE INDEX queue_oldest_due ON queue (connector_id, (not_before + 0));`,
  // 11 (connector dlrExpiryS): parts still waiting for their receipt, per connector, oldest
  // first. Partial: a part leaves the index when its receipt makes it final.
  `CREATE INDEX message_parts_awaiting_receipt ON message_parts (connector_id, updated_at) WHERE state IN ('sent', 'unknown');`,
  // 12 (issue 4): connector definitions and the MT route list, seeded from the file and changed
  // through the admin API. A NULL definition is a connector removed through the API (a tombstone).
  // TEXT, not JSONB: the definition is read back with its keys in the order they were written.
  `CREATE TABLE connectors (
     id TEXT PRIMARY KEY,
     definition TEXT,
     source TEXT NOT NULL CHECK (source IN ('config', 'api')),
     seq BIGSERIAL,
     updated_at BIGINT NOT NULL
   );
   CREATE TABLE mt_routes (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     routes TEXT NOT NULL,
     source TEXT NOT NULL CHECK (source IN ('config', 'api')),
     updated_at BIGINT NOT NULL
   );`,
  // 13 (throughput): the customer outbox claim reads a customer's items in id order
  // from an index on (system_id, id); on (system_id, next_at) it sorted every due item
  // of that customer for each claim of 100, 87 ms with 450,000 receipts held for a customer
  // that was away, and the event loop waited that long at each one.
  `CREATE INDEX outbox_by_system ON outbox (system_id, id);
   DROP INDEX outbox_due;`,
  // 14 (throughput): the webhook claim takes the earliest due items first, in (next_at, id)
  // order from one index, so items waiting out a back-off are never read.
  `CREATE INDEX webhooks_due_order ON webhooks (next_at, id);
   DROP INDEX webhooks_due;`,
  // 15 (throughput): entries waiting out a retry's back-off (or a schedule) are flagged
  // `delayed` and leave the claim's range of queue_due until a claim promotes them once due
  // (as SQLite migration 13): every claim read past them, 21 ms a claim with 100,000 in
  // back-off at the head of the queue.
  `ALTER TABLE queue ADD COLUMN delayed SMALLINT NOT NULL DEFAULT 0;
   UPDATE queue SET delayed = 1 WHERE not_before > (extract(epoch FROM clock_timestamp()) * 1000)::bigint;
   DROP INDEX queue_due;
   CREATE INDEX queue_due ON queue (connector_id, delayed, priority DESC, seq);
   CREATE INDEX queue_delayed ON queue (not_before) WHERE delayed = 1;`,
  // 16: the MO route list changed through the admin API (as mt_routes, migration 12).
  `CREATE TABLE mo_routes (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     routes TEXT NOT NULL,
     source TEXT NOT NULL CHECK (source IN ('config', 'api')),
     updated_at BIGINT NOT NULL
   );`,
  // 17: API keys managed through the admin API (as SQLite migration 15): an id to name a key
  // by (never its hash; existing keys are numbered as the column is added) and revoked_at. A
  // revoked key keeps its row, so the same key in the configuration is not added back.
  `ALTER TABLE api_keys ADD COLUMN id BIGSERIAL;
   ALTER TABLE api_keys ADD CONSTRAINT api_keys_id_key UNIQUE (id);
   ALTER TABLE api_keys ADD COLUMN revoked_at BIGINT;
   DROP INDEX api_keys_by_user;
   CREATE INDEX api_keys_by_user ON api_keys (user_id, id);`,
  // 18: the URL an MO route sent an MO to (as SQLite migration 16).
  `ALTER TABLE mo ADD COLUMN routed_url TEXT;`,
  // 19 (money and reports, as SQLite migration 17): the ledger with an opening entry per
  // account with a balance, the low-balance threshold, rate cards, the report counters (by hour and by day).
  `CREATE TABLE ledger (
     id BIGSERIAL PRIMARY KEY,
     user_id BIGINT NOT NULL,
     at BIGINT NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('topup', 'charge', 'refund', 'adjustment')),
     amount_micros BIGINT NOT NULL,
     balance_micros BIGINT NOT NULL,
     sms INTEGER NOT NULL DEFAULT 0,
     message_id TEXT,
     campaign TEXT,
     reason TEXT,
     note TEXT,
     actor TEXT
   );
   CREATE INDEX ledger_by_user ON ledger (user_id, id);
   INSERT INTO ledger (user_id, at, kind, amount_micros, balance_micros, note)
     SELECT id, (extract(epoch FROM clock_timestamp()) * 1000)::bigint, 'adjustment', balance_micros, balance_micros, 'opening balance (ledger started)'
     FROM users WHERE balance_micros <> 0;
   ALTER TABLE users ADD COLUMN low_balance_micros BIGINT;
   ALTER TABLE users ADD COLUMN low_balance_url TEXT;
   ALTER TABLE users ADD COLUMN low_balance_at BIGINT;
   CREATE TABLE rate_cards (
     user_id BIGINT NOT NULL,
     country TEXT NOT NULL,
     sms_micros BIGINT NOT NULL,
     mms_micros BIGINT,
     inbound_micros BIGINT,
     updated_at BIGINT NOT NULL,
     PRIMARY KEY (user_id, country)
   );
   CREATE TABLE report_counters (
     hour BIGINT NOT NULL,
     user_id BIGINT NOT NULL,
     country TEXT NOT NULL,
     connector_id TEXT NOT NULL,
     sender TEXT NOT NULL,
     campaign TEXT NOT NULL,
     state TEXT NOT NULL,
     messages BIGINT NOT NULL,
     parts BIGINT NOT NULL,
     revenue_micros BIGINT NOT NULL,
     cost_micros BIGINT,
     h0 BIGINT NOT NULL DEFAULT 0,
     h1 BIGINT NOT NULL DEFAULT 0,
     h2 BIGINT NOT NULL DEFAULT 0,
     h3 BIGINT NOT NULL DEFAULT 0,
     h4 BIGINT NOT NULL DEFAULT 0,
     h5 BIGINT NOT NULL DEFAULT 0,
     h6 BIGINT NOT NULL DEFAULT 0,
     h7 BIGINT NOT NULL DEFAULT 0,
     h8 BIGINT NOT NULL DEFAULT 0,
     h9 BIGINT NOT NULL DEFAULT 0,
     h10 BIGINT NOT NULL DEFAULT 0,
     h11 BIGINT NOT NULL DEFAULT 0,
     h12 BIGINT NOT NULL DEFAULT 0,
     h13 BIGINT NOT NULL DEFAULT 0,
     h14 BIGINT NOT NULL DEFAULT 0,
     h15 BIGINT NOT NULL DEFAULT 0,
     PRIMARY KEY (user_id, hour, country, connector_id, sender, campaign, state)
   );
   CREATE INDEX report_counters_by_hour ON report_counters (hour);
   CREATE TABLE report_counters_daily (
     hour BIGINT NOT NULL,
     user_id BIGINT NOT NULL,
     country TEXT NOT NULL,
     connector_id TEXT NOT NULL,
     sender TEXT NOT NULL,
     campaign TEXT NOT NULL,
     state TEXT NOT NULL,
     messages BIGINT NOT NULL,
     parts BIGINT NOT NULL,
     revenue_micros BIGINT NOT NULL,
     cost_micros BIGINT,
     h0 BIGINT NOT NULL DEFAULT 0,
     h1 BIGINT NOT NULL DEFAULT 0,
     h2 BIGINT NOT NULL DEFAULT 0,
     h3 BIGINT NOT NULL DEFAULT 0,
     h4 BIGINT NOT NULL DEFAULT 0,
     h5 BIGINT NOT NULL DEFAULT 0,
     h6 BIGINT NOT NULL DEFAULT 0,
     h7 BIGINT NOT NULL DEFAULT 0,
     h8 BIGINT NOT NULL DEFAULT 0,
     h9 BIGINT NOT NULL DEFAULT 0,
     h10 BIGINT NOT NULL DEFAULT 0,
     h11 BIGINT NOT NULL DEFAULT 0,
     h12 BIGINT NOT NULL DEFAULT 0,
     h13 BIGINT NOT NULL DEFAULT 0,
     h14 BIGINT NOT NULL DEFAULT 0,
     h15 BIGINT NOT NULL DEFAULT 0,
     PRIMARY KEY (user_id, hour, country, connector_id, sender, campaign, state)
   );
   CREATE INDEX report_counters_daily_by_day ON report_counters_daily (hour);`,
  // 20 (data lifecycle, as SQLite migration 18).
  `CREATE TABLE lifecycle_marks (
     name TEXT PRIMARY KEY,
     value TEXT NOT NULL,
     holder TEXT,
     until BIGINT NOT NULL DEFAULT 0,
     updated_at BIGINT NOT NULL
   );
   INSERT INTO lifecycle_marks (name, value, updated_at)
     VALUES ('erasure_key', replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', ''), (extract(epoch FROM now()) * 1000)::BIGINT);
   CREATE TABLE erasures (
     id BIGSERIAL PRIMARY KEY,
     number_hash TEXT NOT NULL,
     user_id BIGINT,
     actor TEXT NOT NULL,
     at BIGINT NOT NULL,
     rows BIGINT NOT NULL,
     detail TEXT NOT NULL
   );
   CREATE INDEX upstream_ids_by_message ON upstream_ids (message_id);`,
  // 21 (MMS, as SQLite migration 19).
  `CREATE TABLE media (
     id TEXT PRIMARY KEY,
     user_id BIGINT,
     sha256 TEXT NOT NULL,
     content_type TEXT NOT NULL,
     size BIGINT NOT NULL,
     filename TEXT,
     created_at BIGINT NOT NULL
   );
   CREATE INDEX media_by_sha256 ON media (sha256);
   CREATE INDEX media_by_created ON media (created_at);
   ALTER TABLE mo_parts ADD COLUMN media TEXT;
   ALTER TABLE mo ADD COLUMN media TEXT;`,
  // 22 (data lifecycle, as SQLite migration 20).
  `CREATE TABLE kept_campaign_stats (
     campaign_id BIGINT PRIMARY KEY,
     stats TEXT NOT NULL,
     kept_at BIGINT NOT NULL
   );`,
  // 23 (MMS, as SQLite migration 21): an inbound MMS's subject.
  `ALTER TABLE mo_parts ADD COLUMN subject TEXT;
   ALTER TABLE mo ADD COLUMN subject TEXT;`,
  // 24 (cluster, issue 18, src/store/cluster.ts): the nodes sharing this schema and their
  // heartbeats (the database's clock), and named leases: the leader, connectors' bind slots.
  `CREATE TABLE cluster_nodes (
     id TEXT PRIMARY KEY,
     host TEXT NOT NULL,
     pid INTEGER NOT NULL,
     version TEXT NOT NULL,
     started_at BIGINT NOT NULL,
     heartbeat_at BIGINT NOT NULL,
     state TEXT NOT NULL,
     load TEXT NOT NULL
   );
   CREATE TABLE cluster_leases (
     name TEXT PRIMARY KEY,
     holder TEXT NOT NULL,
     until BIGINT NOT NULL
   );
   CREATE INDEX cluster_leases_by_holder ON cluster_leases (holder);`,
  // 25 (issue 17; it must stay after 24, the cluster tables, whichever lands first): room
  // left on each page of the tables whose rows are updated in place, so that an update
  // stays on its page and writes no index entries (a HOT update; none of these updates
  // changes an indexed column). A message's row changes twice (sent, then its receipt):
  // at 50 % each row of a page has room for its next version (1.92 of the 2 updates HOT in
  // bench/pg-gateway.ts, the second one in the room pruned from the first; 1.68 at 60 %,
  // 0.26 at 100 %), for a heap of messages about twice as large and no index entries
  // written twice. A queue entry and an outbox item are leased once and deleted soon
  // (all HOT, against 0.34 and 0.09). Pages written from now on keep the room; existing
  // ones stay as they are (no rewrite in a migration).
  `ALTER TABLE messages SET (fillfactor = 50);
   ALTER TABLE queue SET (fillfactor = 50);
   ALTER TABLE outbox SET (fillfactor = 50);`,
];
