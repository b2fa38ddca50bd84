-- A merge moves the merged lead's attachments to the kept lead (the merged lead is purged from the bin
-- after 30 days; its files must not go with it) and remembers which, so an undo moves them back.
ALTER TABLE lead_merges ADD COLUMN moved_attachment_ids TEXT NOT NULL DEFAULT '[]';
