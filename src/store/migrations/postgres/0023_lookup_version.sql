-- A counter every change to the tables behind per-request lookups moves (users, delegations, API
-- apps and keys, hold policies), whoever writes them: any gateway process, the CLI, an operator's
-- own SQL. Serving processes cache those lookups and drop the cache when it moves (docs/storage.md,
-- "Lookup cache"). Row triggers skip updates that change nothing (the upload quota's row lock).
CREATE TABLE lookup_version (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  version BIGINT NOT NULL
);
INSERT INTO lookup_version (id, version) VALUES (1, 0);

CREATE FUNCTION bump_lookup_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE lookup_version SET version = version + 1 WHERE id = 1;
  RETURN NULL;
END
$$;

CREATE TRIGGER users_lookup AFTER INSERT OR DELETE ON users FOR EACH STATEMENT EXECUTE FUNCTION bump_lookup_version();
CREATE TRIGGER users_update_lookup AFTER UPDATE ON users FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION bump_lookup_version();
CREATE TRIGGER delegations_lookup AFTER INSERT OR UPDATE OR DELETE ON delegations FOR EACH STATEMENT EXECUTE FUNCTION bump_lookup_version();
CREATE TRIGGER api_apps_lookup AFTER INSERT OR UPDATE OR DELETE ON api_apps FOR EACH STATEMENT EXECUTE FUNCTION bump_lookup_version();
CREATE TRIGGER api_keys_lookup AFTER INSERT OR UPDATE OR DELETE ON api_keys FOR EACH STATEMENT EXECUTE FUNCTION bump_lookup_version();
CREATE TRIGGER policies_lookup AFTER INSERT OR UPDATE OR DELETE ON policies FOR EACH STATEMENT EXECUTE FUNCTION bump_lookup_version();
