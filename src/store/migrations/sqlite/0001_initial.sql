-- Identity
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT,
  roles TEXT NOT NULL,
  created_at INTEGER NOT NULL
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
  created_at INTEGER NOT NULL
);

CREATE TABLE api_keys (
  access_key TEXT PRIMARY KEY,
  secret_key_enc TEXT NOT NULL,
  app_id TEXT NOT NULL REFERENCES api_apps(app_id),
  user_id TEXT NOT NULL REFERENCES users(id),
  expires_at INTEGER,
  created_at INTEGER NOT NULL
);

CREATE TABLE request_ids (
  id TEXT PRIMARY KEY,
  seen_at INTEGER NOT NULL
);

CREATE TABLE dkim_keys (
  domain TEXT NOT NULL,
  selector TEXT NOT NULL,
  algorithm TEXT NOT NULL,
  private_key_enc TEXT NOT NULL,
  public_key TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (domain, selector)
);

-- Uploaded files (Mimecast file-upload); bytes live in the blob store
CREATE TABLE files (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  blob_key TEXT NOT NULL,
  created_at INTEGER NOT NULL
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
  size INTEGER NOT NULL,
  blob_key TEXT NOT NULL,
  status TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
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
  next_attempt_at INTEGER NOT NULL,
  lease_owner TEXT,
  lease_until INTEGER,
  last_code INTEGER,
  last_reply TEXT,
  updated_at INTEGER NOT NULL
);
CREATE INDEX recipients_message ON recipients (message_id);
-- Only waiting recipients are ever scanned for work, so the index stays small.
CREATE INDEX recipients_due ON recipients (next_attempt_at) WHERE status IN ('queued', 'deferred');

CREATE TABLE events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id TEXT NOT NULL,
  recipient_id TEXT,
  kind TEXT NOT NULL,
  at INTEGER NOT NULL,
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
  size INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  unread INTEGER NOT NULL
);
CREATE INDEX mailbox_entries_folder ON mailbox_entries (user_id, folder, received_at);
