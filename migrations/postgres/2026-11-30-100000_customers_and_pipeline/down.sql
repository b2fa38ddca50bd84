DROP TABLE potential_phase_history;
DROP TABLE potentials;
DROP TABLE lost_reasons;
DROP TABLE pipeline_phases;
DROP TABLE pipelines;
DROP TABLE contact_accounts;
DROP TABLE contacts;
DROP TABLE accounts;
