-- Web console sessions: the cookie carries a random token, the database only its SHA-256, so a
-- copy of the database signs no one in. Idle and absolute expiry are checked on every request.
CREATE TABLE console_sessions (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX console_sessions_expires ON console_sessions (expires_at);
-- The console's overview counts events per kind over the last hour and week.
CREATE INDEX events_kind_at ON events (kind, at);
-- Keyset paging of tracking search (newest or oldest first, ties by id) without a sort step.
CREATE INDEX messages_received_id ON messages (received_at, id);
-- The Messages page's status filter over a time window.
CREATE INDEX messages_status_received ON messages (status, received_at);
