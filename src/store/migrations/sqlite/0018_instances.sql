-- Gateway processes and their heartbeats: a delivery lease whose owner went silent is taken over
-- at once instead of waiting out MAILGATE_LEASE_SECONDS (docs/leases.md)
CREATE TABLE instances (
  id TEXT PRIMARY KEY,
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL  -- by the database's clock, so that hosts' clocks never disagree
);

-- Writes retried after an unknown commit outcome land once (docs/retries.md): an append (events,
-- audit entries) carries a write id into its retries, a request id remembers which write claimed it
ALTER TABLE events ADD COLUMN write_id TEXT;
ALTER TABLE events ADD COLUMN write_seq INTEGER;
CREATE UNIQUE INDEX events_write ON events (write_id, write_seq);
ALTER TABLE request_ids ADD COLUMN writer TEXT;
ALTER TABLE audit_log ADD COLUMN write_id TEXT;
CREATE UNIQUE INDEX audit_log_write ON audit_log (write_id);
