-- Inbound SMTP, hold policies and held-message review (issue 5).

-- Hold policies as data (core/policy.ts); params and routes are JSON.
CREATE TABLE policies (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  routes TEXT NOT NULL,
  held_group TEXT NOT NULL,
  position INTEGER NOT NULL,
  params TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
-- A fresh install holds inbound spam at or above the moderate threshold (DEFAULT_POLICIES).
INSERT INTO policies (id, name, kind, enabled, routes, held_group, position, params, created_at, updated_at)
VALUES ('default-inbound-spam', 'Default Inbound Spam Scanning', 'spam', 1, '["inbound"]', 'admin', 100, '{"level":"moderate"}', 0, 0);

-- Permitted (always allowed) and blocked senders.
CREATE TABLE sender_lists (
  id TEXT PRIMARY KEY,
  list TEXT NOT NULL,
  pattern TEXT NOT NULL,
  note TEXT,
  created_at BIGINT NOT NULL,
  UNIQUE (list, pattern)
);

CREATE TABLE dnsbl_zones (
  zone TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  weight DOUBLE PRECISION NOT NULL,
  created_at BIGINT NOT NULL
);

-- One review record per held message; its held recipients have status 'held'.
CREATE TABLE holds (
  message_id TEXT PRIMARY KEY REFERENCES messages(id),
  status TEXT NOT NULL,
  policy_id TEXT NOT NULL,
  policy_info TEXT NOT NULL,
  reason TEXT NOT NULL,
  reason_id TEXT NOT NULL,
  reason_code TEXT NOT NULL,
  held_group TEXT NOT NULL,
  has_attachments INTEGER NOT NULL,
  to_address TEXT NOT NULL,
  held_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  decided_at BIGINT,
  decided_by TEXT
);
CREATE INDEX holds_status_held_at ON holds (status, held_at);
-- The expiry sweep only looks at holds still waiting.
CREATE INDEX holds_expiry ON holds (expires_at) WHERE status = 'held';

-- Every administrative action, with its operator.
CREATE TABLE audit_log (
  id BIGSERIAL PRIMARY KEY,
  at BIGINT NOT NULL,
  operator TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX audit_log_action_at ON audit_log (action, at);
