-- Workspaces, work items (needs and seeds), checklist answers and the event history.
-- The PostgreSQL twin is migrations/postgres/0001_core.sql: keep both in step.

CREATE TABLE workspaces (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    lang              TEXT NOT NULL,
    currency          TEXT NOT NULL,
    hourly_cost       REAL NOT NULL,
    automatable_share REAL NOT NULL,
    ml_yearly_cost    REAL NOT NULL,
    next_need         INTEGER NOT NULL DEFAULT 1,
    next_seed         INTEGER NOT NULL DEFAULT 1,
    created_at        TEXT NOT NULL
);

CREATE TABLE items (
    id           INTEGER PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    kind         TEXT NOT NULL CHECK (kind IN ('need', 'seed')),
    number       INTEGER NOT NULL,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL,
    team         TEXT NOT NULL,
    team_key     TEXT NOT NULL,
    requester    TEXT NOT NULL,
    owner        TEXT,
    status       TEXT NOT NULL,
    outcome      TEXT,
    flags        TEXT NOT NULL DEFAULT '',
    yearly_value REAL,
    verdict      TEXT,
    effort_days  REAL,
    version      INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (workspace_id, kind, number)
);
CREATE INDEX items_by_requester ON items (workspace_id, requester);
CREATE INDEX items_by_owner ON items (workspace_id, owner);
CREATE INDEX items_by_status ON items (workspace_id, kind, status);

CREATE TABLE answers (
    item_id     INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    question    TEXT NOT NULL,
    value       TEXT NOT NULL,
    answered_by TEXT NOT NULL,
    answered_at TEXT NOT NULL,
    PRIMARY KEY (item_id, question)
);

CREATE TABLE events (
    id           INTEGER PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    item_id      INTEGER NOT NULL REFERENCES items (id),
    actor        TEXT NOT NULL,
    kind         TEXT NOT NULL,
    from_status  TEXT,
    to_status    TEXT,
    note         TEXT,
    detail       TEXT,
    at           TEXT NOT NULL
);
CREATE INDEX events_by_item ON events (item_id, id);
CREATE INDEX events_by_time ON events (workspace_id, at);
