-- PostgreSQL twin of sqlite/0001_initial.sql: BIGINT for ms timestamps and sizes, identity for event ids.

-- Identity
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT,
  roles TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE delegations (
  user_id TEXT NOT NULL REFERENCES users(id),
  address TEXT NOT NULL,
  PRIMARY KEY (user_id, address)
);

CREATE TABLE api_apps (
  app_id TEXT PRIMARY KEY,
  app_key_enc TEXT NOT NULL,
  name TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE api_keys (
  access_key TEXT PRIMARY KEY,
  secret_key_enc TEXT NOT NULL,
  app_id TEXT NOT NULL REFERENCES api_apps(app_id),
  user_id TEXT NOT NULL REFERENCES users(id),
  expires_at BIGINT,
  created_at BIGINT NOT NULL
);

CREATE TABLE request_ids (
  id TEXT PRIMARY KEY,
  seen_at BIGINT NOT NULL
);

CREATE TABLE dkim_keys (
  domain TEXT NOT NULL,
  selector TEXT NOT NULL,
  algorithm TEXT NOT NULL,
  private_key_enc TEXT NOT NULL,
  public_key TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (domain, selector)
);

-- Message and file bytes: in the database, so that every gateway process can read every blob
-- (SQLite keeps them as files in the data dir instead). Written once per key, never updated.
CREATE TABLE blobs (
  key TEXT PRIMARY KEY,
  data BYTEA NOT NULL,
  created_at BIGINT NOT NULL
);

-- Uploaded files (Mimecast file-upload); bytes live in the blob store
CREATE TABLE files (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  size BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  blob_key TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

-- Messages, their recipients (which double as delivery jobs) and the append-only event log
CREATE TABLE messages (
  id TEXT PRIMARY KEY,
  internet_message_id TEXT NOT NULL,
  source TEXT NOT NULL,
  route TEXT NOT NULL,
  user_id TEXT,
  mail_from TEXT NOT NULL,
  from_header TEXT NOT NULL,
  subject TEXT NOT NULL,
  size BIGINT NOT NULL,
  blob_key TEXT NOT NULL,
  status TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  meta TEXT NOT NULL
);
CREATE INDEX messages_received_at ON messages (received_at);
CREATE INDEX messages_internet_message_id ON messages (internet_message_id);

CREATE TABLE recipients (
  id TEXT PRIMARY KEY,
  message_id TEXT NOT NULL REFERENCES messages(id),
  address TEXT NOT NULL,
  domain TEXT NOT NULL,
  kind TEXT NOT NULL,
  transport TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  lease_owner TEXT,
  lease_until BIGINT,
  last_code INTEGER,
  last_reply TEXT,
  updated_at BIGINT NOT NULL
);
CREATE INDEX recipients_message ON recipients (message_id);
-- Only waiting recipients are ever scanned for work, so the index stays small.
CREATE INDEX recipients_due ON recipients (next_attempt_at) WHERE status IN ('queued', 'deferred');

CREATE TABLE events (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  message_id TEXT NOT NULL,
  recipient_id TEXT,
  kind TEXT NOT NULL,
  at BIGINT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX events_message ON events (message_id, id);

-- Local mailboxes
CREATE TABLE mailbox_entries (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  folder TEXT NOT NULL,
  message_id TEXT,
  blob_key TEXT NOT NULL,
  subject TEXT NOT NULL,
  from_header TEXT NOT NULL,
  size BIGINT NOT NULL,
  received_at BIGINT NOT NULL,
  unread INTEGER NOT NULL
);
CREATE INDEX mailbox_entries_folder ON mailbox_entries (user_id, folder, received_at);
