-- +goose Up
-- What a venue's screen shows: a comma-separated list of its panels (the
-- service checks the names), and, when the screen is not public, the sha256
-- of its key: /screens/{slug} then needs ?key=..., and the key itself is
-- shown once, when it is set.
ALTER TABLE locations
    ADD COLUMN screen_panels VARCHAR(100) NOT NULL DEFAULT 'now-playing,current,next,clock,qr,announcements' AFTER screen_rotate_seconds,
    ADD COLUMN screen_key_sha256 CHAR(64) NULL AFTER screen_panels;

-- The lines a screen rotates through, per language, one per line; a
-- language without its own falls back to the default language's.
CREATE TABLE location_screen_announcements (
    location_id BIGINT       NOT NULL,
    lang        VARCHAR(8)   NOT NULL,
    body        TEXT         NOT NULL,
    PRIMARY KEY (location_id, lang),
    CONSTRAINT location_screen_announcements_location FOREIGN KEY (location_id) REFERENCES locations (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE location_screen_announcements;
ALTER TABLE locations DROP COLUMN screen_key_sha256, DROP COLUMN screen_panels;
