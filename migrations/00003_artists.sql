-- +goose Up
CREATE TABLE artists (
    id             BIGINT        NOT NULL AUTO_INCREMENT,
    slug           VARCHAR(100)  NOT NULL,
    name           VARCHAR(200)  NOT NULL,
    photo_media_id BIGINT        NULL,
    created_at     DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at     DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    version        INT           NOT NULL DEFAULT 1,
    PRIMARY KEY (id),
    UNIQUE KEY artists_slug (slug),
    KEY artists_name (name),
    CONSTRAINT artists_photo FOREIGN KEY (photo_media_id) REFERENCES media (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE artist_translations (
    artist_id   BIGINT        NOT NULL,
    lang        VARCHAR(8)    NOT NULL,
    genre       VARCHAR(200)  NOT NULL DEFAULT '',
    bio         TEXT          NOT NULL,
    PRIMARY KEY (artist_id, lang),
    CONSTRAINT artist_translations_artist FOREIGN KEY (artist_id) REFERENCES artists (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE artist_links (
    artist_id BIGINT        NOT NULL,
    position  INT           NOT NULL,
    kind      ENUM('website','soundcloud','mixcloud','bandcamp','instagram','youtube','spotify','other') NOT NULL,
    url       VARCHAR(500)  NOT NULL,
    PRIMARY KEY (artist_id, position),
    CONSTRAINT artist_links_artist FOREIGN KEY (artist_id) REFERENCES artists (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE artist_links;
DROP TABLE artist_translations;
DROP TABLE artists;
