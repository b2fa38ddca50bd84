-- The record kernel: tags, timeline events, links between records and custom values belong to a record of any
-- kind (lead today; contact, account, potential, invoice, ticket … as their modules land), keyed by the record's
-- kind and id. The lead tables move over with every row kept; a purge removes a record's rows through the kernel
-- (kith_db::core), so these tables carry no foreign key to one kind's table.
CREATE TABLE record_tags (
    org_id TEXT NOT NULL REFERENCES organizations (id),
    record_kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    tag TEXT NOT NULL,
    PRIMARY KEY (record_kind, record_id, tag)
);
CREATE INDEX record_tags_org_tag ON record_tags (org_id, record_kind, tag, record_id);
INSERT INTO record_tags (org_id, record_kind, record_id, tag)
    SELECT org_id, 'lead', lead_id, tag FROM lead_tags;
DROP TABLE lead_tags;

-- Keyset-paged by (occurred_at, id) within one record: a page costs the same however long the history is.
CREATE TABLE timeline_events (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    record_kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    kind TEXT NOT NULL,
    from_value TEXT,
    to_value TEXT,
    note TEXT,
    actor_kind TEXT NOT NULL,
    actor_id TEXT
);
CREATE INDEX timeline_events_record ON timeline_events (record_kind, record_id, occurred_at, id);
INSERT INTO timeline_events (id, org_id, record_kind, record_id, occurred_at, kind, from_value, to_value, note, actor_kind, actor_id)
    SELECT id, org_id, 'lead', lead_id, occurred_at, kind, from_value, to_value, note, actor_kind, actor_id FROM lead_events;
DROP TABLE lead_events;

-- Records that are the same person or deal seen by different modules (a lead, the contact and potential it was
-- converted into, their account): a record's timeline shows its linked records' events too.
CREATE TABLE record_links (
    org_id TEXT NOT NULL REFERENCES organizations (id),
    from_kind TEXT NOT NULL,
    from_id TEXT NOT NULL,
    to_kind TEXT NOT NULL,
    to_id TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (from_kind, from_id, to_kind, to_id)
);
CREATE INDEX record_links_to ON record_links (to_kind, to_id, from_kind, from_id);

CREATE TABLE custom_values (
    org_id TEXT NOT NULL REFERENCES organizations (id),
    record_kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    field_key TEXT NOT NULL,
    value_text TEXT,
    value_number BIGINT,
    value_folded TEXT,
    PRIMARY KEY (record_kind, record_id, field_key)
);
CREATE INDEX custom_values_folded ON custom_values (org_id, record_kind, field_key, value_folded);
CREATE INDEX custom_values_number ON custom_values (org_id, record_kind, field_key, value_number);
INSERT INTO custom_values (org_id, record_kind, record_id, field_key, value_text, value_number, value_folded)
    SELECT org_id, 'lead', lead_id, field_key, value_text, value_number, value_folded FROM lead_custom_values;
DROP TABLE lead_custom_values;
