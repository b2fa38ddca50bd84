-- The dry run of an import runs as a job, a batch at a time, so a big file is checked in the
-- background with progress instead of in one request. Counters live on the import; the rows that
-- need attention (invalid, duplicates) in import_check_rows; every email/phone key seen so far in
-- import_check_keys, so duplicates within the file are found across batches without holding the
-- whole file's keys in memory.
ALTER TABLE imports ADD COLUMN check_status TEXT;
ALTER TABLE imports ADD COLUMN check_rows BIGINT NOT NULL DEFAULT 0;
ALTER TABLE imports ADD COLUMN check_valid BIGINT NOT NULL DEFAULT 0;
ALTER TABLE imports ADD COLUMN check_invalid BIGINT NOT NULL DEFAULT 0;
ALTER TABLE imports ADD COLUMN check_dup_existing BIGINT NOT NULL DEFAULT 0;
ALTER TABLE imports ADD COLUMN check_dup_in_file BIGINT NOT NULL DEFAULT 0;

CREATE TABLE import_check_rows (
    import_id TEXT NOT NULL REFERENCES imports (id),
    row_number BIGINT NOT NULL,
    kind TEXT NOT NULL,
    errors TEXT,
    lead_id TEXT,
    earlier_row BIGINT,
    PRIMARY KEY (import_id, row_number)
);
CREATE INDEX import_check_rows_kind ON import_check_rows (import_id, kind, row_number);

CREATE TABLE import_check_keys (
    import_id TEXT NOT NULL REFERENCES imports (id),
    key TEXT NOT NULL,
    row_number BIGINT NOT NULL,
    PRIMARY KEY (import_id, key)
);
