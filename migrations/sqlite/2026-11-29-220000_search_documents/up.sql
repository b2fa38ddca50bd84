-- Search for every record kind: one search document per record (its kind, id and the text a search
-- matches), with a trigram full-text index (FTS5) over the documents. Leads move onto it: their
-- `search_text` column and the lead-only index tables (2026-11-23-000010) go.
--
-- The FTS5 table is keyed by search_documents.id, an INTEGER PRIMARY KEY (stable across VACUUM).
-- Triggers note each written document in fts_search_dirty; each write transaction brings the index up to
-- date once before it commits (core::search::flush, a before-commit hook): writing FTS5 from the
-- triggers would flush an index segment at every savepoint, and imports take one savepoint per row.
-- `indexed` says whether the document may already be in the index (so it must leave it first).
CREATE TABLE search_documents (
    id INTEGER PRIMARY KEY,
    org_id TEXT NOT NULL,
    record_kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (record_kind, record_id)
);
CREATE INDEX search_documents_org ON search_documents (org_id, record_kind);
CREATE TABLE fts_search_dirty (
    doc_id INTEGER PRIMARY KEY NOT NULL,
    indexed INTEGER NOT NULL
);
CREATE VIRTUAL TABLE fts_search USING fts5(body, tokenize = 'trigram');

INSERT INTO search_documents (org_id, record_kind, record_id, body)
    SELECT org_id, 'lead', id, search_text FROM leads ORDER BY created_at, id;
INSERT INTO fts_search (rowid, body) SELECT id, body FROM search_documents;

CREATE TRIGGER search_documents_after_insert AFTER INSERT ON search_documents BEGIN
    INSERT OR IGNORE INTO fts_search_dirty (doc_id, indexed) VALUES (new.id, 0);
END;
CREATE TRIGGER search_documents_after_update AFTER UPDATE OF body ON search_documents
WHEN old.body IS NOT new.body BEGIN
    INSERT OR IGNORE INTO fts_search_dirty (doc_id, indexed) VALUES (new.id, 1);
END;
CREATE TRIGGER search_documents_after_delete AFTER DELETE ON search_documents BEGIN
    INSERT OR IGNORE INTO fts_search_dirty (doc_id, indexed) VALUES (old.id, 1);
END;

DROP TRIGGER fts_leads_after_insert;
DROP TRIGGER fts_leads_after_update;
DROP TRIGGER fts_leads_after_delete;
DROP TABLE fts_leads;
DROP TABLE fts_lead_rows;
DROP TABLE fts_lead_dirty;
ALTER TABLE leads DROP COLUMN search_text;
