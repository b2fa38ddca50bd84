CREATE TABLE lead_tags (
    org_id TEXT NOT NULL REFERENCES organizations (id),
    lead_id TEXT NOT NULL REFERENCES leads (id),
    tag TEXT NOT NULL,
    PRIMARY KEY (lead_id, tag)
);
CREATE INDEX lead_tags_org_tag ON lead_tags (org_id, tag, lead_id);
INSERT INTO lead_tags (org_id, lead_id, tag)
    SELECT org_id, record_id, tag FROM record_tags WHERE record_kind = 'lead';
DROP TABLE record_tags;

CREATE TABLE lead_events (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    lead_id TEXT NOT NULL REFERENCES leads (id),
    occurred_at TIMESTAMP NOT NULL,
    kind TEXT NOT NULL,
    from_value TEXT,
    to_value TEXT,
    note TEXT,
    actor_kind TEXT NOT NULL,
    actor_id TEXT
);
CREATE INDEX lead_events_lead ON lead_events (lead_id, occurred_at);
INSERT INTO lead_events (id, org_id, lead_id, occurred_at, kind, from_value, to_value, note, actor_kind, actor_id)
    SELECT id, org_id, record_id, occurred_at, kind, from_value, to_value, note, actor_kind, actor_id
    FROM timeline_events WHERE record_kind = 'lead';
DROP TABLE timeline_events;

DROP TABLE record_links;

CREATE TABLE lead_custom_values (
    org_id TEXT NOT NULL REFERENCES organizations (id),
    lead_id TEXT NOT NULL REFERENCES leads (id),
    field_key TEXT NOT NULL,
    value_text TEXT,
    value_number BIGINT,
    value_folded TEXT,
    PRIMARY KEY (lead_id, field_key)
);
CREATE INDEX lead_custom_values_number ON lead_custom_values (org_id, field_key, value_number);
CREATE INDEX lead_custom_values_folded ON lead_custom_values (org_id, field_key, value_folded);
INSERT INTO lead_custom_values (org_id, lead_id, field_key, value_text, value_number, value_folded)
    SELECT org_id, record_id, field_key, value_text, value_number, value_folded FROM custom_values WHERE record_kind = 'lead';
DROP TABLE custom_values;
