-- A stored response keeps its record's version, so a replay sends the same ETag as the first answer
-- (the API takes it from the answer's type, `Versioned`, not from a field of the stored JSON).
ALTER TABLE idempotency_keys ADD COLUMN response_version BIGINT;
UPDATE idempotency_keys SET response_version = json_extract(response_body, '$.version')
    WHERE response_body IS NOT NULL AND json_valid(response_body)
      AND json_type(response_body, '$.version') = 'integer';
