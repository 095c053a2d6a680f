-- Follow-through (SPEC §5): nudges, realised value and the AI register.
-- The PostgreSQL twin is migrations/postgres/0008_follow_through.sql: keep both in step.
--
-- Facts are events: a reminder sent (`nudged`, its kind, key and addressee in `detail`), the
-- answer to the realised-value check-in (`value_confirmed` with the amount, `no_effect`,
-- `no_longer_used`), a register review (`reviewed`) and a retirement (`retired`). A person's
-- snooze is an admin event (`snooze`). The workspace's follow-through settings are one JSON
-- column, whose absent keys take their defaults.

ALTER TABLE workspaces ADD COLUMN follow TEXT NOT NULL DEFAULT '{}';

-- A reminder is recorded once per item and key: whoever inserts it first (a replica, a run
-- after a restart) sends it, in the same transaction; everyone else inserts nothing.
CREATE UNIQUE INDEX events_nudged_once ON events (item_id, detail) WHERE kind = 'nudged';

-- The snooze of a person: their latest `snooze` admin event.
CREATE INDEX events_by_actor ON events (workspace_id, actor, kind);
