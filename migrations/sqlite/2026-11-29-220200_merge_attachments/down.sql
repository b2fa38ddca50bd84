ALTER TABLE lead_merges DROP COLUMN moved_attachment_ids;
