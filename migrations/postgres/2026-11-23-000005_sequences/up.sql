-- Sequences (autoresponders), their enrollments, and unsubscribed addresses.
CREATE TABLE sequences (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    steps TEXT NOT NULL,
    enroll_sources TEXT NOT NULL,
    enroll_form_ids TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL,
    deleted_at TIMESTAMP
);
CREATE INDEX sequences_org ON sequences (org_id, id);

CREATE TABLE sequence_enrollments (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    sequence_id TEXT NOT NULL REFERENCES sequences (id),
    lead_id TEXT NOT NULL REFERENCES leads (id),
    status TEXT NOT NULL,
    stop_reason TEXT,
    steps_sent INTEGER NOT NULL,
    enrolled_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);
CREATE UNIQUE INDEX sequence_enrollments_once ON sequence_enrollments (sequence_id, lead_id);
CREATE INDEX sequence_enrollments_lead ON sequence_enrollments (lead_id);

CREATE TABLE unsubscribes (
    org_id TEXT NOT NULL REFERENCES organizations (id),
    email TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, email)
);
