-- Custom fields an administrator defines for leads, and the values leads hold for them.
CREATE TABLE custom_field_defs (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    entity TEXT NOT NULL,
    key TEXT NOT NULL,
    label TEXT NOT NULL,
    kind TEXT NOT NULL,
    options TEXT NOT NULL,
    required BOOLEAN NOT NULL,
    position INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL,
    deleted_at TIMESTAMP
);
-- A key stays taken after its field is deleted, so old values never meet a new definition.
CREATE UNIQUE INDEX custom_field_defs_org_key ON custom_field_defs (org_id, entity, key);

-- Text, date, boolean and select values in value_text; numbers (integers only) in value_number.
CREATE TABLE lead_custom_values (
    org_id TEXT NOT NULL REFERENCES organizations (id),
    lead_id TEXT NOT NULL REFERENCES leads (id),
    field_key TEXT NOT NULL,
    value_text TEXT,
    value_number BIGINT,
    PRIMARY KEY (lead_id, field_key)
);
CREATE INDEX lead_custom_values_text ON lead_custom_values (org_id, field_key, value_text);
CREATE INDEX lead_custom_values_number ON lead_custom_values (org_id, field_key, value_number);
