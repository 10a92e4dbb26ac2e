-- name: SyncMark :exec
-- An event write concerns the integration: (re)queue its row now.
INSERT INTO sync_state (integration, entity_kind, entity_id, status, next_attempt_at, revision)
VALUES (?, 'event', ?, 'pending', sqlc.arg(now), 1)
ON DUPLICATE KEY UPDATE status = 'pending', attempts = 0, next_attempt_at = sqlc.arg(now),
    revision = revision + 1;

-- name: SyncAddOnce :exec
-- Queue the event once for good: a later write never queues it again.
INSERT IGNORE INTO sync_state (integration, entity_kind, entity_id, status, next_attempt_at, revision)
VALUES (?, 'event', ?, 'pending', sqlc.arg(now), 1);

-- name: SyncDue :many
SELECT entity_id, external_id, synced_version, attempts, revision, intent, intent_at
FROM sync_state
WHERE integration = ? AND entity_kind = 'event' AND status = 'pending' AND next_attempt_at <= sqlc.arg(now)
ORDER BY next_attempt_at, entity_id
LIMIT ?;

-- name: SyncGet :one
SELECT entity_id, external_id, synced_version, status, attempts, revision, intent, intent_at, last_error
FROM sync_state
WHERE integration = ? AND entity_kind = 'event' AND entity_id = ?;

-- name: SyncDone :execrows
-- The push of revision succeeded; a newer revision keeps the row pending.
UPDATE sync_state
SET status = ?, external_id = ?, synced_version = ?, attempts = 0, last_error = NULL,
    last_synced_at = sqlc.arg(now)
WHERE integration = ? AND entity_kind = 'event' AND entity_id = ? AND revision = ?;

-- name: SyncSetExternal :exec
-- The external id, kept whatever the revision: the object exists there.
UPDATE sync_state SET external_id = ?
WHERE integration = ? AND entity_kind = 'event' AND entity_id = ?;

-- name: SyncRetryLater :exec
UPDATE sync_state
SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?
WHERE integration = ? AND entity_kind = 'event' AND entity_id = ? AND status = 'pending';

-- name: SyncFail :exec
UPDATE sync_state
SET status = 'failed', attempts = attempts + 1, last_error = ?
WHERE integration = ? AND entity_kind = 'event' AND entity_id = ? AND revision = ?;

-- name: SyncSetIntent :execrows
UPDATE sync_state SET intent = ?, intent_at = ?
WHERE integration = ? AND entity_kind = 'event' AND entity_id = ? AND intent IS NULL;

-- name: SyncRequeue :execrows
-- An admin's retry of a failed row.
UPDATE sync_state SET status = 'pending', attempts = 0, next_attempt_at = sqlc.arg(now)
WHERE integration = ? AND entity_kind = 'event' AND entity_id = ? AND status = 'failed';

-- name: SyncCounts :many
SELECT status, CAST(COUNT(*) AS SIGNED) AS n
FROM sync_state WHERE integration = ? GROUP BY status;

-- name: SyncProblems :many
-- The rows that last went wrong, newest first, with the event to link to.
SELECT s.entity_id, s.status, s.attempts, s.last_error, s.next_attempt_at,
       COALESCE(e.slug, '') AS slug, COALESCE(d.title, '') AS title
FROM sync_state s
LEFT JOIN events e ON e.id = s.entity_id
LEFT JOIN event_translations d ON d.event_id = s.entity_id AND d.lang = sqlc.arg(default_lang)
WHERE s.integration = ? AND s.entity_kind = 'event' AND s.last_error IS NOT NULL
ORDER BY s.status = 'failed' DESC, s.next_attempt_at DESC
LIMIT ?;

-- name: SyncEventGet :one
-- An event as the integrations copy it, in the default language.
SELECT e.id, e.slug, e.starts_at, e.ends_at, e.published, e.cancelled_at IS NOT NULL AS cancelled,
       e.version, d.title, d.summary, d.description, l.slug AS location_slug, ld.name AS location_name
FROM events e
JOIN event_translations d ON d.event_id = e.id AND d.lang = sqlc.arg(default_lang)
JOIN locations l ON l.id = e.location_id
JOIN location_translations ld ON ld.location_id = l.id AND ld.lang = sqlc.arg(default_lang)
WHERE e.id = ?;

-- name: SyncEventIDsGoogle :many
-- Every event the calendar may hold: published ones and any it was told of.
SELECT id FROM events WHERE published = TRUE
UNION
SELECT entity_id FROM sync_state WHERE integration = 'google' AND entity_kind = 'event'
ORDER BY id;

-- name: EventSetGoogleID :exec
-- updated_at = updated_at: the copy's id is no revision of the event.
UPDATE events SET google_event_id = ?, updated_at = updated_at WHERE id = ?;

-- name: EventSetFacebookID :exec
UPDATE events SET facebook_event_id = ?, updated_at = updated_at WHERE id = ?;

-- name: IntegrationCursorGet :one
SELECT value FROM integration_cursors WHERE integration = ? AND name = ?;

-- name: IntegrationCursorSet :exec
INSERT INTO integration_cursors (integration, name, value) VALUES (?, ?, ?)
ON DUPLICATE KEY UPDATE value = VALUES(value);

-- name: IntegrationCursorDelete :exec
DELETE FROM integration_cursors WHERE integration = ? AND name = ?;

-- name: SyncClaim :execrows
-- Take a due row for one push: its next attempt moves past the push's
-- longest run, so no other instance takes it meanwhile, and a process that
-- dies mid-push leaves it due again once that time has passed.
UPDATE sync_state SET next_attempt_at = sqlc.arg(lease_until)
WHERE integration = ? AND entity_kind = 'event' AND entity_id = ? AND status = 'pending'
  AND next_attempt_at <= sqlc.arg(now);
