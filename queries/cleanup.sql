-- The clean-up job's deletes. Each removes at most LIMIT rows, so
-- a large backlog is cleared in short statements that hold no long locks.

-- name: CleanupTokens :execrows
-- Mailed tokens that expired before the cutoff, used or not.
DELETE FROM user_tokens WHERE expires_at < sqlc.arg(cutoff) LIMIT ?;

-- name: CleanupNotifications :execrows
-- Mail in one final status (sent, cancelled, failed) queued before the cutoff.
DELETE FROM notification_queue WHERE status = sqlc.arg(status) AND created_at < sqlc.arg(cutoff) LIMIT ?;
