-- Back to the lead-only search of 2026-11-23-000010: the text returns to leads.search_text.
ALTER TABLE leads ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE leads SET search_text = d.body FROM search_documents d WHERE d.record_kind = 'lead' AND d.record_id = leads.id;
CREATE INDEX leads_search_trgm ON leads USING gin (search_text gin_trgm_ops);
DROP TABLE search_documents;
