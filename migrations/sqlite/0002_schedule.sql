-- The weekly jobs: each workspace's schedule, the runs (one row per job, workspace and scheduled
-- time, so a restart or a second replica never runs one twice), and the stage evaluations.
-- The PostgreSQL twin is migrations/postgres/0002_schedule.sql: keep both in step.

ALTER TABLE workspaces ADD COLUMN timezone TEXT NOT NULL DEFAULT 'Asia/Tokyo';
ALTER TABLE workspaces ADD COLUMN digest_cron TEXT NOT NULL DEFAULT '0 9 * * Mon';
ALTER TABLE workspaces ADD COLUMN digest_dms BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE workspaces ADD COLUMN pinned_stage INTEGER;

CREATE TABLE job_runs (
    id              INTEGER PRIMARY KEY,
    job             TEXT NOT NULL,
    workspace_id    TEXT NOT NULL REFERENCES workspaces (id),
    scheduled_for   TEXT NOT NULL,
    late            BOOLEAN NOT NULL DEFAULT FALSE,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'done', 'skipped')),
    claimed_by      TEXT,
    claimed_until   TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    finished_at     TEXT,
    note            TEXT,
    created_at      TEXT NOT NULL,
    UNIQUE (job, workspace_id, scheduled_for)
);
CREATE INDEX job_runs_due ON job_runs (next_attempt_at) WHERE state = 'pending';

CREATE TABLE stage_evaluations (
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    evaluated_at TEXT NOT NULL,
    stage        INTEGER NOT NULL,
    evaluation   TEXT NOT NULL,
    PRIMARY KEY (workspace_id, evaluated_at)
);

-- The need's data level (from its answers), kept on the item so the stage model reads it cheaply.
ALTER TABLE items ADD COLUMN data_level TEXT;

-- Statistics and the digest read only the items with something in their period.
CREATE INDEX items_by_submitted ON items (workspace_id, submitted_at);
CREATE INDEX items_by_resolved ON items (workspace_id, resolved_at);
CREATE INDEX items_by_first_response ON items (workspace_id, first_response_at);
