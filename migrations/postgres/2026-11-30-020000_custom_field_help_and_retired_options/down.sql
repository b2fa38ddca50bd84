ALTER TABLE custom_field_defs DROP COLUMN retired_options;
ALTER TABLE custom_field_defs DROP COLUMN help_text;
