DROP INDEX lead_custom_values_folded;
CREATE INDEX lead_custom_values_text ON lead_custom_values (org_id, field_key, value_text);
ALTER TABLE lead_custom_values DROP COLUMN value_folded;
