-- Tracking and retention (issue 6). The delivery queue's `expires_at` is unrelated: these are the
-- retention dates of the stored raw message, set at receipt and moved when the period changes.
ALTER TABLE messages ADD COLUMN purge_at BIGINT;
ALTER TABLE messages ADD COLUMN original_purge_at BIGINT;
-- Set once the raw message is gone; the row, recipients and events stay as the tracking summary.
ALTER TABLE messages ADD COLUMN purged_at BIGINT;
-- The connecting client's IP (inbound SMTP), for message-finder's senderIP search.
ALTER TABLE messages ADD COLUMN sender_ip TEXT;
-- Headers and MIME structure (JSON), kept so a purged message still shows what it was.
ALTER TABLE messages ADD COLUMN summary TEXT;
CREATE INDEX messages_purge_due ON messages (purge_at) WHERE purged_at IS NULL;
CREATE INDEX messages_sender_ip ON messages (sender_ip);
CREATE INDEX recipients_address ON recipients (lower(address));

-- Litigation holds suspend purging for one message, or for every message to or from an address.
CREATE TABLE litigation_holds (
  id TEXT PRIMARY KEY,
  message_id TEXT,
  address TEXT,
  description TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT,
  released_at BIGINT,
  released_by TEXT
);
CREATE INDEX litigation_holds_message ON litigation_holds (message_id);
CREATE INDEX litigation_holds_address ON litigation_holds (address);
