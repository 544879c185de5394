-- Recipients' own quarantine: digests, their one-time links and per-recipient sender choices (docs/quarantine-digest.md).

-- A recipient's own permitted or blocked sender: affects only mail to that recipient.
CREATE TABLE recipient_senders (
  id TEXT PRIMARY KEY,
  recipient TEXT NOT NULL,
  list TEXT NOT NULL,
  pattern TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  -- A recipient's latest choice for a sender replaces the earlier one.
  UNIQUE (recipient, pattern)
);

-- The scheduled digest each recipient got, one per period: the key is the claim that keeps
-- several gateway processes from sending the same digest twice.
CREATE TABLE digest_sends (
  recipient TEXT NOT NULL,
  period BIGINT NOT NULL,
  sent_at BIGINT NOT NULL,
  PRIMARY KEY (recipient, period)
);

-- Digest link tokens already used: each link acts once.
CREATE TABLE digest_link_uses (
  token_id TEXT PRIMARY KEY,
  used_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
