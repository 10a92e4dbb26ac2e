-- name: MediaGet :one
SELECT id, sha256, content_type, size_bytes, width, height, original_name, uploaded_by, created_at
FROM media WHERE id = ?;

-- name: MediaGetBySHA :one
SELECT id, sha256, content_type, size_bytes, width, height, original_name, uploaded_by, created_at
FROM media WHERE sha256 = ?;

-- name: MediaList :many
-- The library, newest first. pattern is a LIKE pattern matching the
-- original name or an alt text in any language; NULL lists everything.
SELECT m.id, m.sha256, m.content_type, m.size_bytes, m.width, m.height, m.original_name, m.uploaded_by, m.created_at
FROM media m
WHERE sqlc.narg(pattern) IS NULL
   OR m.original_name LIKE sqlc.narg(pattern)
   OR EXISTS (SELECT 1 FROM media_translations t WHERE t.media_id = m.id AND t.alt_text LIKE sqlc.narg(pattern))
ORDER BY m.created_at DESC, m.id DESC
LIMIT ? OFFSET ?;

-- name: MediaCount :one
-- The same rows as MediaList.
SELECT COUNT(*)
FROM media m
WHERE sqlc.narg(pattern) IS NULL
   OR m.original_name LIKE sqlc.narg(pattern)
   OR EXISTS (SELECT 1 FROM media_translations t WHERE t.media_id = m.id AND t.alt_text LIKE sqlc.narg(pattern));

-- name: MediaInsert :execlastid
INSERT INTO media (sha256, content_type, size_bytes, width, height, original_name, uploaded_by, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?);

-- name: MediaDelete :execrows
DELETE FROM media WHERE id = ?;

-- name: MediaVariantInsert :exec
INSERT INTO media_variants (media_id, variant, sha256, content_type, size_bytes, width, height)
VALUES (?, ?, ?, ?, ?, ?, ?);

-- name: MediaVariantListByMedia :many
-- The variants of several files at once, smallest first.
SELECT media_id, variant, sha256, content_type, size_bytes, width, height
FROM media_variants
WHERE media_id IN (sqlc.slice(media_ids))
ORDER BY media_id, width, variant;

-- name: MediaTranslationListByMedia :many
SELECT media_id, lang, alt_text
FROM media_translations
WHERE media_id IN (sqlc.slice(media_ids))
ORDER BY media_id, lang;

-- name: MediaTranslationUpsert :exec
INSERT INTO media_translations (media_id, lang, alt_text)
VALUES (?, ?, ?)
ON DUPLICATE KEY UPDATE alt_text = VALUES(alt_text);

-- name: MediaTranslationDelete :exec
DELETE FROM media_translations WHERE media_id = ? AND lang = ?;

-- name: MediaTranslationGet :one
SELECT alt_text FROM media_translations WHERE media_id = ? AND lang = ?;

-- name: MediaImageList :many
-- What pages need to show several files: each variant, with the alt text
-- in the visitor's and in the default language. One query per page.
SELECT m.id, m.width, m.height,
       d.alt_text AS alt_default, t.alt_text AS alt_tr,
       v.variant, v.sha256, v.content_type, v.width AS variant_width, v.height AS variant_height
FROM media m
JOIN media_variants v ON v.media_id = m.id
LEFT JOIN media_translations d ON d.media_id = m.id AND d.lang = sqlc.arg(default_lang)
LEFT JOIN media_translations t ON t.media_id = m.id AND t.lang = sqlc.arg(lang)
WHERE m.id IN (sqlc.slice(ids))
ORDER BY m.id, v.width, v.variant;

-- name: MediaUsage :many
-- Everything that shows a file: an event's cover, an artist's photo, a
-- venue's background, a post's cover.
SELECT 'event' AS kind, e.id, e.slug FROM events e WHERE e.cover_media_id = sqlc.arg(id)
UNION ALL
SELECT 'artist' AS kind, a.id, a.slug FROM artists a WHERE a.photo_media_id = sqlc.arg(id)
UNION ALL
SELECT 'location' AS kind, l.id, l.slug FROM locations l WHERE l.background_media_id = sqlc.arg(id)
UNION ALL
SELECT 'post' AS kind, p.id, p.slug FROM blog_posts p WHERE p.cover_media_id = sqlc.arg(id)
ORDER BY kind, slug;

-- name: MediaFileUsed :one
-- Whether any file row still names the stored key sha.
SELECT EXISTS (SELECT 1 FROM media m WHERE m.sha256 = sqlc.arg(sha))
    OR EXISTS (SELECT 1 FROM media_variants v WHERE v.sha256 = sqlc.arg(sha));

-- name: MediaLock :one
-- Uploads and deletes that store or remove files take this lock, so one
-- never deletes a file another has just stored for a row it is inserting.
-- The name carries the database's, since locks are server-wide.
SELECT CAST(COALESCE(GET_LOCK(CONCAT('tdc-media:', LEFT(SHA1(DATABASE()), 20)), sqlc.arg(timeout_seconds)), 0) AS SIGNED) AS acquired;

-- name: MediaUnlock :one
SELECT CAST(COALESCE(RELEASE_LOCK(CONCAT('tdc-media:', LEFT(SHA1(DATABASE()), 20))), 0) AS SIGNED) AS released;
