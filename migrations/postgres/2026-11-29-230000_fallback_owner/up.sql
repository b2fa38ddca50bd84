-- Who gets a lead no assignment rule takes (NULL: it stays unassigned and the lead managers are told).
ALTER TABLE lead_settings ADD COLUMN fallback_owner_id TEXT REFERENCES users (id);
