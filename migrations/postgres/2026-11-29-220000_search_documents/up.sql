-- Search for every record kind: one search document per record (its kind, id and the text a search
-- matches), with a pg_trgm GIN index over the text so LIKE '%fragment%' is an index lookup. Leads move
-- onto it: their `search_text` column (and its index, 2026-11-23-000010) goes.
-- SQLite gets the same from an FTS5 trigram table (see the SQLite migration of the same name).
CREATE TABLE search_documents (
    id BIGSERIAL PRIMARY KEY,
    org_id TEXT NOT NULL,
    record_kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (record_kind, record_id)
);
CREATE INDEX search_documents_org ON search_documents (org_id, record_kind);
CREATE INDEX search_documents_body_trgm ON search_documents USING gin (body gin_trgm_ops);

INSERT INTO search_documents (org_id, record_kind, record_id, body)
    SELECT org_id, 'lead', id, search_text FROM leads ORDER BY created_at, id;
ALTER TABLE leads DROP COLUMN search_text;
ANALYZE search_documents;
