-- +goose Up
-- Content-addressed files: the sha256 of the bytes is the storage key, so the
-- same upload twice is stored once and a URL never changes meaning.
CREATE TABLE media (
    id            BIGINT       NOT NULL AUTO_INCREMENT,
    sha256        CHAR(64)     NOT NULL,
    content_type  VARCHAR(100) NOT NULL,
    size_bytes    BIGINT       NOT NULL,
    width         INT          NULL,
    height        INT          NULL,
    original_name VARCHAR(255) NOT NULL DEFAULT '',
    created_at    DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    UNIQUE KEY media_sha256 (sha256)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Alt text is language-dependent, so it lives beside the file per language.
CREATE TABLE media_translations (
    media_id BIGINT       NOT NULL,
    lang     VARCHAR(8)   NOT NULL,
    alt_text VARCHAR(500) NOT NULL,
    PRIMARY KEY (media_id, lang),
    CONSTRAINT media_translations_media FOREIGN KEY (media_id) REFERENCES media (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Resized renditions (thumbnails, cards), each itself content-addressed.
CREATE TABLE media_variants (
    media_id     BIGINT       NOT NULL,
    variant      VARCHAR(20)  NOT NULL,
    sha256       CHAR(64)     NOT NULL,
    content_type VARCHAR(100) NOT NULL,
    size_bytes   BIGINT       NOT NULL,
    width        INT          NOT NULL,
    height       INT          NOT NULL,
    PRIMARY KEY (media_id, variant),
    CONSTRAINT media_variants_media FOREIGN KEY (media_id) REFERENCES media (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE media_variants;
DROP TABLE media_translations;
DROP TABLE media;
