-- +goose Up
-- A venue. Its theme colours are applied as CSS custom properties, so each
-- venue page, event and screen looks like the place it belongs to.
CREATE TABLE locations (
    id                    BIGINT        NOT NULL AUTO_INCREMENT,
    slug                  VARCHAR(100)  NOT NULL,
    position              INT           NOT NULL DEFAULT 0,
    theme_background      CHAR(7)       NOT NULL DEFAULT '#0d0b1a',
    theme_surface         CHAR(7)       NOT NULL DEFAULT '#1a1630',
    theme_text            CHAR(7)       NOT NULL DEFAULT '#f3efff',
    theme_accent          CHAR(7)       NOT NULL DEFAULT '#b18cff',
    background_media_id   BIGINT        NULL,
    stream_kind           ENUM('none','icecast','shoutcast','push') NOT NULL DEFAULT 'none',
    stream_status_url     VARCHAR(500)  NOT NULL DEFAULT '',
    stream_listen_url     VARCHAR(500)  NOT NULL DEFAULT '',
    teleport_url          VARCHAR(500)  NOT NULL DEFAULT '',
    -- sha256 of the bearer token DJ software uses to push now-playing.
    now_playing_token_sha256 CHAR(64)   NULL,
    screen_layout         ENUM('schedule','now-playing','split') NOT NULL DEFAULT 'split',
    screen_days_ahead     INT           NOT NULL DEFAULT 7,
    screen_rotate_seconds INT           NOT NULL DEFAULT 20,
    created_at            DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at            DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    version               INT           NOT NULL DEFAULT 1,
    PRIMARY KEY (id),
    UNIQUE KEY locations_slug (slug),
    CONSTRAINT locations_background FOREIGN KEY (background_media_id) REFERENCES media (id) ON DELETE SET NULL,
    CONSTRAINT locations_screen_days CHECK (screen_days_ahead BETWEEN 1 AND 60),
    CONSTRAINT locations_screen_rotate CHECK (screen_rotate_seconds BETWEEN 5 AND 3600)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE location_translations (
    location_id BIGINT        NOT NULL,
    lang        VARCHAR(8)    NOT NULL,
    name        VARCHAR(200)  NOT NULL,
    tagline     VARCHAR(300)  NOT NULL DEFAULT '',
    description TEXT          NOT NULL,
    PRIMARY KEY (location_id, lang),
    CONSTRAINT location_translations_location FOREIGN KEY (location_id) REFERENCES locations (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE location_translations;
DROP TABLE locations;
