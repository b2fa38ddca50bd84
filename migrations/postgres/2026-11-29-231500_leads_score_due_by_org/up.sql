-- Reads bring an organization's due scores current before they answer (`leads::catch_up`): find
-- them by organization and due instant, without reading the organization's other leads. Only leads
-- with a due instant are indexed.
CREATE INDEX leads_org_score_due ON leads (org_id, score_due_at) WHERE score_due_at IS NOT NULL;
