-- CSV imports: the uploaded rows live in the database so any worker node can process them.
CREATE TABLE imports (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    created_by TEXT,
    file_name TEXT NOT NULL,
    status TEXT NOT NULL,
    headers TEXT NOT NULL,
    total_rows BIGINT NOT NULL,
    mapping TEXT,
    processed BIGINT NOT NULL,
    created BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    skipped BIGINT NOT NULL,
    failed BIGINT NOT NULL,
    error TEXT,
    created_at TIMESTAMP NOT NULL,
    started_at TIMESTAMP,
    finished_at TIMESTAMP,
    version BIGINT NOT NULL
);
CREATE INDEX imports_org ON imports (org_id, id);

CREATE TABLE import_rows (
    import_id TEXT NOT NULL REFERENCES imports (id),
    row_number BIGINT NOT NULL,
    cells TEXT NOT NULL,
    status TEXT,
    lead_id TEXT,
    message TEXT,
    PRIMARY KEY (import_id, row_number)
);
