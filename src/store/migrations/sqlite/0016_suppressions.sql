-- Addresses no client mail is sent to: added by a hard bounce or an operator (docs/bounces.md).
CREATE TABLE suppressions (
  -- Lower-cased address.
  address TEXT PRIMARY KEY,
  reason TEXT NOT NULL,
  source_message_id TEXT,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  -- NULL: until removed.
  expires_at INTEGER
);
