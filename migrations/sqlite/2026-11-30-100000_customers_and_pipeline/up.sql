-- Accounts (companies, prospect → customer → former customer) and contacts (people at one or more
-- accounts); pipelines with ordered phases, lost reasons, potentials and their append-only phase
-- history. Records of every kind get tags, custom values, timelines, links, search documents and
-- attachments through the kernel's tables.
CREATE TABLE accounts (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    domain TEXT,
    industry TEXT,
    phone TEXT,
    country TEXT,
    lifecycle TEXT NOT NULL,
    parent_id TEXT REFERENCES accounts (id),
    owner_id TEXT REFERENCES users (id),
    team_id TEXT REFERENCES teams (id),
    sort_name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL,
    deleted_at TIMESTAMP
);
CREATE INDEX accounts_org_name ON accounts (org_id, sort_name, id);
CREATE INDEX accounts_org_domain ON accounts (org_id, domain);
CREATE INDEX accounts_org_owner ON accounts (org_id, owner_id);

CREATE TABLE contacts (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    title TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    country TEXT,
    account_id TEXT REFERENCES accounts (id),
    owner_id TEXT REFERENCES users (id),
    team_id TEXT REFERENCES teams (id),
    lead_id TEXT REFERENCES leads (id),
    sort_name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL,
    deleted_at TIMESTAMP
);
CREATE INDEX contacts_org_name ON contacts (org_id, sort_name, id);
CREATE INDEX contacts_org_email ON contacts (org_id, email);
CREATE INDEX contacts_org_owner ON contacts (org_id, owner_id);
CREATE INDEX contacts_account ON contacts (account_id);

CREATE TABLE contact_accounts (
    org_id TEXT NOT NULL REFERENCES organizations (id),
    contact_id TEXT NOT NULL REFERENCES contacts (id),
    account_id TEXT NOT NULL REFERENCES accounts (id),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (contact_id, account_id)
);
CREATE INDEX contact_accounts_account ON contact_accounts (account_id);

CREATE TABLE pipelines (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    is_default BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX pipelines_org_name ON pipelines (org_id, name);

CREATE TABLE pipeline_phases (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    pipeline_id TEXT NOT NULL REFERENCES pipelines (id),
    name TEXT NOT NULL,
    position INTEGER NOT NULL,
    probability INTEGER NOT NULL,
    kind TEXT NOT NULL,
    forecast TEXT NOT NULL,
    rot_days INTEGER,
    -- A phase taken out of its pipeline while potentials had been in it: kept for their history.
    retired BOOLEAN NOT NULL
);
CREATE INDEX pipeline_phases_pipeline ON pipeline_phases (pipeline_id, position);

CREATE TABLE lost_reasons (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX lost_reasons_org_name ON lost_reasons (org_id, name);

CREATE TABLE potentials (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    account_id TEXT REFERENCES accounts (id),
    contact_id TEXT REFERENCES contacts (id),
    pipeline_id TEXT NOT NULL REFERENCES pipelines (id),
    phase_id TEXT NOT NULL REFERENCES pipeline_phases (id),
    phase_kind TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    probability INTEGER NOT NULL,
    probability_overridden BOOLEAN NOT NULL,
    expected_close_on DATE,
    owner_id TEXT REFERENCES users (id),
    team_id TEXT REFERENCES teams (id),
    lead_id TEXT REFERENCES leads (id),
    lost_reason_id TEXT REFERENCES lost_reasons (id),
    lost_note TEXT,
    closed_at TIMESTAMP,
    phase_entered_at TIMESTAMP NOT NULL,
    last_activity_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL,
    deleted_at TIMESTAMP
);
CREATE INDEX potentials_board ON potentials (org_id, pipeline_id, phase_id, phase_entered_at);
CREATE INDEX potentials_org_owner ON potentials (org_id, owner_id);
CREATE INDEX potentials_account ON potentials (account_id);
CREATE INDEX potentials_contact ON potentials (contact_id);

CREATE TABLE potential_phase_history (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    potential_id TEXT NOT NULL REFERENCES potentials (id),
    phase_id TEXT NOT NULL REFERENCES pipeline_phases (id),
    entered_at TIMESTAMP NOT NULL,
    exited_at TIMESTAMP,
    actor_id TEXT
);
CREATE INDEX potential_phase_history_potential ON potential_phase_history (potential_id, entered_at, id);
