-- name: EventList :many
-- The programme: published events overlapping [range_start, range_end), with
-- optional venue, kind and artist filters, in start order. starts_from
-- keeps only events that start at or after it ("what is next"). Each row
-- says whether the event is cancelled and how many rows match in all, so a
-- page of the programme costs one query, not a count, a list and a look-up
-- of the cancelled; only a page past the last needs EventCount.
SELECT e.id, e.slug, e.kind, e.starts_at, e.ends_at, e.updated_at, e.cover_media_id,
       d.title, d.summary, t.title AS title_tr, t.summary AS summary_tr,
       l.slug AS location_slug, l.theme_accent AS location_accent,
       ld.name AS location_name, lt.name AS location_name_tr,
       e.cancelled_at IS NOT NULL AS cancelled,
       CAST(COUNT(*) OVER () AS SIGNED) AS total
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
-- Events that have ended, newest first, for artist and venue pages, with
-- the same columns as EventList.
SELECT e.id, e.slug, e.kind, e.starts_at, e.ends_at, e.updated_at, e.cover_media_id,
       d.title, d.summary, t.title AS title_tr, t.summary AS summary_tr,
       l.slug AS location_slug, l.theme_accent AS location_accent,
       ld.name AS location_name, lt.name AS location_name_tr,
       e.cancelled_at IS NOT NULL AS cancelled,
       CAST(COUNT(*) OVER () AS SIGNED) AS total
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
       ld.name AS location_name, lt.name AS location_name_tr, e.cancelled_at IS NOT NULL AS cancelled
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
ORDER BY ea.event_id, ea.position, ea.set_starts_at, ea.artist_id;

-- The programme index (app/events/index.go) holds what EventList and
-- EventArtistListByEvents show of every published event, and answers the
-- programme without a query. It loads with these, in one transaction; they
-- join as those two do, so a text falls back to the default language in the
-- same way, and an event or act without a default-language text is left
-- out in the same way. A build reads every event (every_event); a patch
-- after a change reads only the events named in event_ids.

-- name: EventIndexList :many
-- Every published event EventList can list, in its order, with the texts
-- of the default language.
SELECT e.id, e.slug, e.kind, e.starts_at, e.ends_at, e.updated_at, e.cover_media_id, e.location_id,
       d.title, d.summary, e.cancelled_at IS NOT NULL AS cancelled
FROM events e
JOIN event_translations d ON d.event_id = e.id AND d.lang = sqlc.arg(default_lang)
JOIN locations l ON l.id = e.location_id
JOIN location_translations ld ON ld.location_id = l.id AND ld.lang = sqlc.arg(default_lang)
WHERE e.published = TRUE
  AND (CAST(sqlc.arg(every_event) AS UNSIGNED) = 1 OR e.id IN (sqlc.slice(event_ids)))
ORDER BY e.starts_at, e.id;

-- name: EventIndexTranslations :many
-- The texts of published events in lang.
SELECT t.event_id, t.title, t.summary
FROM event_translations t
JOIN events e ON e.id = t.event_id
WHERE e.published = TRUE AND t.lang = sqlc.arg(lang)
  AND (CAST(sqlc.arg(every_event) AS UNSIGNED) = 1 OR e.id IN (sqlc.slice(event_ids)));

-- name: EventIndexLocations :many
-- Every venue, with its name in the default language and in lang.
SELECT l.id, l.slug, l.theme_accent, ld.name, lt.name AS name_tr
FROM locations l
LEFT JOIN location_translations ld ON ld.location_id = l.id AND ld.lang = sqlc.arg(default_lang)
LEFT JOIN location_translations lt ON lt.location_id = l.id AND lt.lang = sqlc.arg(lang)
ORDER BY l.id;

-- name: EventIndexArtists :many
-- Every artist, with their genre in the default language and in lang.
SELECT a.id, a.slug, a.name, d.genre, t.genre AS genre_tr
FROM artists a
LEFT JOIN artist_translations d ON d.artist_id = a.id AND d.lang = sqlc.arg(default_lang)
LEFT JOIN artist_translations t ON t.artist_id = a.id AND t.lang = sqlc.arg(lang)
ORDER BY a.id;

-- name: EventIndexLineups :many
-- The lineups of published events, in EventArtistListByEvents' order.
SELECT ea.event_id, ea.artist_id, ea.set_starts_at, ea.set_ends_at
FROM event_artists ea
JOIN events e ON e.id = ea.event_id
WHERE e.published = TRUE
  AND (CAST(sqlc.arg(every_event) AS UNSIGNED) = 1 OR e.id IN (sqlc.slice(event_ids)))
ORDER BY ea.event_id, ea.position, ea.set_starts_at, ea.artist_id;

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

-- Back office: the writes of the events service and the admin views. Every
-- write runs in one transaction that first locks the event row (EventLock),
-- so the reads after it see the latest committed state.

-- name: EventLock :one
SELECT version FROM events WHERE id = ? FOR UPDATE;

-- name: EventAdminGet :one
SELECT e.id, e.slug, e.kind, e.location_id, l.slug AS location_slug, e.starts_at, e.ends_at,
       e.published, e.cancelled_at, e.first_published_at, e.allow_overlap, e.cover_media_id,
       e.version, e.created_at, e.updated_at
FROM events e
JOIN locations l ON l.id = e.location_id
WHERE e.id = ?;

-- name: EventIDByCreateKey :one
SELECT id FROM events WHERE create_key = ?;

-- name: EventCreate :execlastid
INSERT INTO events (slug, kind, location_id, starts_at, ends_at, published, cancelled_at, first_published_at,
                    allow_overlap, cover_media_id, create_key, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: EventUpdate :execrows
-- Writes every editable column at once; the version guards against a
-- colleague's change made since the editor read the row.
UPDATE events
SET slug = ?, kind = ?, location_id = ?, starts_at = ?, ends_at = ?, published = ?,
    cancelled_at = ?, first_published_at = ?, allow_overlap = ?, cover_media_id = ?,
    updated_at = sqlc.arg(updated_at), version = version + 1
WHERE id = sqlc.arg(id) AND version = sqlc.arg(version);

-- name: EventDelete :execrows
DELETE FROM events WHERE id = ? AND version = ?;

-- name: EventTranslationList :many
SELECT lang, title, summary, description FROM event_translations WHERE event_id = ? ORDER BY lang;

-- name: EventTranslationDelete :exec
DELETE FROM event_translations WHERE event_id = ? AND lang = ?;

-- name: EventArtistListForEvent :many
SELECT ea.artist_id, a.slug AS artist_slug, a.name AS artist_name, ea.position, ea.set_starts_at, ea.set_ends_at
FROM event_artists ea
JOIN artists a ON a.id = ea.artist_id
WHERE ea.event_id = ?
ORDER BY ea.position, ea.artist_id;

-- name: EventArtistDeleteAll :exec
DELETE FROM event_artists WHERE event_id = ?;

-- name: EventArtistsExisting :many
-- Which of the given artists exist, to name the missing ones in the form.
SELECT id, slug, name FROM artists WHERE id IN (sqlc.slice(ids));

-- name: EventSlugsLike :many
-- Slugs that a new slug base would collide with: base itself and base-N.
SELECT slug FROM events
WHERE (slug = sqlc.arg(base) OR slug LIKE CONCAT(sqlc.arg(base), '-%')) AND id <> sqlc.arg(id);

-- name: EventLocationLock :one
-- Locks the venue so two writers cannot both find a time slot free.
SELECT slug FROM locations WHERE id = ? FOR UPDATE;

-- name: EventLocationIDBySlug :one
SELECT id FROM locations WHERE slug = ?;

-- name: EventMediaIsImage :one
SELECT EXISTS (SELECT 1 FROM media WHERE id = ? AND content_type LIKE 'image/%');

-- name: EventOverlapping :many
-- Events at a venue that share time with [starts_at, ends_at), other than
-- the one being saved. A locking read: it must see rows committed after
-- this transaction's snapshot was taken.
SELECT e.id, e.slug, e.allow_overlap, COALESCE(d.title, '') AS title
FROM events e
LEFT JOIN event_translations d ON d.event_id = e.id AND d.lang = sqlc.arg(default_lang)
WHERE e.location_id = sqlc.arg(location_id) AND e.id <> sqlc.arg(id) AND e.cancelled_at IS NULL
  AND e.starts_at < sqlc.arg(ends_at) AND e.ends_at > sqlc.arg(starts_at)
  AND e.starts_at > sqlc.arg(starts_at) - INTERVAL 7 DAY
ORDER BY e.starts_at, e.id
LIMIT 20
FOR UPDATE;

-- name: EventAdminList :many
-- The back office's list: drafts too, by status, venue, kind, time, or a
-- search in slugs and titles (q is a LIKE pattern), in the asked order.
SELECT e.id, e.slug, e.kind, e.starts_at, e.ends_at, e.published, e.cancelled_at, e.version, e.updated_at,
       l.slug AS location_slug, ld.name AS location_name, lt.name AS location_name_tr,
       d.title, t.title AS title_tr
FROM events e
JOIN locations l ON l.id = e.location_id
LEFT JOIN location_translations ld ON ld.location_id = l.id AND ld.lang = sqlc.arg(default_lang)
LEFT JOIN location_translations lt ON lt.location_id = l.id AND lt.lang = sqlc.arg(lang)
LEFT JOIN event_translations d ON d.event_id = e.id AND d.lang = sqlc.arg(default_lang)
LEFT JOIN event_translations t ON t.event_id = e.id AND t.lang = sqlc.arg(lang)
WHERE (sqlc.narg(q) IS NULL OR e.slug LIKE sqlc.narg(q) OR EXISTS (
        SELECT 1 FROM event_translations s WHERE s.event_id = e.id AND s.title LIKE sqlc.narg(q)))
  AND (CAST(sqlc.arg(status) AS CHAR) = 'all'
    OR (CAST(sqlc.arg(status) AS CHAR) = 'draft' AND e.published = FALSE AND e.cancelled_at IS NULL)
    OR (CAST(sqlc.arg(status) AS CHAR) = 'published' AND e.published = TRUE AND e.cancelled_at IS NULL)
    OR (CAST(sqlc.arg(status) AS CHAR) = 'cancelled' AND e.cancelled_at IS NOT NULL)
    OR (CAST(sqlc.arg(status) AS CHAR) = 'past' AND e.ends_at <= sqlc.arg(now))
    OR (CAST(sqlc.arg(status) AS CHAR) = 'upcoming' AND e.ends_at > sqlc.arg(now)))
  AND (sqlc.narg(location_slug) IS NULL OR l.slug = sqlc.narg(location_slug))
  AND (sqlc.narg(kind) IS NULL OR e.kind = sqlc.narg(kind))
  AND (sqlc.narg(range_start) IS NULL OR e.ends_at > sqlc.narg(range_start))
  AND (sqlc.narg(range_end) IS NULL OR e.starts_at < sqlc.narg(range_end))
ORDER BY
  CASE WHEN CAST(sqlc.arg(sort) AS CHAR) = 'starts_at' THEN e.starts_at END ASC,
  CASE WHEN CAST(sqlc.arg(sort) AS CHAR) = '-starts_at' THEN e.starts_at END DESC,
  CASE WHEN CAST(sqlc.arg(sort) AS CHAR) = 'title' THEN COALESCE(d.title, '') END ASC,
  CASE WHEN CAST(sqlc.arg(sort) AS CHAR) = 'updated' THEN e.updated_at END DESC,
  e.starts_at, e.id
LIMIT ? OFFSET ?;

-- name: EventAdminCount :one
-- The same rows as EventAdminList.
SELECT COUNT(*)
FROM events e
JOIN locations l ON l.id = e.location_id
WHERE (sqlc.narg(q) IS NULL OR e.slug LIKE sqlc.narg(q) OR EXISTS (
        SELECT 1 FROM event_translations s WHERE s.event_id = e.id AND s.title LIKE sqlc.narg(q)))
  AND (CAST(sqlc.arg(status) AS CHAR) = 'all'
    OR (CAST(sqlc.arg(status) AS CHAR) = 'draft' AND e.published = FALSE AND e.cancelled_at IS NULL)
    OR (CAST(sqlc.arg(status) AS CHAR) = 'published' AND e.published = TRUE AND e.cancelled_at IS NULL)
    OR (CAST(sqlc.arg(status) AS CHAR) = 'cancelled' AND e.cancelled_at IS NOT NULL)
    OR (CAST(sqlc.arg(status) AS CHAR) = 'past' AND e.ends_at <= sqlc.arg(now))
    OR (CAST(sqlc.arg(status) AS CHAR) = 'upcoming' AND e.ends_at > sqlc.arg(now)))
  AND (sqlc.narg(location_slug) IS NULL OR l.slug = sqlc.narg(location_slug))
  AND (sqlc.narg(kind) IS NULL OR e.kind = sqlc.narg(kind))
  AND (sqlc.narg(range_start) IS NULL OR e.ends_at > sqlc.narg(range_start))
  AND (sqlc.narg(range_end) IS NULL OR e.starts_at < sqlc.narg(range_end));

-- name: EventListForArtist :many
-- The events an artist plays that are not over yet and not called off,
-- drafts too, with their set times, in start order: the artist's own page
-- in the back office.
SELECT e.id, e.slug, e.starts_at, e.ends_at, e.published, e.version,
       ea.set_starts_at, ea.set_ends_at,
       d.title, t.title AS title_tr, ld.name AS location_name, lt.name AS location_name_tr
FROM event_artists ea
JOIN events e ON e.id = ea.event_id
JOIN locations l ON l.id = e.location_id
LEFT JOIN location_translations ld ON ld.location_id = l.id AND ld.lang = sqlc.arg(default_lang)
LEFT JOIN location_translations lt ON lt.location_id = l.id AND lt.lang = sqlc.arg(lang)
LEFT JOIN event_translations d ON d.event_id = e.id AND d.lang = sqlc.arg(default_lang)
LEFT JOIN event_translations t ON t.event_id = e.id AND t.lang = sqlc.arg(lang)
WHERE ea.artist_id = sqlc.arg(artist_id) AND e.ends_at > sqlc.arg(now) AND e.cancelled_at IS NULL
ORDER BY e.starts_at, e.id
LIMIT ?;
