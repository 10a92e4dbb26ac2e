-- +goose Up
-- Whether a Patreon member counts as a supporter now: an active patron who
-- pays, through a tier or a custom amount. The webhook decides it once, so
-- everything else (badges, early announcements) reads one column.
ALTER TABLE patreon_members
    ADD COLUMN supporter BOOLEAN NOT NULL DEFAULT FALSE AFTER tier_ids,
    ADD KEY patreon_members_user_supporter (user_id, supporter);

-- +goose Down
ALTER TABLE patreon_members
    DROP KEY patreon_members_user_supporter,
    DROP COLUMN supporter;
