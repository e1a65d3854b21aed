/** Versioned schema; each entry runs once, in order, inside a transaction. */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE users (
     id INTEGER PRIMARY KEY,
     username TEXT NOT NULL UNIQUE,
     password_hash TEXT NOT NULL,
     balance_micros INTEGER NOT NULL CHECK (balance_micros >= 0),
     rate_micros INTEGER NOT NULL,
     enabled INTEGER NOT NULL DEFAULT 1
   );
   CREATE TABLE messages (
     id TEXT PRIMARY KEY,
     user_id INTEGER NOT NULL,
     system_id TEXT NOT NULL,
     source TEXT NOT NULL,
     destination TEXT NOT NULL,
     esm_class INTEGER NOT NULL,
     data_coding INTEGER NOT NULL,
     body BLOB NOT NULL,
     registered_delivery INTEGER NOT NULL,
     priority INTEGER NOT NULL,
     connector_id TEXT NOT NULL,
     price_micros INTEGER NOT NULL,
     state TEXT NOT NULL,
     upstream_id TEXT,
     error TEXT,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE message_events (
     message_id TEXT NOT NULL,
     state TEXT NOT NULL,
     at INTEGER NOT NULL,
     detail TEXT
   );
   CREATE INDEX message_events_by_message ON message_events (message_id);
   CREATE TABLE queue (
     message_id TEXT PRIMARY KEY,
     connector_id TEXT NOT NULL,
     priority INTEGER NOT NULL,
     not_before INTEGER NOT NULL,
     lease_until INTEGER NOT NULL DEFAULT 0,
     attempts INTEGER NOT NULL DEFAULT 0,
     seq INTEGER NOT NULL
   );
   CREATE INDEX queue_due ON queue (connector_id, priority DESC, seq);
   CREATE TABLE upstream_ids (key TEXT PRIMARY KEY, message_id TEXT NOT NULL);
   CREATE TABLE parked_receipts (key TEXT NOT NULL, payload TEXT NOT NULL, at INTEGER NOT NULL);
   CREATE INDEX parked_by_key ON parked_receipts (key);
   CREATE TABLE outbox (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     system_id TEXT NOT NULL,
     message_id TEXT NOT NULL,
     payload TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     next_at INTEGER NOT NULL,
     lease_until INTEGER NOT NULL DEFAULT 0,
     expires_at INTEGER NOT NULL
   );
   CREATE INDEX outbox_due ON outbox (system_id, next_at);`,
  // 2: inbound (MO) messages, their parts until complete, and opt-outs.
  `CREATE TABLE mo_parts (
     group_key TEXT NOT NULL,
     seq INTEGER NOT NULL,
     total INTEGER NOT NULL,
     connector_id TEXT NOT NULL,
     source TEXT NOT NULL,
     destination TEXT NOT NULL,
     data_coding INTEGER NOT NULL,
     body BLOB NOT NULL,
     received_at INTEGER NOT NULL,
     PRIMARY KEY (group_key, seq)
   );
   CREATE TABLE mo (
     id TEXT PRIMARY KEY,
     connector_id TEXT NOT NULL,
     source TEXT NOT NULL,
     destination TEXT NOT NULL,
     data_coding INTEGER NOT NULL,
     body BLOB NOT NULL,
     complete INTEGER NOT NULL,
     routed_to TEXT,
     received_at INTEGER NOT NULL
   );
   CREATE TABLE optouts (msisdn TEXT NOT NULL, sender TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (msisdn, sender));`,
  // 3: optional per-message attributes (MessageMeta) as one JSON document.
  `ALTER TABLE messages ADD COLUMN meta TEXT NOT NULL DEFAULT '{}';`,
  // 4: per-part tracking of long messages: one row per submitted segment; upstream
  // ids lead to the part; history entries name the part.
  `CREATE TABLE message_parts (
     message_id TEXT NOT NULL,
     seq INTEGER NOT NULL,
     total INTEGER NOT NULL,
     state TEXT NOT NULL,
     connector_id TEXT,
     upstream_id TEXT,
     error TEXT,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     PRIMARY KEY (message_id, seq)
   );
   ALTER TABLE upstream_ids ADD COLUMN seq INTEGER NOT NULL DEFAULT 1;
   ALTER TABLE message_events ADD COLUMN seq INTEGER;`,
  // 5: accounts à la Jasmin: groups; a user's group, SMS-count quota (NULL = unlimited) and
  // settings (authorizations, value filters, defaults, throughput) as one JSON document.
  `CREATE TABLE user_groups (
     id TEXT PRIMARY KEY,
     description TEXT,
     enabled INTEGER NOT NULL DEFAULT 1,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   ALTER TABLE users ADD COLUMN group_id TEXT;
   ALTER TABLE users ADD COLUMN sms_count INTEGER CHECK (sms_count IS NULL OR sms_count >= 0);
   ALTER TABLE users ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';`,
  // 6: outbound HTTP webhooks (Jasmin DLR/MO callbacks, REST v1 status events), delivered with retries.
  `CREATE TABLE webhooks (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     event_id TEXT NOT NULL UNIQUE,
     kind TEXT NOT NULL,
     message_id TEXT NOT NULL,
     owner TEXT NOT NULL,
     url TEXT NOT NULL,
     method TEXT NOT NULL,
     body TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     next_at INTEGER NOT NULL,
     lease_until INTEGER NOT NULL DEFAULT 0,
     expires_at INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     last_error TEXT
   );
   CREATE INDEX webhooks_due ON webhooks (next_at);
   CREATE INDEX webhooks_by_message ON webhooks (message_id, id);`,
  // 7 (REST v1): API keys (sha256 of the key, never the key), idempotency records, listing index, readiness probe.
  `CREATE TABLE api_keys (
     key_hash TEXT PRIMARY KEY,
     user_id INTEGER NOT NULL,
     label TEXT,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX api_keys_by_user ON api_keys (user_id);
   CREATE TABLE idempotency (
     user_id INTEGER NOT NULL,
     key TEXT NOT NULL,
     body_hash TEXT NOT NULL,
     status INTEGER,
     response TEXT,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     PRIMARY KEY (user_id, key)
   );
   CREATE INDEX messages_by_user ON messages (user_id, id);
   CREATE TABLE health (id INTEGER PRIMARY KEY, at INTEGER NOT NULL);`,
  // 8 (admin, issue 5): the webhook delivery log, one row per attempt, pruned by count and age.
  `CREATE TABLE webhook_log (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     event_id TEXT NOT NULL,
     message_id TEXT NOT NULL,
     url TEXT NOT NULL,
     attempt INTEGER NOT NULL,
     status INTEGER,
     error TEXT,
     duration_ms INTEGER NOT NULL,
     at INTEGER NOT NULL
   );
   CREATE INDEX webhook_log_by_message ON webhook_log (message_id, id);
   CREATE INDEX webhook_log_at ON webhook_log (at);`,
  // 9: the oldest due queue entry of each connector (queueOldestDue, read at every /metrics
  // scrape) as one index seek per connector instead of a scan of the whole queue. On
  // `not_before + 0`, not `not_before`: the claim filters on connector_id and not_before, and
  // without statistics SQLite then preferred this index to queue_due and sorted every due row
  // for its ORDER BY priority, seq; an expression the claim does not use leaves its plan alone.
  `CREATE INDEX queue_oldest_due ON queue (connector_id, (not_before + 0));`,
  // 10 (connector dlrExpiryS): parts still waiting for their receipt, per connector, oldest
  // first. Partial: a part leaves the index when its receipt makes it final.
  `CREATE INDEX message_parts_awaiting_receipt ON message_parts (connector_id, updated_at) WHERE state IN ('sent', 'unknown');`,
  // 11 (issue 4): connector definitions and the MT route list, seeded from the file and changed
  // through the admin API. A NULL definition is a connector removed through the API (a tombstone).
  `CREATE TABLE connectors (
     id TEXT PRIMARY KEY,
     definition TEXT,
     source TEXT NOT NULL CHECK (source IN ('config', 'api')),
     seq INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE mt_routes (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     routes TEXT NOT NULL,
     source TEXT NOT NULL CHECK (source IN ('config', 'api')),
     updated_at INTEGER NOT NULL
   );`,
  // 12 (throughput): the customer outbox claim reads a customer's items in id order
  // from an index on (system_id, id); on (system_id, next_at) it sorted every due item
  // of that customer for each claim of 100, 87 ms with 450,000 receipts held for a customer
  // that was away, and the event loop waited that long at each one.
  `CREATE INDEX outbox_by_system ON outbox (system_id, id);
   DROP INDEX outbox_due;`,
  // 13 (throughput): entries waiting out a retry's back-off (or a schedule) are flagged
  // `delayed` and leave the claim's range of queue_due until a claim promotes them once due
  // (from the partial index queue_delayed). Before, every claim read past them: 15 ms a
  // claim with 100,000 messages in back-off at the head of the queue (an SMSC throttling).
  `ALTER TABLE queue ADD COLUMN delayed INTEGER NOT NULL DEFAULT 0;
   UPDATE queue SET delayed = 1 WHERE not_before > CAST(unixepoch('subsec') * 1000 AS INTEGER);
   DROP INDEX queue_due;
   CREATE INDEX queue_due ON queue (connector_id, delayed, priority DESC, seq);
   CREATE INDEX queue_delayed ON queue (not_before) WHERE delayed = 1;`,
  // 14: the MO route list changed through the admin API (as mt_routes, migration 11).
  `CREATE TABLE mo_routes (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     routes TEXT NOT NULL,
     source TEXT NOT NULL CHECK (source IN ('config', 'api')),
     updated_at INTEGER NOT NULL
   );`,
  // 15: API keys managed through the admin API: an id to name a key by (never its hash),
  // and revoked_at. A revoked key keeps its row, so the same key in users[].apiKeys of the
  // configuration is not added back at the next start. SQLite cannot add a primary key
  // column, so the table is rebuilt (oldest key first, so ids follow creation).
  `CREATE TABLE api_keys_v15 (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     key_hash TEXT NOT NULL UNIQUE,
     user_id INTEGER NOT NULL,
     label TEXT,
     created_at INTEGER NOT NULL,
     revoked_at INTEGER
   );
   INSERT INTO api_keys_v15 (key_hash, user_id, label, created_at)
     SELECT key_hash, user_id, label, created_at FROM api_keys ORDER BY created_at, key_hash;
   DROP TABLE api_keys;
   ALTER TABLE api_keys_v15 RENAME TO api_keys;
   CREATE INDEX api_keys_by_user ON api_keys (user_id, id);`,
  // 16: the URL an MO route sent an MO to, so that the admin listing tells an MO sent to a
  // webhook from one no route took (both have routed_to NULL).
  `ALTER TABLE mo ADD COLUMN routed_url TEXT;`,
  // 17 (money and reports, docs/engine/money-and-reports.md): the ledger (every balance
  // change, written in the transaction of the change; accounts with a balance get an opening
  // entry so that balance = sum of the ledger from here on), the low-balance threshold, rate
  // cards, and the report counters (by hour and by day) added to when a message becomes final.
  // The ledger's id is the rowid without AUTOINCREMENT (that costs a write to sqlite_sequence
  // per entry): ids still grow, as entries are never deleted.
  `CREATE TABLE ledger (
     id INTEGER PRIMARY KEY,
     user_id INTEGER NOT NULL,
     at INTEGER NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('topup', 'charge', 'refund', 'adjustment')),
     amount_micros INTEGER NOT NULL,
     balance_micros INTEGER NOT NULL,
     sms INTEGER NOT NULL DEFAULT 0,
     message_id TEXT,
     campaign TEXT,
     reason TEXT,
     note TEXT,
     actor TEXT
   );
   CREATE INDEX ledger_by_user ON ledger (user_id, id);
   INSERT INTO ledger (user_id, at, kind, amount_micros, balance_micros, note)
     SELECT id, CAST(unixepoch('subsec') * 1000 AS INTEGER), 'adjustment', balance_micros, balance_micros, 'opening balance (ledger started)'
     FROM users WHERE balance_micros <> 0;
   ALTER TABLE users ADD COLUMN low_balance_micros INTEGER;
   ALTER TABLE users ADD COLUMN low_balance_url TEXT;
   ALTER TABLE users ADD COLUMN low_balance_at INTEGER;
   CREATE TABLE rate_cards (
     user_id INTEGER NOT NULL,
     country TEXT NOT NULL,
     sms_micros INTEGER NOT NULL,
     mms_micros INTEGER,
     inbound_micros INTEGER,
     updated_at INTEGER NOT NULL,
     PRIMARY KEY (user_id, country)
   ) WITHOUT ROWID;
   -- The counters lead with the account: one account's report is a range of the primary
   -- key (clustered, WITHOUT ROWID); reports over every account read by period (by_hour).
   CREATE TABLE report_counters (
     hour INTEGER NOT NULL,
     user_id INTEGER NOT NULL,
     country TEXT NOT NULL,
     connector_id TEXT NOT NULL,
     sender TEXT NOT NULL,
     campaign TEXT NOT NULL,
     state TEXT NOT NULL,
     messages INTEGER NOT NULL,
     parts INTEGER NOT NULL,
     revenue_micros INTEGER NOT NULL,
     cost_micros INTEGER,
     h0 INTEGER NOT NULL DEFAULT 0,
     h1 INTEGER NOT NULL DEFAULT 0,
     h2 INTEGER NOT NULL DEFAULT 0,
     h3 INTEGER NOT NULL DEFAULT 0,
     h4 INTEGER NOT NULL DEFAULT 0,
     h5 INTEGER NOT NULL DEFAULT 0,
     h6 INTEGER NOT NULL DEFAULT 0,
     h7 INTEGER NOT NULL DEFAULT 0,
     h8 INTEGER NOT NULL DEFAULT 0,
     h9 INTEGER NOT NULL DEFAULT 0,
     h10 INTEGER NOT NULL DEFAULT 0,
     h11 INTEGER NOT NULL DEFAULT 0,
     h12 INTEGER NOT NULL DEFAULT 0,
     h13 INTEGER NOT NULL DEFAULT 0,
     h14 INTEGER NOT NULL DEFAULT 0,
     h15 INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (user_id, hour, country, connector_id, sender, campaign, state)
   ) WITHOUT ROWID;
   CREATE INDEX report_counters_by_hour ON report_counters (hour);
   CREATE TABLE report_counters_daily (
     hour INTEGER NOT NULL,
     user_id INTEGER NOT NULL,
     country TEXT NOT NULL,
     connector_id TEXT NOT NULL,
     sender TEXT NOT NULL,
     campaign TEXT NOT NULL,
     state TEXT NOT NULL,
     messages INTEGER NOT NULL,
     parts INTEGER NOT NULL,
     revenue_micros INTEGER NOT NULL,
     cost_micros INTEGER,
     h0 INTEGER NOT NULL DEFAULT 0,
     h1 INTEGER NOT NULL DEFAULT 0,
     h2 INTEGER NOT NULL DEFAULT 0,
     h3 INTEGER NOT NULL DEFAULT 0,
     h4 INTEGER NOT NULL DEFAULT 0,
     h5 INTEGER NOT NULL DEFAULT 0,
     h6 INTEGER NOT NULL DEFAULT 0,
     h7 INTEGER NOT NULL DEFAULT 0,
     h8 INTEGER NOT NULL DEFAULT 0,
     h9 INTEGER NOT NULL DEFAULT 0,
     h10 INTEGER NOT NULL DEFAULT 0,
     h11 INTEGER NOT NULL DEFAULT 0,
     h12 INTEGER NOT NULL DEFAULT 0,
     h13 INTEGER NOT NULL DEFAULT 0,
     h14 INTEGER NOT NULL DEFAULT 0,
     h15 INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (user_id, hour, country, connector_id, sender, campaign, state)
   ) WITHOUT ROWID;
   CREATE INDEX report_counters_daily_by_day ON report_counters_daily (hour);`,
  // 18 (data lifecycle, issue 21, docs/operations.md): the retention purger's marks (how far
  // redaction has gone, a lease), the record of every erasure (the number as a keyed hash,
  // never the number), and the upstream ids of a message found by its id (the purge deletes
  // them with the message). An erased number's opt-outs stay in optouts under that hash.
  `CREATE TABLE lifecycle_marks (
     name TEXT PRIMARY KEY,
     value TEXT NOT NULL,
     holder TEXT,
     until INTEGER NOT NULL DEFAULT 0,
     updated_at INTEGER NOT NULL
   );
   INSERT INTO lifecycle_marks (name, value, updated_at)
     VALUES ('erasure_key', lower(hex(randomblob(32))), CAST(unixepoch('subsec') * 1000 AS INTEGER));
   CREATE TABLE erasures (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     number_hash TEXT NOT NULL,
     user_id INTEGER,
     actor TEXT NOT NULL,
     at INTEGER NOT NULL,
     rows INTEGER NOT NULL,
     detail TEXT NOT NULL
   );
   CREATE INDEX upstream_ids_by_message ON upstream_ids (message_id);`,
  // 19 (MMS, issue 16, docs/mms.md): media items (the bytes are in the media blob store under
  // sha256), and an inbound MMS's media references on its MO (JSON, null for an SMS).
  `CREATE TABLE media (
     id TEXT PRIMARY KEY,
     user_id INTEGER,
     sha256 TEXT NOT NULL,
     content_type TEXT NOT NULL,
     size INTEGER NOT NULL,
     filename TEXT,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX media_by_sha256 ON media (sha256);
   CREATE INDEX media_by_created ON media (created_at);
   ALTER TABLE mo_parts ADD COLUMN media TEXT;
   ALTER TABLE mo ADD COLUMN media TEXT;`,
  // 20 (data lifecycle, issue 21, docs/operations.md): a finished campaign's statistics, kept
  // when the purge deletes its recipients (the campaign's page reads them from here after).
  `CREATE TABLE kept_campaign_stats (
     campaign_id INTEGER PRIMARY KEY,
     stats TEXT NOT NULL,
     kept_at INTEGER NOT NULL
   );`,
  // 21 (MMS, issue 16, docs/mms.md): an inbound MMS's subject (MM7 DeliverReq Subject, a
  // provider's `subject`) on its MO and its part; null for an SMS or an MMS without one.
  `ALTER TABLE mo_parts ADD COLUMN subject TEXT;
   ALTER TABLE mo ADD COLUMN subject TEXT;`,
];
