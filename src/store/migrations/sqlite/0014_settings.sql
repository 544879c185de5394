-- Facts about the installation itself, such as the master key verifier (docs/files-at-rest.md)
CREATE TABLE settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
