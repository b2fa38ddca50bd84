DROP INDEX leads_org_score_due;
