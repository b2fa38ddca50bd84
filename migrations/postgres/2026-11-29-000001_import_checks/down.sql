DROP TABLE import_check_keys;
DROP TABLE import_check_rows;
ALTER TABLE imports DROP COLUMN check_dup_in_file;
ALTER TABLE imports DROP COLUMN check_dup_existing;
ALTER TABLE imports DROP COLUMN check_invalid;
ALTER TABLE imports DROP COLUMN check_valid;
ALTER TABLE imports DROP COLUMN check_rows;
ALTER TABLE imports DROP COLUMN check_status;
