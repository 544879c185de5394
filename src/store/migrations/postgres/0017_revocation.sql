-- Revoking credentials and removing users (docs/identities.md). Rows stay, so tracking records,
-- files and audit entries that name them keep their meaning; the auth checks refuse them.
-- A removed user's email and email_key are rewritten to "removed:<id>…", which frees the address
-- for a new user (both columns are unique) while the audit entry keeps the original.
ALTER TABLE users ADD COLUMN removed_at BIGINT;
ALTER TABLE api_keys ADD COLUMN revoked_at BIGINT;
ALTER TABLE oauth_clients ADD COLUMN revoked_at BIGINT;
