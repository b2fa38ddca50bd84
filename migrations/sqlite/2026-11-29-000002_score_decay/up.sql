-- A lead's stored score follows the decay of its behaviour points: score_due_at is the instant the
-- score next changes with nothing else happening (a decay step of a counted behaviour), or the time
-- a scoring-rule change asked for a rescore. The worker rescores leads whose instant has passed,
-- so the list, its filters and sorting, and the qualify threshold see the score the breakdown shows.
ALTER TABLE leads ADD COLUMN score_due_at TIMESTAMP;
CREATE INDEX leads_score_due ON leads (score_due_at);
