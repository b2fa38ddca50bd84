DROP TRIGGER fts_leads_after_delete;
DROP TRIGGER fts_leads_after_update;
DROP TRIGGER fts_leads_after_insert;
DROP TABLE fts_leads;
DROP TABLE fts_lead_dirty;
DROP TABLE fts_lead_rows;
