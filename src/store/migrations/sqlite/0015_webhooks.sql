-- Webhooks (issue 14, docs/webhooks.md). Each endpoint follows the tracking event log with its own
-- cursor: the events table is written in the same transactions as the state changes, so an event
-- can never be lost between the change and its webhook.
-- `tx` orders the log for readers. SQLite has one writer, so ids already commit in order: 0 here.
ALTER TABLE events ADD COLUMN tx INTEGER NOT NULL DEFAULT 0;
CREATE INDEX events_log_order ON events (tx, id);

CREATE TABLE webhook_endpoints (
  id TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  -- JSON array of event types; empty = every type.
  events TEXT NOT NULL,
  secret_enc TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  -- The last event of the log this endpoint has been sent (or skipped, not subscribed).
  cursor_tx INTEGER NOT NULL,
  cursor_id INTEGER NOT NULL,
  -- Consecutive failed attempts; the endpoint is disabled when they reach the limit.
  failures INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  lease_owner TEXT,
  lease_until INTEGER,
  disabled_at INTEGER,
  disabled_reason TEXT
);

-- The delivery log: one row per POST attempt.
CREATE TABLE webhook_attempts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  endpoint_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  at INTEGER NOT NULL,
  ok INTEGER NOT NULL,
  status INTEGER,
  error TEXT,
  duration_ms INTEGER NOT NULL
);
CREATE INDEX webhook_attempts_endpoint ON webhook_attempts (endpoint_id, id);
CREATE INDEX webhook_attempts_at ON webhook_attempts (at);
