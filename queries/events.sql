-- name: EventList :many
-- The programme: published events overlapping [range_start, range_end), with
-- optional venue, kind and artist filters, in start order. starts_from
-- keeps only events that start at or after it ("what is next").
SELECT e.id, e.slug, e.kind, e.starts_at, e.ends_at, e.updated_at, e.cover_media_id,
       d.title, d.summary, t.title AS title_tr, t.summary AS summary_tr,
       l.slug AS location_slug, l.theme_accent AS location_accent,
       ld.name AS location_name, lt.name AS location_name_tr
FROM events e
JOIN event_translations d ON d.event_id = e.id AND d.lang = sqlc.arg(default_lang)
LEFT JOIN event_translations t ON t.event_id = e.id AND t.lang = sqlc.arg(lang)
JOIN locations l ON l.id = e.location_id
JOIN location_translations ld ON ld.location_id = l.id AND ld.lang = sqlc.arg(default_lang)
LEFT JOIN location_translations lt ON lt.location_id = l.id AND lt.lang = sqlc.arg(lang)
WHERE e.published = TRUE
  AND e.ends_at > sqlc.arg(range_start) AND e.starts_at < sqlc.arg(range_end)
  -- No event lasts over a week (a CHECK says so): this bound lets the
  -- index on starts_at skip the whole past instead of reading it.
  AND e.starts_at > sqlc.arg(range_start) - INTERVAL 7 DAY
  AND (sqlc.narg(location_slug) IS NULL OR l.slug = sqlc.narg(location_slug))
  AND (sqlc.narg(kind) IS NULL OR e.kind = sqlc.narg(kind))
  AND (sqlc.narg(artist_slug) IS NULL OR EXISTS (
        SELECT 1 FROM event_artists ea JOIN artists a ON a.id = ea.artist_id
        WHERE ea.event_id = e.id AND a.slug = sqlc.narg(artist_slug)))
  AND (sqlc.narg(starts_from) IS NULL OR e.starts_at >= sqlc.narg(starts_from))
ORDER BY e.starts_at, e.id
LIMIT ? OFFSET ?;

-- name: EventCount :one
-- The same rows as EventList: those with a default-language text.
SELECT COUNT(*)
FROM events e
JOIN event_translations d ON d.event_id = e.id AND d.lang = sqlc.arg(default_lang)
JOIN locations l ON l.id = e.location_id
JOIN location_translations ld ON ld.location_id = l.id AND ld.lang = sqlc.arg(default_lang)
WHERE e.published = TRUE
  AND e.ends_at > sqlc.arg(range_start) AND e.starts_at < sqlc.arg(range_end)
  -- No event lasts over a week (a CHECK says so): this bound lets the
  -- index on starts_at skip the whole past instead of reading it.
  AND e.starts_at > sqlc.arg(range_start) - INTERVAL 7 DAY
  AND (sqlc.narg(location_slug) IS NULL OR l.slug = sqlc.narg(location_slug))
  AND (sqlc.narg(kind) IS NULL OR e.kind = sqlc.narg(kind))
  AND (sqlc.narg(artist_slug) IS NULL OR EXISTS (
        SELECT 1 FROM event_artists ea JOIN artists a ON a.id = ea.artist_id
        WHERE ea.event_id = e.id AND a.slug = sqlc.narg(artist_slug)));

-- name: EventListPast :many
-- Events that have ended, newest first, for artist and venue pages.
SELECT e.id, e.slug, e.kind, e.starts_at, e.ends_at, e.updated_at, e.cover_media_id,
       d.title, d.summary, t.title AS title_tr, t.summary AS summary_tr,
       l.slug AS location_slug, l.theme_accent AS location_accent,
       ld.name AS location_name, lt.name AS location_name_tr
FROM events e
JOIN event_translations d ON d.event_id = e.id AND d.lang = sqlc.arg(default_lang)
LEFT JOIN event_translations t ON t.event_id = e.id AND t.lang = sqlc.arg(lang)
JOIN locations l ON l.id = e.location_id
JOIN location_translations ld ON ld.location_id = l.id AND ld.lang = sqlc.arg(default_lang)
LEFT JOIN location_translations lt ON lt.location_id = l.id AND lt.lang = sqlc.arg(lang)
WHERE e.published = TRUE
  AND e.ends_at <= sqlc.arg(before)
  AND (sqlc.narg(location_slug) IS NULL OR l.slug = sqlc.narg(location_slug))
  AND (sqlc.narg(artist_slug) IS NULL OR EXISTS (
        SELECT 1 FROM event_artists ea JOIN artists a ON a.id = ea.artist_id
        WHERE ea.event_id = e.id AND a.slug = sqlc.narg(artist_slug)))
ORDER BY e.starts_at DESC, e.id DESC
LIMIT ?;

-- name: EventGetBySlug :one
SELECT e.id, e.slug, e.kind, e.starts_at, e.ends_at, e.published, e.cover_media_id, e.version, e.updated_at,
       d.title, d.summary, d.description,
       t.title AS title_tr, t.summary AS summary_tr, t.description AS description_tr,
       l.slug AS location_slug, l.theme_accent AS location_accent, l.teleport_url AS location_teleport_url,
       ld.name AS location_name, lt.name AS location_name_tr
FROM events e
JOIN event_translations d ON d.event_id = e.id AND d.lang = sqlc.arg(default_lang)
LEFT JOIN event_translations t ON t.event_id = e.id AND t.lang = sqlc.arg(lang)
JOIN locations l ON l.id = e.location_id
JOIN location_translations ld ON ld.location_id = l.id AND ld.lang = sqlc.arg(default_lang)
LEFT JOIN location_translations lt ON lt.location_id = l.id AND lt.lang = sqlc.arg(lang)
WHERE e.slug = sqlc.arg(slug);

-- name: EventArtistListByEvents :many
-- Lineups for a page of events at once, so a list costs two queries, not N+1.
SELECT ea.event_id, ea.position, ea.set_starts_at, ea.set_ends_at,
       a.id AS artist_id, a.slug AS artist_slug, a.name AS artist_name,
       d.genre, t.genre AS genre_tr
FROM event_artists ea
JOIN artists a ON a.id = ea.artist_id
JOIN artist_translations d ON d.artist_id = a.id AND d.lang = sqlc.arg(default_lang)
LEFT JOIN artist_translations t ON t.artist_id = a.id AND t.lang = sqlc.arg(lang)
WHERE ea.event_id IN (sqlc.slice(event_ids))
ORDER BY ea.event_id, ea.position, ea.set_starts_at;

-- name: EventInsert :execlastid
INSERT INTO events (slug, kind, location_id, starts_at, ends_at, published)
VALUES (?, ?, ?, ?, ?, ?);

-- name: EventTranslationUpsert :exec
INSERT INTO event_translations (event_id, lang, title, summary, description)
VALUES (?, ?, ?, ?, ?)
ON DUPLICATE KEY UPDATE title = VALUES(title), summary = VALUES(summary), description = VALUES(description);

-- name: EventArtistInsert :exec
INSERT INTO event_artists (event_id, artist_id, position, set_starts_at, set_ends_at)
VALUES (?, ?, ?, ?, ?);
