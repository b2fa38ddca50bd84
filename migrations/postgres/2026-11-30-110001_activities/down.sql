ALTER TABLE lead_merges DROP COLUMN moved_activity_ids;
DROP TABLE calendar_feeds;
DROP TABLE activity_attendees;
DROP TABLE activities;
