-- Search index for leads: a trigram full-text index (FTS5) over leads.search_text, so that a search for a
-- name, email, company or phone fragment of three or more characters is an index lookup, not a table scan.
-- PostgreSQL gets the same behaviour from a pg_trgm GIN index on the same column.
--
-- fts_lead_rows gives every lead a stable integer key for the index: SQLite may renumber the implicit rowid of
-- a table without an INTEGER PRIMARY KEY (leads) on VACUUM, which would silently detach the index.
-- Triggers keep both tables in step with every write path (API, web forms, email, imports, merges, purges).
CREATE TABLE fts_lead_rows (
    id INTEGER PRIMARY KEY,
    lead_id TEXT NOT NULL UNIQUE
);
CREATE VIRTUAL TABLE fts_leads USING fts5(search_text, tokenize = 'trigram');

INSERT INTO fts_lead_rows (lead_id) SELECT id FROM leads;
INSERT INTO fts_leads (rowid, search_text)
    SELECT r.id, l.search_text FROM fts_lead_rows r JOIN leads l ON l.id = r.lead_id;

CREATE TRIGGER fts_leads_after_insert AFTER INSERT ON leads BEGIN
    INSERT INTO fts_lead_rows (lead_id) VALUES (new.id);
    INSERT INTO fts_leads (rowid, search_text) VALUES (last_insert_rowid(), new.search_text);
END;
CREATE TRIGGER fts_leads_after_update AFTER UPDATE OF search_text ON leads
WHEN old.search_text IS NOT new.search_text BEGIN
    UPDATE fts_leads SET search_text = new.search_text
        WHERE rowid = (SELECT id FROM fts_lead_rows WHERE lead_id = new.id);
END;
CREATE TRIGGER fts_leads_after_delete AFTER DELETE ON leads BEGIN
    DELETE FROM fts_leads WHERE rowid = (SELECT id FROM fts_lead_rows WHERE lead_id = old.id);
    DELETE FROM fts_lead_rows WHERE lead_id = old.id;
END;
