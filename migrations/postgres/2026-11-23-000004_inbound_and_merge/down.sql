DROP TABLE lead_merges;
DROP TABLE inbound_messages;
DROP TABLE inbound_email_settings;
