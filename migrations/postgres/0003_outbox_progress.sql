-- A long message goes out in several parts (a digest split over Slack messages or Discord
-- embeds). parts_sent counts the parts already delivered, so a retry after a failure part-way
-- sends only the rest and never repeats a part that arrived.
ALTER TABLE outbox ADD COLUMN parts_sent BIGINT NOT NULL DEFAULT 0;
