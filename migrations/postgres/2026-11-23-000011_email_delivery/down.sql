DROP TABLE email_engagements;
DROP INDEX outbox_emails_related;
ALTER TABLE outbox_emails DROP COLUMN list_unsubscribe;
ALTER TABLE outbox_emails DROP COLUMN body_html;
ALTER TABLE mail_settings DROP COLUMN track_engagement;
DROP TABLE mail_servers;
