-- A stored response keeps its record's version, so a replay sends the same ETag as the first answer
-- (the API takes it from the answer's type, `Versioned`, not from a field of the stored JSON).
ALTER TABLE idempotency_keys ADD COLUMN response_version BIGINT;
UPDATE idempotency_keys SET response_version = (response_body::jsonb ->> 'version')::bigint
    WHERE response_body IS NOT NULL AND jsonb_typeof(response_body::jsonb -> 'version') = 'number';
