-- +goose Up
-- Times are UTC. version guards inline edits against lost updates.
CREATE TABLE events (
    id                BIGINT        NOT NULL AUTO_INCREMENT,
    slug              VARCHAR(150)  NOT NULL,
    kind              ENUM('live','dj_set','party','talk','other') NOT NULL DEFAULT 'dj_set',
    location_id       BIGINT        NOT NULL,
    starts_at         DATETIME      NOT NULL,
    ends_at           DATETIME      NOT NULL,
    published         BOOLEAN       NOT NULL DEFAULT FALSE,
    cover_media_id    BIGINT        NULL,
    google_event_id   VARCHAR(255)  NULL,
    facebook_event_id VARCHAR(64)   NULL,
    created_at        DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at        DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    version           INT           NOT NULL DEFAULT 1,
    PRIMARY KEY (id),
    UNIQUE KEY events_slug (slug),
    -- The programme, home page and feeds read published events by time,
    -- across all venues or for one venue.
    KEY events_published_starts (published, starts_at),
    KEY events_location_published_starts (location_id, published, starts_at),
    -- "Happening now" looks for published events that have not ended yet.
    KEY events_published_ends (published, ends_at),
    CONSTRAINT events_location FOREIGN KEY (location_id) REFERENCES locations (id),
    CONSTRAINT events_cover FOREIGN KEY (cover_media_id) REFERENCES media (id) ON DELETE SET NULL,
    CONSTRAINT events_time_order CHECK (ends_at > starts_at),
    -- The programme query relies on it to bound its index range.
    CONSTRAINT events_at_most_a_week CHECK (ends_at <= starts_at + INTERVAL 7 DAY)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE event_translations (
    event_id    BIGINT        NOT NULL,
    lang        VARCHAR(8)    NOT NULL,
    title       VARCHAR(200)  NOT NULL,
    summary     VARCHAR(500)  NOT NULL DEFAULT '',
    description TEXT          NOT NULL,
    PRIMARY KEY (event_id, lang),
    CONSTRAINT event_translations_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The lineup: who plays, in which order, and when each set starts.
CREATE TABLE event_artists (
    event_id      BIGINT   NOT NULL,
    artist_id     BIGINT   NOT NULL,
    position      INT      NOT NULL DEFAULT 0,
    set_starts_at DATETIME NULL,
    set_ends_at   DATETIME NULL,
    PRIMARY KEY (event_id, artist_id),
    KEY event_artists_artist (artist_id, event_id),
    CONSTRAINT event_artists_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE,
    CONSTRAINT event_artists_artist FOREIGN KEY (artist_id) REFERENCES artists (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE event_artists;
DROP TABLE event_translations;
DROP TABLE events;
