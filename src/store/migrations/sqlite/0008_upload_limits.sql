-- Upload quotas, expiry and cleanup (src/services/upload-limits.ts, src/services/upload-sweep.ts).

-- A Mimecast upload is pending (counted against its user's quota, purged after
-- MAILGATE_UPLOAD_RETENTION_SECONDS) until a send first references it.
ALTER TABLE files ADD COLUMN used_at INTEGER;
CREATE INDEX files_pending ON files (user_id, used_at);
CREATE INDEX files_created ON files (created_at);

-- Sessions are counted per user and throttled per app+mailbox without a join through drafts.
ALTER TABLE upload_sessions ADD COLUMN user_id TEXT NOT NULL DEFAULT '';
ALTER TABLE upload_sessions ADD COLUMN client_id TEXT;
UPDATE upload_sessions SET user_id = (SELECT d.user_id FROM drafts d WHERE d.id = upload_sessions.draft_id);
CREATE INDEX upload_sessions_user ON upload_sessions (user_id, expires_at);
CREATE INDEX upload_sessions_expiry ON upload_sessions (expires_at);
