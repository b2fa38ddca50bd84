-- Files kept with a record of any kind (the kernel's record kinds: leads today). The bytes live in
-- the attachment store (a folder under the data directory by default) under `storage_key`, a name
-- the server makes; `file_name` is the uploader's name, sanitized, for display only.
CREATE TABLE attachments (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    record_kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    uploaded_by TEXT,
    created_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE INDEX attachments_record ON attachments (org_id, record_kind, record_id, id);
CREATE UNIQUE INDEX attachments_storage_key ON attachments (storage_key);

-- Stored files whose rows were purged: written in the purge's transaction, deleted from the store
-- by the worker's hourly maintenance (which has the store), then removed here. A file is never
-- deleted before its row is gone for good, and never forgotten.
CREATE TABLE attachment_purges (
    storage_key TEXT PRIMARY KEY NOT NULL,
    purged_at TIMESTAMP NOT NULL
);
