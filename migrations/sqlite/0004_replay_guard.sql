-- Replay guard shared by replicas: a request key (a Slack signature with its timestamp, an Events
-- API event id, a Socket Mode envelope id, a Discord interaction id) is claimed here once, by one
-- INSERT … ON CONFLICT DO NOTHING; whoever inserted it handles the request, a retry reaching any
-- replica finds it. Keys past expires_at are deleted by the forget_replay_keys job.
CREATE TABLE replay_keys (
    key        TEXT PRIMARY KEY,
    expires_at TEXT NOT NULL
);
CREATE INDEX replay_keys_expiry ON replay_keys (expires_at);
