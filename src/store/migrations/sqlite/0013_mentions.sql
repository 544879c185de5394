-- Graph mentionsPreview.isMentioned per mailbox copy, so `$filter=mentionsPreview/isMentioned eq true`
-- is answered (and paged) by the database; set when the copy is filed (docs/vendor-apis.md).
ALTER TABLE mailbox_entries ADD COLUMN owner_mentioned INTEGER NOT NULL DEFAULT 0;
CREATE INDEX mailbox_entries_mentioned ON mailbox_entries (user_id, received_at) WHERE owner_mentioned = 1;
