-- Text filters on custom values ignore case: each text value is stored again in lower case, folded by
-- the application (Unicode-aware, alike on both databases); existing rows are folded at the next start
-- (custom_fields::fold_missing), and the filter's index moves to the folded copy.
ALTER TABLE lead_custom_values ADD COLUMN value_folded TEXT;
DROP INDEX lead_custom_values_text;
CREATE INDEX lead_custom_values_folded ON lead_custom_values (org_id, field_key, value_folded);
