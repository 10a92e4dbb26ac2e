-- +goose Up
-- Who uploaded a file, so an artist may edit and delete what they uploaded
-- and nobody else's. NULL for the system, and for users since deleted.
ALTER TABLE media
    ADD COLUMN uploaded_by BIGINT NULL AFTER original_name,
    ADD CONSTRAINT media_uploaded_by FOREIGN KEY (uploaded_by) REFERENCES users (id) ON DELETE SET NULL;

-- The library lists the newest files first.
ALTER TABLE media ADD KEY media_created (created_at, id);

-- Before a file is deleted, the service asks whether another row still uses
-- it; variants of different originals can be the same bytes.
ALTER TABLE media_variants ADD KEY media_variants_sha256 (sha256);

-- +goose Down
ALTER TABLE media_variants DROP KEY media_variants_sha256;
ALTER TABLE media DROP KEY media_created;
ALTER TABLE media DROP FOREIGN KEY media_uploaded_by;
ALTER TABLE media DROP KEY media_uploaded_by;
ALTER TABLE media DROP COLUMN uploaded_by;
