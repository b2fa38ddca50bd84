DROP TABLE attachment_purges;
DROP TABLE attachments;
