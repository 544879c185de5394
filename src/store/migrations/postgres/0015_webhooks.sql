-- Webhooks (issue 14, docs/webhooks.md). Each endpoint follows the tracking event log with its own
-- cursor: the events table is written in the same transactions as the state changes, so an event
-- can never be lost between the change and its webhook.
-- Identity values are taken before commit, so with concurrent writers a smaller id can become
-- visible after a larger one: a cursor on id alone would skip it. Readers order the log by the
-- writing transaction's id instead and stop at the oldest transaction still running (xmin), below
-- which nothing new can appear. Existing rows all get this migration's transaction id.
ALTER TABLE events ADD COLUMN tx BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint);
CREATE INDEX events_log_order ON events (tx, id);

CREATE TABLE webhook_endpoints (
  id TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  -- JSON array of event types; empty = every type.
  events TEXT NOT NULL,
  secret_enc TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  -- The last event of the log this endpoint has been sent (or skipped, not subscribed).
  cursor_tx BIGINT NOT NULL,
  cursor_id BIGINT NOT NULL,
  -- Consecutive failed attempts; the endpoint is disabled when they reach the limit.
  failures INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  lease_owner TEXT,
  lease_until BIGINT,
  disabled_at BIGINT,
  disabled_reason TEXT
);

-- The delivery log: one row per POST attempt.
CREATE TABLE webhook_attempts (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  endpoint_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  at BIGINT NOT NULL,
  ok INTEGER NOT NULL,
  status INTEGER,
  error TEXT,
  duration_ms INTEGER NOT NULL
);
CREATE INDEX webhook_attempts_endpoint ON webhook_attempts (endpoint_id, id);
CREATE INDEX webhook_attempts_at ON webhook_attempts (at);
