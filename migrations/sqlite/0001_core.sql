-- Workspaces, work items (needs and seeds), checklist answers, the event history (which is
-- also the audit trail), roles, and the outbox of messages to deliver.
-- The PostgreSQL twin is migrations/postgres/0001_core.sql: keep both in step.

CREATE TABLE workspaces (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    lang              TEXT NOT NULL,
    currency          TEXT NOT NULL,
    hourly_cost       REAL NOT NULL,
    automatable_share REAL NOT NULL,
    ml_yearly_cost    REAL NOT NULL,
    triage_channel    TEXT,
    digest_channel    TEXT,
    ai_department     BOOLEAN NOT NULL DEFAULT FALSE,
    next_need         INTEGER NOT NULL DEFAULT 1,
    next_seed         INTEGER NOT NULL DEFAULT 1,
    created_at        TEXT NOT NULL
);

CREATE TABLE items (
    id                INTEGER PRIMARY KEY,
    workspace_id      TEXT NOT NULL REFERENCES workspaces (id),
    kind              TEXT NOT NULL CHECK (kind IN ('need', 'seed')),
    number            INTEGER NOT NULL,
    title             TEXT NOT NULL,
    description       TEXT NOT NULL,
    team              TEXT NOT NULL,
    team_key          TEXT NOT NULL,
    requester         TEXT NOT NULL,
    owner             TEXT,
    status            TEXT NOT NULL,
    outcome           TEXT,
    flags             TEXT NOT NULL DEFAULT '',
    yearly_value      REAL,
    verdict           TEXT,
    effort_days       REAL,
    submitted_at      TEXT,
    first_response_at TEXT,
    resolved_at       TEXT,
    version           INTEGER NOT NULL DEFAULT 0,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    UNIQUE (workspace_id, kind, number)
);
CREATE INDEX items_by_requester ON items (workspace_id, requester);
CREATE INDEX items_by_owner ON items (workspace_id, owner);
CREATE INDEX items_by_status ON items (workspace_id, kind, status);
CREATE INDEX items_by_team ON items (workspace_id, team_key);
CREATE INDEX items_by_created ON items (workspace_id, created_at);

CREATE TABLE answers (
    item_id     INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    question    TEXT NOT NULL,
    value       TEXT NOT NULL,
    answered_by TEXT NOT NULL,
    answered_at TEXT NOT NULL,
    PRIMARY KEY (item_id, question)
);

-- item_id is NULL for workspace-level (admin) actions.
CREATE TABLE events (
    id           INTEGER PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    item_id      INTEGER REFERENCES items (id),
    actor        TEXT NOT NULL,
    kind         TEXT NOT NULL,
    from_status  TEXT,
    to_status    TEXT,
    note         TEXT,
    detail       TEXT,
    at           TEXT NOT NULL
);
CREATE INDEX events_by_item ON events (item_id, id);
CREATE INDEX events_by_workspace ON events (workspace_id, id);
CREATE INDEX events_by_time ON events (workspace_id, at);

CREATE TABLE roles (
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    user_id      TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('ai_team', 'manager', 'admin')),
    granted_by   TEXT NOT NULL,
    granted_at   TEXT NOT NULL,
    PRIMARY KEY (workspace_id, user_id, role)
);

-- Messages that are not replies (direct messages, triage cards), written in the same
-- transaction as the change they report and delivered by a worker: nothing is lost, and a
-- delivered message is not sent again.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    workspace_id    TEXT NOT NULL REFERENCES workspaces (id),
    recipient_kind  TEXT NOT NULL CHECK (recipient_kind IN ('user', 'channel')),
    recipient       TEXT NOT NULL,
    payload         TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    claimed_until   TEXT,
    sent_at         TEXT,
    failed_at       TEXT,
    last_error      TEXT
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
