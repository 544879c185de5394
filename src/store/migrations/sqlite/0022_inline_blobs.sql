-- Small blobs (most messages) as rows of the database file instead of a file each: written in the
-- group commit with the rest of an acceptance, read back without opening a file (docs/storage.md).
-- Larger blobs and streamed uploads stay files under <data>/blobs/.
CREATE TABLE blobs (
  key TEXT PRIMARY KEY,
  data BLOB NOT NULL,
  created_at INTEGER NOT NULL
);
