-- name: ArtistList :many
SELECT a.id, a.slug, a.name, a.photo_media_id, a.updated_at,
       d.genre, t.genre AS genre_tr
FROM artists a
JOIN artist_translations d ON d.artist_id = a.id AND d.lang = sqlc.arg(default_lang)
LEFT JOIN artist_translations t ON t.artist_id = a.id AND t.lang = sqlc.arg(lang)
ORDER BY a.name, a.id;

-- name: ArtistGetBySlug :one
SELECT a.id, a.slug, a.name, a.photo_media_id, a.updated_at,
       d.genre, d.bio, t.genre AS genre_tr, t.bio AS bio_tr
FROM artists a
JOIN artist_translations d ON d.artist_id = a.id AND d.lang = sqlc.arg(default_lang)
LEFT JOIN artist_translations t ON t.artist_id = a.id AND t.lang = sqlc.arg(lang)
WHERE a.slug = sqlc.arg(slug);

-- name: ArtistExistsBySlug :one
SELECT EXISTS (SELECT 1 FROM artists WHERE slug = ?);

-- name: ArtistLinkList :many
SELECT kind, url FROM artist_links WHERE artist_id = ? ORDER BY position;

-- name: ArtistInsert :execlastid
INSERT INTO artists (slug, name) VALUES (?, ?);

-- name: ArtistTranslationUpsert :exec
INSERT INTO artist_translations (artist_id, lang, genre, bio)
VALUES (?, ?, ?, ?)
ON DUPLICATE KEY UPDATE genre = VALUES(genre), bio = VALUES(bio);

-- name: ArtistLinkInsert :exec
INSERT INTO artist_links (artist_id, position, kind, url) VALUES (?, ?, ?, ?);

-- Back office: the writes of the artists service. Each write first locks
-- the row (ArtistLock), so the reads after it see the latest state.

-- name: ArtistLock :one
SELECT version FROM artists WHERE id = ? FOR UPDATE;

-- name: ArtistAdminGet :one
SELECT id, slug, name, photo_media_id, version, created_at, updated_at FROM artists WHERE id = ?;

-- name: ArtistAdminList :many
-- The back office's list, by name, optionally matching q (a LIKE pattern)
-- in name or slug, with the number of events each plays.
SELECT a.id, a.slug, a.name, a.photo_media_id, a.version, a.updated_at,
       (SELECT COUNT(*) FROM event_artists ea WHERE ea.artist_id = a.id) AS event_count
FROM artists a
WHERE (sqlc.narg(q) IS NULL OR a.name LIKE sqlc.narg(q) OR a.slug LIKE sqlc.narg(q))
ORDER BY a.name, a.id
LIMIT ? OFFSET ?;

-- name: ArtistAdminCount :one
SELECT COUNT(*) FROM artists a
WHERE (sqlc.narg(q) IS NULL OR a.name LIKE sqlc.narg(q) OR a.slug LIKE sqlc.narg(q));

-- name: ArtistIDByCreateKey :one
SELECT id FROM artists WHERE create_key = ?;

-- name: ArtistCreate :execlastid
INSERT INTO artists (slug, name, photo_media_id, create_key, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?);

-- name: ArtistUpdate :execrows
-- The slug stays what it was at creation.
UPDATE artists
SET name = ?, photo_media_id = ?, updated_at = sqlc.arg(updated_at), version = version + 1
WHERE id = sqlc.arg(id) AND version = sqlc.arg(version);

-- name: ArtistDelete :execrows
DELETE FROM artists WHERE id = ? AND version = ?;

-- name: ArtistTranslationList :many
SELECT lang, genre, bio FROM artist_translations WHERE artist_id = ? ORDER BY lang;

-- name: ArtistTranslationDelete :exec
DELETE FROM artist_translations WHERE artist_id = ? AND lang = ?;

-- name: ArtistLinkDeleteAll :exec
DELETE FROM artist_links WHERE artist_id = ?;

-- name: ArtistSlugsLike :many
SELECT slug FROM artists
WHERE (slug = sqlc.arg(base) OR slug LIKE CONCAT(sqlc.arg(base), '-%')) AND id <> sqlc.arg(id);

-- name: ArtistMediaIsImage :one
SELECT EXISTS (SELECT 1 FROM media WHERE id = ? AND content_type LIKE 'image/%');

-- name: ArtistUpcomingEvents :many
-- Events not yet over that the artist plays and that are not cancelled:
-- they block deleting the artist.
SELECT e.id, e.slug FROM event_artists ea JOIN events e ON e.id = ea.event_id
WHERE ea.artist_id = sqlc.arg(artist_id) AND e.ends_at > sqlc.arg(now) AND e.cancelled_at IS NULL
ORDER BY e.starts_at;

-- name: ArtistVisibleEvents :many
-- Published events not yet over that show the artist in their lineup, with
-- their venues: what a change of the artist's name or genre shows up on.
SELECT e.id, l.slug AS location_slug
FROM event_artists ea
JOIN events e ON e.id = ea.event_id
JOIN locations l ON l.id = e.location_id
WHERE ea.artist_id = sqlc.arg(artist_id) AND e.published = TRUE AND e.ends_at > sqlc.arg(now)
ORDER BY e.starts_at
LIMIT 200;
