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
