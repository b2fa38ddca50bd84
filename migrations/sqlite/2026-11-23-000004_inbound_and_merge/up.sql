-- The email inquiries channel (a per-organization ingest secret, and each message received once)
-- and lead merges (kept so a merge can be undone while the merged lead is in the recycle bin).
CREATE TABLE inbound_email_settings (
    org_id TEXT PRIMARY KEY NOT NULL REFERENCES organizations (id),
    secret_hash TEXT NOT NULL,
    rotated_at TIMESTAMP NOT NULL,
    rotated_by TEXT
);

CREATE TABLE inbound_messages (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    message_key TEXT NOT NULL,
    lead_id TEXT REFERENCES leads (id),
    outcome TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX inbound_messages_org_key ON inbound_messages (org_id, message_key);
CREATE INDEX inbound_messages_lead ON inbound_messages (lead_id);

CREATE TABLE lead_merges (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    kept_id TEXT NOT NULL REFERENCES leads (id),
    merged_id TEXT NOT NULL REFERENCES leads (id),
    kept_before TEXT NOT NULL,
    moved_event_ids TEXT NOT NULL,
    merged_at TIMESTAMP NOT NULL,
    merged_by TEXT,
    undone_at TIMESTAMP
);
CREATE INDEX lead_merges_kept ON lead_merges (org_id, kept_id);
CREATE INDEX lead_merges_merged ON lead_merges (org_id, merged_id);
