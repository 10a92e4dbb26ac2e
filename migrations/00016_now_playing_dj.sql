-- +goose Up
-- DJ software and SHOUTcast name the DJ on air beside the track; the
-- history is pruned by age across all venues, so it is indexed by start.
ALTER TABLE now_playing ADD COLUMN dj VARCHAR(255) NOT NULL DEFAULT '' AFTER title;
ALTER TABLE now_playing_history
    ADD COLUMN dj VARCHAR(255) NOT NULL DEFAULT '' AFTER title,
    ADD KEY now_playing_history_started (started_at);

-- +goose Down
ALTER TABLE now_playing_history DROP KEY now_playing_history_started, DROP COLUMN dj;
ALTER TABLE now_playing DROP COLUMN dj;
