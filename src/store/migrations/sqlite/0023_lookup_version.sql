-- A counter every change to the tables behind per-request lookups moves (users, delegations, API
-- apps and keys, hold policies), whoever writes them: the gateway, the CLI, another process, an
-- operator's own SQL. Serving processes cache those lookups and drop the cache when it moves
-- (docs/storage.md, "Lookup cache").
CREATE TABLE lookup_version (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL
);
INSERT INTO lookup_version (id, version) VALUES (1, 0);

CREATE TRIGGER users_insert_lookup AFTER INSERT ON users BEGIN UPDATE lookup_version SET version = version + 1; END;
CREATE TRIGGER users_update_lookup AFTER UPDATE ON users BEGIN UPDATE lookup_version SET version = version + 1; END;
CREATE TRIGGER users_delete_lookup AFTER DELETE ON users BEGIN UPDATE lookup_version SET version = version + 1; END;
CREATE TRIGGER delegations_insert_lookup AFTER INSERT ON delegations BEGIN UPDATE lookup_version SET version = version + 1; END;
CREATE TRIGGER delegations_update_lookup AFTER UPDATE ON delegations BEGIN UPDATE lookup_version SET version = version + 1; END;
CREATE TRIGGER delegations_delete_lookup AFTER DELETE ON delegations BEGIN UPDATE lookup_version SET version = version + 1; END;
CREATE TRIGGER api_apps_insert_lookup AFTER INSERT ON api_apps BEGIN UPDATE lookup_version SET version = version + 1; END;
CREATE TRIGGER api_apps_update_lookup AFTER UPDATE ON api_apps BEGIN UPDATE lookup_version SET version = version + 1; END;
CREATE TRIGGER api_apps_delete_lookup AFTER DELETE ON api_apps BEGIN UPDATE lookup_version SET version = version + 1; END;
CREATE TRIGGER api_keys_insert_lookup AFTER INSERT ON api_keys BEGIN UPDATE lookup_version SET version = version + 1; END;
CREATE TRIGGER api_keys_update_lookup AFTER UPDATE ON api_keys BEGIN UPDATE lookup_version SET version = version + 1; END;
CREATE TRIGGER api_keys_delete_lookup AFTER DELETE ON api_keys BEGIN UPDATE lookup_version SET version = version + 1; END;
CREATE TRIGGER policies_insert_lookup AFTER INSERT ON policies BEGIN UPDATE lookup_version SET version = version + 1; END;
CREATE TRIGGER policies_update_lookup AFTER UPDATE ON policies BEGIN UPDATE lookup_version SET version = version + 1; END;
CREATE TRIGGER policies_delete_lookup AFTER DELETE ON policies BEGIN UPDATE lookup_version SET version = version + 1; END;
