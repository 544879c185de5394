-- Addresses keep the case they were created with (AdeleV@contoso.com is sent as written), while
-- lookups and uniqueness stay case-insensitive (RFC 5321 2.4 lets a host treat local parts so, and
-- every mail system users meet does): `email` keeps the spelling, `email_key` is its lower case,
-- written by the application (JavaScript's toLowerCase, so non-ASCII letters match on both backends).
ALTER TABLE users ADD COLUMN email_key TEXT NOT NULL DEFAULT '';
UPDATE users SET email_key = lower(email);
CREATE UNIQUE INDEX users_email_lookup ON users (email_key);
