-- Email delivery per organization: its own SMTP server, an HTML part with engagement tracking, one-click
-- unsubscribe, and the opens and clicks each message received.
CREATE TABLE mail_servers (
    org_id TEXT PRIMARY KEY NOT NULL REFERENCES organizations (id),
    host TEXT NOT NULL,
    port INTEGER NOT NULL,
    security TEXT NOT NULL,
    username TEXT,
    -- Sealed with the installation's secret (XChaCha20-Poly1305); never returned by the API.
    password_sealed TEXT,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL
);

ALTER TABLE mail_settings ADD COLUMN track_engagement BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE outbox_emails ADD COLUMN body_html TEXT;
ALTER TABLE outbox_emails ADD COLUMN list_unsubscribe TEXT;
CREATE INDEX outbox_emails_related ON outbox_emails (org_id, related_entity, related_id, id);
-- Emails that told an owner about a lead were recorded against the lead; they are not the lead's emails.
UPDATE outbox_emails SET related_entity = 'lead_notification'
    WHERE related_entity = 'lead' AND (unique_key IS NULL OR unique_key NOT LIKE 'seq:%');

-- Opens and clicks per message: the first of each kind is a behaviour event on the lead (scoring);
-- repeats (mail clients and proxies fetch images again) only count.
CREATE TABLE email_engagements (
    outbox_id TEXT NOT NULL REFERENCES outbox_emails (id),
    kind TEXT NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    first_at TIMESTAMP NOT NULL,
    last_at TIMESTAMP NOT NULL,
    times INTEGER NOT NULL,
    PRIMARY KEY (outbox_id, kind)
);
