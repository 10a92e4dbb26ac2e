-- +goose Up
-- Whether a Patreon member counts as a supporter now: an active patron who
-- pays, through a tier or a custom amount. The webhook decides it once, so
-- everything else (badges, early announcements) reads one column.
ALTER TABLE patreon_members
    ADD COLUMN supporter BOOLEAN NOT NULL DEFAULT FALSE AFTER tier_ids,
    ADD KEY patreon_members_user_supporter (user_id, supporter);

-- +goose Down
-- The new key serves the user foreign key now (InnoDB dropped the index it
-- had made for it), so one on user_id alone comes back first.
ALTER TABLE patreon_members
    ADD KEY patreon_members_user (user_id),
    DROP KEY patreon_members_user_supporter,
    DROP COLUMN supporter;
