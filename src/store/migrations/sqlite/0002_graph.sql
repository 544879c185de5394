-- Microsoft Graph dialect, and the OAuth machinery in src/auth that LINE WORKS shares.

-- Passwords for the resource-owner grant, scrypt-hashed (src/auth/passwords.ts); one per user.
CREATE TABLE user_passwords (
  user_id TEXT PRIMARY KEY REFERENCES users(id),
  password_hash TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);

-- OAuth client applications; the secret is stored only as a hash, permissions as a JSON list.
CREATE TABLE oauth_clients (
  client_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  permissions TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

-- JWT signing keys: the private key sealed with the master key, the public JWK in the clear.
CREATE TABLE signing_keys (
  kid TEXT PRIMARY KEY,
  algorithm TEXT NOT NULL,
  private_key_enc TEXT NOT NULL,
  public_jwk TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

-- Refresh tokens by hash only; redeeming one deletes it (rotation).
CREATE TABLE refresh_tokens (
  token_hash TEXT PRIMARY KEY,
  client_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(id),
  audience TEXT NOT NULL,
  scopes TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);

-- Mailbox copies (Inbox, Sent Items) carry the parsed facts folder listings need; the raw MIME
-- stays in the blob store. blob_key may be shared with messages.blob_key (Sent Items copies) or
-- with other entries (one local delivery to several users).
ALTER TABLE mailbox_entries ADD COLUMN internet_message_id TEXT NOT NULL DEFAULT '';
ALTER TABLE mailbox_entries ADD COLUMN recipients TEXT NOT NULL DEFAULT '{}';
ALTER TABLE mailbox_entries ADD COLUMN has_attachments INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mailbox_entries ADD COLUMN preview TEXT NOT NULL DEFAULT '';
ALTER TABLE mailbox_entries ADD COLUMN sent_at INTEGER;
ALTER TABLE mailbox_entries ADD COLUMN properties TEXT NOT NULL DEFAULT '{}';

-- Graph drafts: the writable message properties as JSON, or the client's MIME in a blob.
CREATE TABLE drafts (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  message TEXT NOT NULL,
  mime_blob_key TEXT,
  internet_message_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX drafts_user ON drafts (user_id, created_at);

-- Attachment bytes live in blobs: one for inline uploads, one per chunk for upload sessions.
CREATE TABLE draft_attachments (
  id TEXT PRIMARY KEY,
  draft_id TEXT NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  content_type TEXT,
  content_id TEXT,
  is_inline INTEGER NOT NULL,
  size INTEGER NOT NULL,
  blob_keys TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX draft_attachments_draft ON draft_attachments (draft_id, created_at);

-- Large-attachment upload sessions; `received` bytes arrived in order as `chunks` blobs.
CREATE TABLE upload_sessions (
  id TEXT PRIMARY KEY,
  draft_id TEXT NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  content_type TEXT,
  content_id TEXT,
  is_inline INTEGER NOT NULL,
  size INTEGER NOT NULL,
  received INTEGER NOT NULL,
  chunks INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX upload_sessions_draft ON upload_sessions (draft_id);
