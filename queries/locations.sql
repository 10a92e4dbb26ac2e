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
