-- +goose Up
-- The clean-up job deletes old sent, cancelled and failed mail in batches
-- by status and age; without this index each batch would scan the queue.
CREATE INDEX notification_queue_status_created ON notification_queue (status, created_at);

-- +goose Down
DROP INDEX notification_queue_status_created ON notification_queue;
