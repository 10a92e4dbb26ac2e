-- +goose Up
-- What the back office needs to edit events, venues and artists safely.
--
-- cancelled_at: a cancelled event stays on the programme, marked, instead of
-- vanishing; NULL while it is on.
-- first_published_at: set on the first publish; from then on the slug never
-- changes, because links to the event are out in the world.
-- allow_overlap: an admin's consent that this event may share its venue's
-- time with other events (a festival with sets inside it, say).
-- create_key: the one-time key of the form that created the row, so a
-- double-submitted form creates one row, not two.
ALTER TABLE events
    ADD COLUMN cancelled_at       DATETIME    NULL,
    ADD COLUMN first_published_at DATETIME    NULL,
    ADD COLUMN allow_overlap      BOOLEAN     NOT NULL DEFAULT FALSE,
    ADD COLUMN create_key         VARCHAR(64) NULL,
    ADD UNIQUE KEY events_create_key (create_key),
    -- The overlap check reads one venue's events around a time.
    ADD KEY events_location_starts (location_id, starts_at);

-- Events published before this migration keep the slugs they have.
UPDATE events SET first_published_at = updated_at WHERE published = TRUE;

-- A description may be 20,000 characters, up to 80,000 bytes in utf8mb4:
-- more than TEXT's 65,535.
ALTER TABLE event_translations MODIFY description MEDIUMTEXT NOT NULL;

ALTER TABLE artists
    ADD COLUMN create_key VARCHAR(64) NULL,
    ADD UNIQUE KEY artists_create_key (create_key);

-- now_playing_token_rotated_at tells the back office when the DJ software's
-- token was last replaced; the token itself is only ever stored hashed.
ALTER TABLE locations
    ADD COLUMN create_key                   VARCHAR(64) NULL,
    ADD COLUMN now_playing_token_rotated_at DATETIME    NULL,
    ADD UNIQUE KEY locations_create_key (create_key);

-- +goose Down
ALTER TABLE locations
    DROP KEY locations_create_key,
    DROP COLUMN now_playing_token_rotated_at,
    DROP COLUMN create_key;
ALTER TABLE artists
    DROP KEY artists_create_key,
    DROP COLUMN create_key;
ALTER TABLE event_translations MODIFY description TEXT NOT NULL;
ALTER TABLE events
    DROP KEY events_location_starts,
    DROP KEY events_create_key,
    DROP COLUMN create_key,
    DROP COLUMN allow_overlap,
    DROP COLUMN first_published_at,
    DROP COLUMN cancelled_at;
