-- Activities (calls, meetings, events, tasks, notes, logged emails) on a record of any kind, keyed by
-- record kind and id like the kernel's other features; attendees in a table of their own (users and
-- records); each user's private calendar feed (the token's SHA-256 only).
CREATE TABLE activities (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    record_kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    direction TEXT,
    outcome TEXT,
    duration_seconds BIGINT,
    starts_at TIMESTAMP,
    ends_at TIMESTAMP,
    time_zone TEXT,
    location TEXT,
    due_at TIMESTAMP,
    priority TEXT,
    assignee_id TEXT,
    done_at TIMESTAMP,
    remind_at TIMESTAMP,
    reminded_at TIMESTAMP,
    created_by TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL,
    deleted_at TIMESTAMP
);
CREATE INDEX activities_by_record ON activities (org_id, record_kind, record_id, id);
CREATE INDEX activities_by_assignee_due ON activities (org_id, assignee_id, due_at);
CREATE INDEX activities_by_assignee_start ON activities (org_id, assignee_id, starts_at);

CREATE TABLE activity_attendees (
    activity_id TEXT NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    org_id TEXT NOT NULL,
    attendee_kind TEXT NOT NULL,
    attendee_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (activity_id, attendee_kind, attendee_id)
);
CREATE INDEX activity_attendees_by_attendee ON activity_attendees (org_id, attendee_kind, attendee_id);

CREATE TABLE calendar_feeds (
    user_id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);

-- A lead merge moves the merged lead's activities to the kept one; an undo moves exactly those back.
ALTER TABLE lead_merges ADD COLUMN moved_activity_ids TEXT NOT NULL DEFAULT '[]';
