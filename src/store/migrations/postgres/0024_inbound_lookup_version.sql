-- The lookups every inbound message makes join the lookup cache (docs/storage.md, "Lookup cache"):
-- the permitted/blocked sender lists, the DNSBL zones, recipients' own sender lists and the
-- suppression list. Any change to them moves the same counter as 0023's tables.
CREATE TRIGGER sender_lists_lookup AFTER INSERT OR UPDATE OR DELETE ON sender_lists FOR EACH STATEMENT EXECUTE FUNCTION bump_lookup_version();
CREATE TRIGGER dnsbl_zones_lookup AFTER INSERT OR UPDATE OR DELETE ON dnsbl_zones FOR EACH STATEMENT EXECUTE FUNCTION bump_lookup_version();
CREATE TRIGGER recipient_senders_lookup AFTER INSERT OR UPDATE OR DELETE ON recipient_senders FOR EACH STATEMENT EXECUTE FUNCTION bump_lookup_version();
CREATE TRIGGER suppressions_lookup AFTER INSERT OR UPDATE OR DELETE ON suppressions FOR EACH STATEMENT EXECUTE FUNCTION bump_lookup_version();
