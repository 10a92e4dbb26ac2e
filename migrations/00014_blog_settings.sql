-- +goose Up
-- A post's slug follows its default-language title until the post has been
-- visible once; from then on links to it must keep working, even after an
-- unpublish, so the lock is kept in the row rather than derived from status.
ALTER TABLE blog_posts ADD COLUMN slug_locked BOOLEAN NOT NULL DEFAULT FALSE AFTER slug;
UPDATE blog_posts SET slug_locked = TRUE
WHERE status IN ('published', 'scheduled') AND publish_at IS NOT NULL AND publish_at <= UTC_TIMESTAMP();

-- Categories, settings and flags are edited inline like posts, so they carry
-- a version for optimistic locking too.
ALTER TABLE blog_categories ADD COLUMN version INT NOT NULL DEFAULT 1;
ALTER TABLE settings ADD COLUMN version INT NOT NULL DEFAULT 1;
ALTER TABLE feature_flags
    ADD COLUMN version INT NOT NULL DEFAULT 1,
    ADD COLUMN updated_by BIGINT NULL,
    ADD CONSTRAINT feature_flags_user FOREIGN KEY (updated_by) REFERENCES users (id) ON DELETE SET NULL;

-- +goose Down
ALTER TABLE feature_flags DROP FOREIGN KEY feature_flags_user;
ALTER TABLE feature_flags DROP COLUMN updated_by, DROP COLUMN version;
ALTER TABLE settings DROP COLUMN version;
ALTER TABLE blog_categories DROP COLUMN version;
ALTER TABLE blog_posts DROP COLUMN slug_locked;
