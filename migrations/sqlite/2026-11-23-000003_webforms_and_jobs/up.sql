-- Web forms and their submissions; the job queue; the email outbox learns to send each message once.
CREATE TABLE web_forms (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    fields TEXT NOT NULL,
    consent_text TEXT,
    thank_you_message TEXT NOT NULL,
    redirect_url TEXT,
    allowed_origins TEXT NOT NULL,
    tags TEXT NOT NULL,
    owner_id TEXT REFERENCES users (id),
    campaign TEXT,
    min_fill_seconds INTEGER NOT NULL,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL,
    deleted_at TIMESTAMP
);
CREATE INDEX web_forms_org ON web_forms (org_id, id);

CREATE TABLE web_form_submissions (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    form_id TEXT NOT NULL REFERENCES web_forms (id),
    lead_id TEXT REFERENCES leads (id),
    outcome TEXT NOT NULL,
    submission_key TEXT,
    ip TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    referrer TEXT,
    utm TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX web_form_submissions_form ON web_form_submissions (form_id, id);
CREATE UNIQUE INDEX web_form_submissions_key ON web_form_submissions (form_id, submission_key);

CREATE TABLE jobs (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT REFERENCES organizations (id),
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    unique_key TEXT,
    status TEXT NOT NULL,
    run_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL,
    max_attempts INTEGER NOT NULL,
    locked_by TEXT,
    locked_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);
CREATE UNIQUE INDEX jobs_unique_key ON jobs (unique_key);
CREATE INDEX jobs_due ON jobs (status, run_at);

ALTER TABLE outbox_emails ADD COLUMN unique_key TEXT;
ALTER TABLE outbox_emails ADD COLUMN locked_until TIMESTAMP;
ALTER TABLE outbox_emails ADD COLUMN next_attempt_at TIMESTAMP;
CREATE UNIQUE INDEX outbox_emails_unique_key ON outbox_emails (unique_key);
