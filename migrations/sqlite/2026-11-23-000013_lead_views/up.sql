-- Saved lead list views: a user's own, or shared with the organization.
CREATE TABLE lead_views (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    owner_id TEXT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    filters TEXT NOT NULL,
    shared BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX lead_views_owner_name ON lead_views (org_id, owner_id, name);
CREATE INDEX lead_views_org_shared ON lead_views (org_id, shared);
