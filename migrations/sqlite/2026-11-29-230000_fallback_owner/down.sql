ALTER TABLE lead_settings DROP COLUMN fallback_owner_id;
