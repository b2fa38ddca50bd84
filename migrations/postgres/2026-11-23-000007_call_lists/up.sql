-- Call lists of pre-lead contacts, the queue agents work, and the calls they log.
CREATE TABLE call_lists (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE INDEX call_lists_org ON call_lists (org_id, id);

CREATE TABLE call_contacts (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    call_list_id TEXT NOT NULL REFERENCES call_lists (id),
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    title TEXT NOT NULL,
    company_name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    country TEXT,
    status TEXT NOT NULL,
    next_call_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL,
    assigned_to TEXT,
    locked_until TIMESTAMP,
    lead_id TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX call_contacts_queue ON call_contacts (call_list_id, status, next_call_at);

CREATE TABLE call_logs (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    call_contact_id TEXT NOT NULL REFERENCES call_contacts (id),
    agent_id TEXT,
    disposition TEXT NOT NULL,
    note TEXT,
    callback_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX call_logs_contact ON call_logs (call_contact_id, created_at);
