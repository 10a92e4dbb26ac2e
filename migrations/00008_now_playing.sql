-- +goose Up
-- The current track per venue, and what played before it.
CREATE TABLE now_playing (
    location_id BIGINT        NOT NULL,
    artist      VARCHAR(255)  NOT NULL DEFAULT '',
    title       VARCHAR(255)  NOT NULL DEFAULT '',
    source      ENUM('icecast','shoutcast','push','manual') NOT NULL,
    started_at  DATETIME      NOT NULL,
    updated_at  DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    PRIMARY KEY (location_id),
    CONSTRAINT now_playing_location FOREIGN KEY (location_id) REFERENCES locations (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE now_playing_history (
    id          BIGINT        NOT NULL AUTO_INCREMENT,
    location_id BIGINT        NOT NULL,
    artist      VARCHAR(255)  NOT NULL DEFAULT '',
    title       VARCHAR(255)  NOT NULL DEFAULT '',
    source      ENUM('icecast','shoutcast','push','manual') NOT NULL,
    started_at  DATETIME      NOT NULL,
    ended_at    DATETIME      NULL,
    PRIMARY KEY (id),
    KEY now_playing_history_location (location_id, started_at),
    CONSTRAINT now_playing_history_location FOREIGN KEY (location_id) REFERENCES locations (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE now_playing_history;
DROP TABLE now_playing;
