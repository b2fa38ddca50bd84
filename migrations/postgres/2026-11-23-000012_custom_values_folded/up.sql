-- Text filters on custom values ignore case: each text value is stored again in lower case (folded
-- by the application, Unicode-aware; the lower() here only seeds existing rows, and `kith migrate`
-- folds them again in Rust), and the filter's index moves to the folded copy.
ALTER TABLE lead_custom_values ADD COLUMN value_folded TEXT;
UPDATE lead_custom_values SET value_folded = lower(value_text) WHERE value_text IS NOT NULL;
DROP INDEX lead_custom_values_text;
CREATE INDEX lead_custom_values_folded ON lead_custom_values (org_id, field_key, value_folded);
