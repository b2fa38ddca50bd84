DROP TABLE notifications;
DROP TABLE assignment_rules;
DROP TABLE scoring_rules;
DROP TABLE lead_events;
DROP TABLE lead_tags;
DROP TABLE leads;
DROP TABLE lead_settings;
