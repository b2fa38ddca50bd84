-- Leads with their tags and timeline, scoring and assignment rules, lead settings, notifications.
CREATE TABLE lead_settings (
    org_id TEXT PRIMARY KEY NOT NULL REFERENCES organizations (id),
    duplicate_rule TEXT NOT NULL,
    qualify_threshold INTEGER,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL
);

CREATE TABLE leads (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    title TEXT NOT NULL,
    email TEXT,
    email_normalized TEXT,
    phone TEXT,
    phone_e164 TEXT,
    company_name TEXT NOT NULL,
    company_domain TEXT,
    company_size INTEGER,
    industry TEXT,
    country TEXT,
    source TEXT NOT NULL,
    source_detail TEXT NOT NULL,
    status TEXT NOT NULL,
    disqualify_reason TEXT,
    revisit_on DATE,
    owner_id TEXT REFERENCES users (id),
    team_id TEXT REFERENCES teams (id),
    score INTEGER NOT NULL,
    sort_name TEXT NOT NULL,
    search_text TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL,
    deleted_at TIMESTAMP
);
CREATE INDEX leads_org_id ON leads (org_id, id);
CREATE INDEX leads_org_updated ON leads (org_id, updated_at, id);
CREATE INDEX leads_org_name ON leads (org_id, sort_name, id);
CREATE INDEX leads_org_company ON leads (org_id, company_name, id);
CREATE INDEX leads_org_score ON leads (org_id, score, id);
CREATE INDEX leads_org_status ON leads (org_id, status, id);
CREATE INDEX leads_org_owner ON leads (org_id, owner_id, id);
CREATE INDEX leads_org_email ON leads (org_id, email_normalized);
CREATE INDEX leads_org_phone ON leads (org_id, phone_e164);
CREATE INDEX leads_revisit ON leads (status, revisit_on);

CREATE TABLE lead_tags (
    org_id TEXT NOT NULL REFERENCES organizations (id),
    lead_id TEXT NOT NULL REFERENCES leads (id),
    tag TEXT NOT NULL,
    PRIMARY KEY (lead_id, tag)
);
CREATE INDEX lead_tags_org_tag ON lead_tags (org_id, tag, lead_id);

CREATE TABLE lead_events (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    lead_id TEXT NOT NULL REFERENCES leads (id),
    occurred_at TIMESTAMP NOT NULL,
    kind TEXT NOT NULL,
    from_value TEXT,
    to_value TEXT,
    note TEXT,
    actor_kind TEXT NOT NULL,
    actor_id TEXT
);
CREATE INDEX lead_events_lead ON lead_events (lead_id, occurred_at);

CREATE TABLE scoring_rules (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    trigger TEXT NOT NULL,
    points INTEGER NOT NULL,
    decay_days INTEGER,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL,
    deleted_at TIMESTAMP
);
CREATE INDEX scoring_rules_org ON scoring_rules (org_id, id);

CREATE TABLE assignment_rules (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    conditions TEXT NOT NULL,
    target TEXT NOT NULL,
    capacity INTEGER,
    active BOOLEAN NOT NULL,
    last_assigned TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL,
    deleted_at TIMESTAMP
);
CREATE INDEX assignment_rules_org ON assignment_rules (org_id, position);

CREATE TABLE notifications (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    entity TEXT,
    entity_id TEXT,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP
);
CREATE INDEX notifications_user ON notifications (user_id, id);
