-- Every read takes the visitor's language and the default language: the
-- default translation must exist, the visitor's may not (then *_tr is NULL
-- and the service falls back).

-- name: LocationList :many
SELECT l.id, l.slug, l.position, l.theme_background, l.theme_surface, l.theme_text, l.theme_accent,
       l.stream_kind, l.stream_listen_url, l.teleport_url,
       l.screen_layout, l.screen_days_ahead, l.screen_rotate_seconds, l.updated_at, l.background_media_id,
       d.name, d.tagline, d.description,
       t.name AS name_tr, t.tagline AS tagline_tr, t.description AS description_tr
FROM locations l
JOIN location_translations d ON d.location_id = l.id AND d.lang = sqlc.arg(default_lang)
LEFT JOIN location_translations t ON t.location_id = l.id AND t.lang = sqlc.arg(lang)
ORDER BY l.position, l.slug;

-- name: LocationGetBySlug :one
SELECT l.id, l.slug, l.position, l.theme_background, l.theme_surface, l.theme_text, l.theme_accent,
       l.stream_kind, l.stream_listen_url, l.teleport_url,
       l.screen_layout, l.screen_days_ahead, l.screen_rotate_seconds, l.updated_at, l.background_media_id,
       d.name, d.tagline, d.description,
       t.name AS name_tr, t.tagline AS tagline_tr, t.description AS description_tr
FROM locations l
JOIN location_translations d ON d.location_id = l.id AND d.lang = sqlc.arg(default_lang)
LEFT JOIN location_translations t ON t.location_id = l.id AND t.lang = sqlc.arg(lang)
WHERE l.slug = sqlc.arg(slug);

-- name: LocationCount :one
SELECT COUNT(*) FROM locations;

-- name: LocationInsert :execlastid
INSERT INTO locations (slug, position, theme_background, theme_surface, theme_text, theme_accent,
                       stream_kind, stream_status_url, stream_listen_url, teleport_url,
                       screen_layout, screen_days_ahead, screen_rotate_seconds)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: LocationTranslationUpsert :exec
INSERT INTO location_translations (location_id, lang, name, tagline, description)
VALUES (?, ?, ?, ?, ?)
ON DUPLICATE KEY UPDATE name = VALUES(name), tagline = VALUES(tagline), description = VALUES(description);

-- name: LocationExistsBySlug :one
SELECT EXISTS (SELECT 1 FROM locations WHERE slug = ?);

-- Back office: the writes of the locations service. Each write first locks
-- the row (LocationLock), so the reads after it see the latest state.

-- name: LocationLock :one
SELECT version FROM locations WHERE id = ? FOR UPDATE;

-- name: LocationAdminGet :one
SELECT id, slug, position, theme_background, theme_surface, theme_text, theme_accent, background_media_id,
       stream_kind, stream_status_url, stream_listen_url, teleport_url,
       now_playing_token_sha256 IS NOT NULL AS has_now_playing_token, now_playing_token_rotated_at,
       screen_layout, screen_days_ahead, screen_rotate_seconds, version, created_at, updated_at
FROM locations
WHERE id = ?;

-- name: LocationAdminList :many
-- Every venue for the back office, with its name in lang when it has one
-- and its number of events (a venue with events cannot be deleted).
SELECT l.id, l.slug, l.position, l.theme_accent, l.stream_kind, l.version, l.updated_at,
       d.name, t.name AS name_tr,
       (SELECT COUNT(*) FROM events e WHERE e.location_id = l.id) AS event_count
FROM locations l
LEFT JOIN location_translations d ON d.location_id = l.id AND d.lang = sqlc.arg(default_lang)
LEFT JOIN location_translations t ON t.location_id = l.id AND t.lang = sqlc.arg(lang)
ORDER BY l.position, l.slug;

-- name: LocationIDByCreateKey :one
SELECT id FROM locations WHERE create_key = ?;

-- name: LocationCreate :execlastid
INSERT INTO locations (slug, position, theme_background, theme_surface, theme_text, theme_accent,
                       background_media_id, stream_kind, stream_status_url, stream_listen_url, teleport_url,
                       screen_layout, screen_days_ahead, screen_rotate_seconds, create_key, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: LocationUpdate :execrows
-- Every editable column at once; the slug stays what it was at creation.
UPDATE locations
SET position = ?, theme_background = ?, theme_surface = ?, theme_text = ?, theme_accent = ?,
    background_media_id = ?, stream_kind = ?, stream_status_url = ?, stream_listen_url = ?, teleport_url = ?,
    screen_layout = ?, screen_days_ahead = ?, screen_rotate_seconds = ?,
    updated_at = sqlc.arg(updated_at), version = version + 1
WHERE id = sqlc.arg(id) AND version = sqlc.arg(version);

-- name: LocationSetNowPlayingToken :execrows
UPDATE locations
SET now_playing_token_sha256 = ?, now_playing_token_rotated_at = ?
WHERE id = ?;

-- name: LocationIDByNowPlayingToken :one
SELECT id, slug FROM locations WHERE now_playing_token_sha256 = ?;

-- name: LocationDelete :execrows
DELETE FROM locations WHERE id = ? AND version = ?;

-- name: LocationEventCount :one
SELECT COUNT(*) FROM events WHERE location_id = ?;

-- name: LocationTranslationList :many
SELECT lang, name, tagline, description FROM location_translations WHERE location_id = ? ORDER BY lang;

-- name: LocationTranslationDelete :exec
DELETE FROM location_translations WHERE location_id = ? AND lang = ?;

-- name: LocationSlugsLike :many
SELECT slug FROM locations
WHERE (slug = sqlc.arg(base) OR slug LIKE CONCAT(sqlc.arg(base), '-%')) AND id <> sqlc.arg(id);

-- name: LocationMediaIsImage :one
SELECT EXISTS (SELECT 1 FROM media WHERE id = ? AND content_type LIKE 'image/%');

-- Venue screens (migrations/00015_screen_settings.sql).

-- name: LocationScreenGet :one
SELECT screen_panels, screen_key_sha256 FROM locations WHERE id = ?;

-- name: LocationScreenBySlug :one
-- What /screens/{slug} needs before it renders: the venue's screen key.
SELECT id, screen_panels, screen_key_sha256 FROM locations WHERE slug = ?;

-- name: LocationScreenSetPanels :execrows
UPDATE locations SET screen_panels = ? WHERE id = ?;

-- name: LocationScreenSetKey :execrows
UPDATE locations SET screen_key_sha256 = ?, version = version + 1 WHERE id = ?;

-- name: LocationScreenAnnouncementList :many
SELECT lang, body FROM location_screen_announcements WHERE location_id = ? ORDER BY lang;

-- name: LocationScreenAnnouncementUpsert :exec
INSERT INTO location_screen_announcements (location_id, lang, body) VALUES (?, ?, ?)
ON DUPLICATE KEY UPDATE body = VALUES(body);

-- name: LocationScreenAnnouncementDelete :exec
DELETE FROM location_screen_announcements WHERE location_id = ? AND lang = ?;
