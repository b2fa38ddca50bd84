-- Custom fields get a help text shown under their input, and remember the options they no longer
-- offer that records still hold ("retired": kept, shown as such, never lost).
ALTER TABLE custom_field_defs ADD COLUMN help_text TEXT;
ALTER TABLE custom_field_defs ADD COLUMN retired_options TEXT NOT NULL DEFAULT '[]';
