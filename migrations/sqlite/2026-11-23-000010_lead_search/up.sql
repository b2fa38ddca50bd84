-- Search index for leads: a trigram full-text index (FTS5) over leads.search_text, so that a search for a
-- name, email, company or phone fragment of three or more characters is an index lookup, not a table scan.
-- PostgreSQL gets the same behaviour from a pg_trgm GIN index on the same column.
--
-- fts_lead_rows gives every lead a stable integer key for the index: SQLite may renumber the implicit rowid of
-- a table without an INTEGER PRIMARY KEY (leads) on VACUUM, which would silently detach the index.
-- Triggers on every write path (API, web forms, email, imports, merges, purges) note the lead in
-- fts_lead_dirty; each write transaction brings the index up to date before it commits
-- (util::transaction → leads::flush_search_index). Writing to FTS5 directly from the triggers would flush
-- a new index segment at every savepoint, and imports take one savepoint per row: that halved their speed.
CREATE TABLE fts_lead_rows (
    id INTEGER PRIMARY KEY,
    lead_id TEXT NOT NULL UNIQUE
);
CREATE TABLE fts_lead_dirty (
    lead_id TEXT PRIMARY KEY NOT NULL
);
CREATE VIRTUAL TABLE fts_leads USING fts5(search_text, tokenize = 'trigram');

INSERT INTO fts_lead_rows (lead_id) SELECT id FROM leads;
INSERT INTO fts_leads (rowid, search_text)
    SELECT r.id, l.search_text FROM fts_lead_rows r JOIN leads l ON l.id = r.lead_id;

CREATE TRIGGER fts_leads_after_insert AFTER INSERT ON leads BEGIN
    INSERT OR IGNORE INTO fts_lead_dirty (lead_id) VALUES (new.id);
END;
CREATE TRIGGER fts_leads_after_update AFTER UPDATE OF search_text ON leads
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT OR IGNORE INTO fts_lead_dirty (lead_id) VALUES (new.id);
END;
CREATE TRIGGER fts_leads_after_delete AFTER DELETE ON leads BEGIN
    INSERT OR IGNORE INTO fts_lead_dirty (lead_id) VALUES (old.id);
END;
