-- Back to the lead-only search index of 2026-11-23-000010: the text returns to leads.search_text.
ALTER TABLE leads ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE leads SET search_text = COALESCE(
    (SELECT d.body FROM search_documents d WHERE d.record_kind = 'lead' AND d.record_id = leads.id), '');

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

DROP TRIGGER search_documents_after_insert;
DROP TRIGGER search_documents_after_update;
DROP TRIGGER search_documents_after_delete;
DROP TABLE fts_search;
DROP TABLE fts_search_dirty;
DROP TABLE search_documents;
