DROP INDEX leads_score_due;
ALTER TABLE leads DROP COLUMN score_due_at;
