DROP TABLE call_logs;
DROP TABLE call_contacts;
DROP TABLE call_lists;
