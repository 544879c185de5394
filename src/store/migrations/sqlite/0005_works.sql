-- LINE WORKS dialect: integer mail ids and the Important mark for mailbox entries, the OAuth
-- authorization-code grant, registered redirect URIs, and service accounts (JWT bearer grant).

-- LINE WORKS mail ids are integers; every mailbox entry, however it was filed (local delivery,
-- Sent copy, notices), is numbered by the trigger in the same transaction, in filing order.
CREATE TABLE mailbox_numbers (
  mail_id INTEGER PRIMARY KEY AUTOINCREMENT,
  entry_id TEXT NOT NULL UNIQUE REFERENCES mailbox_entries(id) ON DELETE CASCADE,
  marked INTEGER NOT NULL DEFAULT 0
);
INSERT INTO mailbox_numbers (entry_id) SELECT id FROM mailbox_entries ORDER BY received_at, id;
CREATE TRIGGER mailbox_entries_number AFTER INSERT ON mailbox_entries
BEGIN
  INSERT INTO mailbox_numbers (entry_id) VALUES (NEW.id);
END;

-- Redirect URIs an app registered; the authorization endpoint sends codes nowhere else.
CREATE TABLE oauth_redirect_uris (
  client_id TEXT NOT NULL REFERENCES oauth_clients(client_id),
  uri TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (client_id, uri)
);

-- Authorization codes by hash only; redeeming one deletes it.
CREATE TABLE authorization_codes (
  code_hash TEXT PRIMARY KEY,
  client_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(id),
  redirect_uri TEXT NOT NULL,
  audience TEXT NOT NULL,
  scopes TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);

-- One service account per app: the public half of the key pair whose private half signs its JWT assertions.
CREATE TABLE oauth_service_accounts (
  client_id TEXT PRIMARY KEY REFERENCES oauth_clients(client_id),
  account_id TEXT NOT NULL UNIQUE,
  public_jwk TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
