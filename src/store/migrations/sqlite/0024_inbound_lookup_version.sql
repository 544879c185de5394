-- The lookups every inbound message makes join the lookup cache (docs/storage.md, "Lookup cache"):
-- the permitted/blocked sender lists, the DNSBL zones, recipients' own sender lists and the
-- suppression list. Any change to them moves the same counter as 0023's tables.
CREATE TRIGGER sender_lists_insert_lookup AFTER INSERT ON sender_lists BEGIN UPDATE lookup_version SET version = version + 1; END;
CREATE TRIGGER sender_lists_update_lookup AFTER UPDATE ON sender_lists BEGIN UPDATE lookup_version SET version = version + 1; END;
CREATE TRIGGER sender_lists_delete_lookup AFTER DELETE ON sender_lists BEGIN UPDATE lookup_version SET version = version + 1; END;
CREATE TRIGGER dnsbl_zones_insert_lookup AFTER INSERT ON dnsbl_zones BEGIN UPDATE lookup_version SET version = version + 1; END;
CREATE TRIGGER dnsbl_zones_update_lookup AFTER UPDATE ON dnsbl_zones BEGIN UPDATE lookup_version SET version = version + 1; END;
CREATE TRIGGER dnsbl_zones_delete_lookup AFTER DELETE ON dnsbl_zones BEGIN UPDATE lookup_version SET version = version + 1; END;
CREATE TRIGGER recipient_senders_insert_lookup AFTER INSERT ON recipient_senders BEGIN UPDATE lookup_version SET version = version + 1; END;
CREATE TRIGGER recipient_senders_update_lookup AFTER UPDATE ON recipient_senders BEGIN UPDATE lookup_version SET version = version + 1; END;
CREATE TRIGGER recipient_senders_delete_lookup AFTER DELETE ON recipient_senders BEGIN UPDATE lookup_version SET version = version + 1; END;
CREATE TRIGGER suppressions_insert_lookup AFTER INSERT ON suppressions BEGIN UPDATE lookup_version SET version = version + 1; END;
CREATE TRIGGER suppressions_update_lookup AFTER UPDATE ON suppressions BEGIN UPDATE lookup_version SET version = version + 1; END;
CREATE TRIGGER suppressions_delete_lookup AFTER DELETE ON suppressions BEGIN UPDATE lookup_version SET version = version + 1; END;
