DROP INDEX outbox_emails_unique_key;
ALTER TABLE outbox_emails DROP COLUMN next_attempt_at;
ALTER TABLE outbox_emails DROP COLUMN locked_until;
ALTER TABLE outbox_emails DROP COLUMN unique_key;
DROP TABLE jobs;
DROP TABLE web_form_submissions;
DROP TABLE web_forms;
