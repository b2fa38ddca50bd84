-- How an organization's email presents itself: sender name and address, reply-to.
CREATE TABLE mail_settings (
    org_id TEXT PRIMARY KEY NOT NULL REFERENCES organizations (id),
    from_name TEXT NOT NULL,
    from_address TEXT,
    reply_to TEXT,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL
);
