-- +goose Up
-- revision: every event write that concerns an integration bumps it. A job
-- marks a row synced only while it still holds the revision the job read,
-- so an edit made during a push is pushed on the next run, never lost.
-- intent, intent_at: what Facebook is about to be sent (the marker the post
-- carries, the event's URL), written and committed before the call. A row
-- with an intent and no external_id may have been posted by a process that
-- died before it could record the answer: look for the post before posting.
ALTER TABLE sync_state
    ADD COLUMN revision  INT          NOT NULL DEFAULT 0,
    ADD COLUMN intent    VARCHAR(512) NULL,
    ADD COLUMN intent_at DATETIME     NULL;

-- +goose Down
ALTER TABLE sync_state
    DROP COLUMN intent_at,
    DROP COLUMN intent,
    DROP COLUMN revision;
