-- First answers of state-changing requests, replayed to retries with the same key (docs/retries.md)
CREATE TABLE idempotency_keys (
  key TEXT PRIMARY KEY,         -- sha256 of dialect, principal, route and the client's key
  owner TEXT NOT NULL,          -- the claim: only the request that claimed the key completes or releases it
  fingerprint TEXT NOT NULL,    -- sha256 of the request's Content-Type and body
  state TEXT NOT NULL,          -- 'pending' while the first request runs, 'done' once it answered 2xx
  status INTEGER,
  content_type TEXT,
  body TEXT,                    -- base64 of the answer's bytes
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at);
