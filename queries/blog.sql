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
