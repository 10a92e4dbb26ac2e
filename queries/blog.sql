-- A post is public when it is published or scheduled and its publish_at has
-- passed; sqlc.arg(now) comes from the service's clock.

-- name: BlogPostList :many
SELECT p.id, p.slug, p.publish_at, p.author_name, p.updated_at, p.cover_media_id,
       d.title, d.summary, t.title AS title_tr, t.summary AS summary_tr
FROM blog_posts p
JOIN blog_post_translations d ON d.post_id = p.id AND d.lang = sqlc.arg(default_lang)
LEFT JOIN blog_post_translations t ON t.post_id = p.id AND t.lang = sqlc.arg(lang)
WHERE p.status IN ('published', 'scheduled') AND p.publish_at <= sqlc.arg(now)
  AND (sqlc.narg(category_slug) IS NULL OR EXISTS (
        SELECT 1 FROM blog_post_categories pc JOIN blog_categories c ON c.id = pc.category_id
        WHERE pc.post_id = p.id AND c.slug = sqlc.narg(category_slug)))
ORDER BY p.publish_at DESC, p.id DESC
LIMIT ? OFFSET ?;

-- name: BlogPostCount :one
-- The same rows as BlogPostList: those with a default-language text.
SELECT COUNT(*)
FROM blog_posts p
JOIN blog_post_translations d ON d.post_id = p.id AND d.lang = sqlc.arg(default_lang)
WHERE p.status IN ('published', 'scheduled') AND p.publish_at <= sqlc.arg(now)
  AND (sqlc.narg(category_slug) IS NULL OR EXISTS (
        SELECT 1 FROM blog_post_categories pc JOIN blog_categories c ON c.id = pc.category_id
        WHERE pc.post_id = p.id AND c.slug = sqlc.narg(category_slug)));

-- name: BlogPostGetBySlug :one
SELECT p.id, p.slug, p.status, p.publish_at, p.author_name, p.version, p.updated_at, p.cover_media_id,
       d.title, d.summary, d.body_markdown,
       t.title AS title_tr, t.summary AS summary_tr, t.body_markdown AS body_markdown_tr
FROM blog_posts p
JOIN blog_post_translations d ON d.post_id = p.id AND d.lang = sqlc.arg(default_lang)
LEFT JOIN blog_post_translations t ON t.post_id = p.id AND t.lang = sqlc.arg(lang)
WHERE p.slug = sqlc.arg(slug);

-- name: BlogCategoryList :many
SELECT c.id, c.slug, d.name, d.description, t.name AS name_tr, t.description AS description_tr
FROM blog_categories c
JOIN blog_category_translations d ON d.category_id = c.id AND d.lang = sqlc.arg(default_lang)
LEFT JOIN blog_category_translations t ON t.category_id = c.id AND t.lang = sqlc.arg(lang)
ORDER BY c.position, c.slug;

-- name: BlogCategoryListByPosts :many
SELECT pc.post_id, c.slug, d.name, t.name AS name_tr
FROM blog_post_categories pc
JOIN blog_categories c ON c.id = pc.category_id
JOIN blog_category_translations d ON d.category_id = c.id AND d.lang = sqlc.arg(default_lang)
LEFT JOIN blog_category_translations t ON t.category_id = c.id AND t.lang = sqlc.arg(lang)
WHERE pc.post_id IN (sqlc.slice(post_ids))
ORDER BY pc.post_id, c.position, c.slug;

-- name: BlogCategoryInsert :execlastid
INSERT INTO blog_categories (slug, position) VALUES (?, ?);

-- name: BlogCategoryTranslationUpsert :exec
INSERT INTO blog_category_translations (category_id, lang, name, description)
VALUES (?, ?, ?, ?)
ON DUPLICATE KEY UPDATE name = VALUES(name), description = VALUES(description);

-- name: BlogPostInsert :execlastid
INSERT INTO blog_posts (slug, status, publish_at, author_name) VALUES (?, ?, ?, ?);

-- name: BlogPostTranslationUpsert :exec
INSERT INTO blog_post_translations (post_id, lang, title, summary, body_markdown)
VALUES (?, ?, ?, ?, ?)
ON DUPLICATE KEY UPDATE title = VALUES(title), summary = VALUES(summary), body_markdown = VALUES(body_markdown);

-- name: BlogPostCategoryInsert :exec
INSERT INTO blog_post_categories (post_id, category_id) VALUES (?, ?);

-- Back office: every post whatever its state, texts in every language.

-- name: BlogPostAdminGet :one
SELECT p.id, p.slug, p.slug_locked, p.status, p.publish_at, p.author_id, p.author_name,
       p.cover_media_id, p.created_at, p.updated_at, p.version
FROM blog_posts p
WHERE p.id = ?;

-- name: BlogPostTranslationListByPost :many
SELECT lang, title, summary, body_markdown
FROM blog_post_translations
WHERE post_id = ?
ORDER BY lang;

-- name: BlogPostCategoryIDs :many
SELECT category_id FROM blog_post_categories WHERE post_id = ? ORDER BY category_id;

-- sqlc cannot type a parameter only compared with a literal, so sort arrives
-- as interface{}; the service passes one of its Sort constants.
-- name: BlogPostAdminList :many
SELECT p.id, p.slug, p.status, p.publish_at, p.author_name, p.updated_at, p.version
FROM blog_posts p
LEFT JOIN blog_post_translations d ON d.post_id = p.id AND d.lang = sqlc.arg(default_lang)
WHERE (sqlc.narg(status) IS NULL OR p.status = sqlc.narg(status))
  AND (sqlc.narg(category_id) IS NULL OR EXISTS (
        SELECT 1 FROM blog_post_categories pc WHERE pc.post_id = p.id AND pc.category_id = sqlc.narg(category_id)))
  AND (sqlc.narg(q) IS NULL OR p.slug LIKE sqlc.narg(q) OR EXISTS (
        SELECT 1 FROM blog_post_translations t WHERE t.post_id = p.id AND t.title LIKE sqlc.narg(q)))
ORDER BY
  CASE WHEN sqlc.arg(sort) = 'title' THEN COALESCE(d.title, '') END ASC,
  CASE WHEN sqlc.arg(sort) = 'publish_at' THEN p.publish_at END DESC,
  CASE WHEN sqlc.arg(sort) = 'created' THEN p.created_at END DESC,
  p.updated_at DESC, p.id DESC
LIMIT ? OFFSET ?;

-- name: BlogPostAdminCount :one
SELECT COUNT(*)
FROM blog_posts p
WHERE (sqlc.narg(status) IS NULL OR p.status = sqlc.narg(status))
  AND (sqlc.narg(category_id) IS NULL OR EXISTS (
        SELECT 1 FROM blog_post_categories pc WHERE pc.post_id = p.id AND pc.category_id = sqlc.narg(category_id)))
  AND (sqlc.narg(q) IS NULL OR p.slug LIKE sqlc.narg(q) OR EXISTS (
        SELECT 1 FROM blog_post_translations t WHERE t.post_id = p.id AND t.title LIKE sqlc.narg(q)));

-- name: BlogPostTitlesByPosts :many
SELECT post_id, lang, title FROM blog_post_translations
WHERE post_id IN (sqlc.slice(post_ids))
ORDER BY post_id, lang;

-- name: BlogPostScheduledList :many
SELECT p.id, p.slug, p.status, p.publish_at, p.author_name, p.updated_at, p.version
FROM blog_posts p
WHERE p.status = 'scheduled' AND p.publish_at > sqlc.arg(now)
ORDER BY p.publish_at, p.id
LIMIT ?;

-- Slugs equal to base or of the form base-N, for picking the next free one.
-- name: BlogPostSlugsLike :many
SELECT slug FROM blog_posts
WHERE (slug = sqlc.arg(base) OR slug LIKE CONCAT(sqlc.arg(base), '-%')) AND id <> sqlc.arg(id);

-- name: BlogPostCreate :execlastid
INSERT INTO blog_posts (slug, slug_locked, status, publish_at, author_id, author_name, cover_media_id, created_at, updated_at)
VALUES (?, FALSE, 'draft', NULL, ?, ?, ?, sqlc.arg(now), sqlc.arg(now));

-- name: BlogPostUpdate :execrows
UPDATE blog_posts
SET slug = ?, slug_locked = ?, status = ?, publish_at = ?, author_name = ?, cover_media_id = ?,
    updated_at = sqlc.arg(now), version = version + 1
WHERE id = sqlc.arg(id) AND version = sqlc.arg(version);

-- name: BlogPostDelete :execrows
DELETE FROM blog_posts WHERE id = ? AND version = ?;

-- name: BlogPostTranslationDelete :exec
DELETE FROM blog_post_translations WHERE post_id = ? AND lang = ?;

-- name: BlogPostCategoryDeleteAll :exec
DELETE FROM blog_post_categories WHERE post_id = ?;

-- name: BlogMediaExists :one
SELECT EXISTS (SELECT 1 FROM media WHERE id = ?);

-- name: BlogUserDisplayName :one
SELECT display_name FROM users WHERE id = ?;

-- name: BlogCategoryIDsExisting :many
SELECT id FROM blog_categories WHERE id IN (sqlc.slice(ids));

-- name: BlogCategoryAdminGet :one
SELECT id, slug, position, version FROM blog_categories WHERE id = ?;

-- name: BlogCategoryTranslationListByCategory :many
SELECT lang, name, description FROM blog_category_translations WHERE category_id = ? ORDER BY lang;

-- name: BlogCategoryAdminList :many
SELECT c.id, c.slug, c.position, c.version,
       (SELECT COUNT(*) FROM blog_post_categories pc WHERE pc.category_id = c.id) AS post_count
FROM blog_categories c
ORDER BY c.position, c.slug;

-- name: BlogCategoryTranslationListAll :many
SELECT category_id, lang, name, description FROM blog_category_translations ORDER BY category_id, lang;

-- name: BlogCategorySlugsLike :many
SELECT slug FROM blog_categories WHERE slug = sqlc.arg(base) OR slug LIKE CONCAT(sqlc.arg(base), '-%');

-- name: BlogCategoryUpdate :execrows
UPDATE blog_categories SET position = ?, version = version + 1
WHERE id = sqlc.arg(id) AND version = sqlc.arg(version);

-- name: BlogCategoryTranslationDelete :exec
DELETE FROM blog_category_translations WHERE category_id = ? AND lang = ?;

-- name: BlogCategoryPostCount :one
SELECT COUNT(*) FROM blog_post_categories WHERE category_id = ?;

-- name: BlogCategoryDelete :execrows
DELETE FROM blog_categories WHERE id = ? AND version = ?;

-- BlogPostListDue lists scheduled posts whose time has come, for the job
-- that marks them published.
-- name: BlogPostListDue :many
SELECT id, version FROM blog_posts
WHERE status = 'scheduled' AND publish_at <= ?
ORDER BY publish_at, id
LIMIT 100;
