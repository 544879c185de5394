-- Mimecast API 2.0 applications are OAuth clients bound to one user, whose roles they act with
-- (docs/vendor-apis.md "Mimecast API 2.0"); Graph and LINE WORKS clients leave it NULL.
ALTER TABLE oauth_clients ADD COLUMN user_id TEXT REFERENCES users(id);
